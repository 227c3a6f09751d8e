#include "tests/support/test_db.h"

#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <nlohmann/json.hpp>

#include "adapters/store/database.h"

namespace dixian::testing {
namespace {

std::string ReadServer() {
  const char* env = std::getenv("DIXIAN_TEST_PG");
  if (env == nullptr || *env == '\0') return "";
  std::string value = env;
  if (value[0] != '@') return value;
  std::ifstream in(value.substr(1));
  std::string uri;
  std::getline(in, uri);
  if (uri.empty()) {
    std::fprintf(stderr, "DIXIAN_TEST_PG=%s: no URI in the file (is the test cluster up?)\n", env);
    std::abort();
  }
  return uri;
}

struct PgCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using PgHandle = std::unique_ptr<PGconn, PgCloser>;

PgHandle ConnectPg(const std::string& uri) {
  PgHandle conn(PQconnectdb(uri.c_str()));
  PQsetNoticeProcessor(conn.get(), [](void*, const char*) {}, nullptr);  // DROP ... CASCADE notes
  if (PQstatus(conn.get()) != CONNECTION_OK)
    ADD_FAILURE() << "cannot connect to " << uri << ": " << PQerrorMessage(conn.get());
  return conn;
}

// The rows of the last statement, cells typed as the database typed them (NULL: null).
struct Table {
  std::vector<std::string> names;
  std::vector<std::vector<nlohmann::json>> rows;
};

nlohmann::json PgCell(const PGresult* result, int r, int c) {
  if (PQgetisnull(result, r, c)) return nullptr;
  const std::string text = PQgetvalue(result, r, c);
  switch (PQftype(result, c)) {
    case 20: case 21: case 23: return std::stoll(text);  // int8, int2, int4
    case 700: case 701: case 1700: return std::stod(text);  // float4, float8, numeric
    case 16: return text == "t" ? 1 : 0;  // bool, as SQLite has it
    default: return text;
  }
}

Table QueryPg(const std::string& uri, const std::string& sql) {
  Table table;
  auto conn = ConnectPg(uri);
  if (PQstatus(conn.get()) != CONNECTION_OK) return table;
  PGresult* result = PQexec(conn.get(), sql.c_str());
  const auto status = PQresultStatus(result);
  if (status == PGRES_TUPLES_OK) {
    for (int c = 0; c < PQnfields(result); ++c) table.names.emplace_back(PQfname(result, c));
    for (int r = 0; r < PQntuples(result); ++r) {
      auto& row = table.rows.emplace_back();
      for (int c = 0; c < PQnfields(result); ++c) row.push_back(PgCell(result, r, c));
    }
  } else if (status != PGRES_COMMAND_OK) {
    ADD_FAILURE() << "SQL failed " << sql << ": " << PQerrorMessage(conn.get());
  }
  PQclear(result);
  return table;
}

nlohmann::json SqliteCell(sqlite3_stmt* st, int i) {
  switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER: return sqlite3_column_int64(st, i);
    case SQLITE_FLOAT: return sqlite3_column_double(st, i);
    case SQLITE_NULL: return nullptr;
    default: return std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, i)));
  }
}

Table QuerySqlite(const std::string& path, const std::string& sql) {
  Table table;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << path << ": " << sqlite3_errmsg(db);
    sqlite3_close(db);
    return table;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* st = nullptr;
  const char* tail = sql.c_str();
  while (tail && *tail) {
    if (sqlite3_prepare_v2(db, tail, -1, &st, &tail) != SQLITE_OK) {
      ADD_FAILURE() << "bad SQL " << sql << ": " << sqlite3_errmsg(db);
      break;
    }
    if (!st) break;
    table = {};  // the rows of the last statement
    for (int i = 0; i < sqlite3_column_count(st); ++i) table.names.emplace_back(sqlite3_column_name(st, i));
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      auto& row = table.rows.emplace_back();
      for (int i = 0; i < sqlite3_column_count(st); ++i) row.push_back(SqliteCell(st, i));
    }
    if (rc != SQLITE_DONE) ADD_FAILURE() << "SQL failed " << sql << ": " << sqlite3_errmsg(db);
    sqlite3_finalize(st);
    st = nullptr;
  }
  sqlite3_close(db);
  return table;
}

Table Query(const std::string& db, const std::string& sql) {
  return store::IsPostgresUri(db) ? QueryPg(db, sql) : QuerySqlite(db, sql);
}

// The server URI with the schema as search_path (libpq's `options`, percent-encoded).
std::string WithSchema(const std::string& server, const std::string& schema) {
  return server + (server.find('?') == std::string::npos ? "?" : "&") +
         "options=-c%20search_path%3D" + schema;
}

}  // namespace

const std::string& PostgresServer() {
  static const std::string server = ReadServer();
  return server;
}

TestDb::TestDb(std::string sqlite_path) {
  if (!OnPostgres()) {
    db_ = std::move(sqlite_path);
    return;
  }
  // A name no other test process takes, even one with a reused pid whose server may still be
  // closing its connections to its own schema (dropping that one could deadlock with them).
  static std::atomic<int> counter{0};
  static const unsigned salt = std::random_device{}();
  schema_ = "t" + std::to_string(::getpid()) + "_" + std::to_string(salt) + "_" + std::to_string(++counter);
  QueryPg(PostgresServer(), "CREATE SCHEMA " + schema_);
  db_ = WithSchema(PostgresServer(), schema_);
}

TestDb::~TestDb() {
  if (!schema_.empty()) QueryPg(PostgresServer(), "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
}

std::vector<SqlRow> QueryDb(const std::string& db, const std::string& sql) {
  std::vector<SqlRow> rows;
  for (const auto& cells : Query(db, sql).rows) {
    auto& row = rows.emplace_back();
    for (const auto& cell : cells) {
      if (cell.is_null()) row.emplace_back();
      else if (cell.is_string()) row.push_back(cell.get<std::string>());
      else row.push_back(cell.dump());
    }
  }
  return rows;
}

nlohmann::json QueryDbJson(const std::string& db, const std::string& sql) {
  auto table = Query(db, sql);
  nlohmann::json out = nlohmann::json::array();
  for (auto& cells : table.rows) {
    nlohmann::json row = nlohmann::json::object();
    for (std::size_t i = 0; i < cells.size(); ++i) row[table.names[i]] = std::move(cells[i]);
    out.push_back(std::move(row));
  }
  return out;
}

bool TryExecDb(const std::string& db, const std::string& sql) {
  if (store::IsPostgresUri(db)) {
    auto conn = ConnectPg(db);
    PGresult* result = PQexec(conn.get(), sql.c_str());
    const auto status = PQresultStatus(result);
    PQclear(result);
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
  }
  sqlite3* handle = nullptr;
  if (sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    sqlite3_close(handle);
    return false;
  }
  sqlite3_busy_timeout(handle, 5000);
  const bool ok = sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
  sqlite3_close(handle);
  return ok;
}

std::string UnguardAuditSql() {
  return OnPostgres() ? "ALTER TABLE audit DISABLE TRIGGER audit_no_update; "
                      : "DROP TRIGGER audit_no_update; ";
}

std::string ScalarDb(const std::string& db, const std::string& sql) {
  auto rows = QueryDb(db, sql);
  return rows.empty() || rows[0].empty() ? "" : rows[0][0];
}

}  // namespace dixian::testing
