#include "adapters/store/copy_database.h"

#include <filesystem>
#include <memory>

#include "adapters/store/postgres/pg_db.h"
#include "adapters/store/postgres/pg_migrations.h"
#include "adapters/store/sqlite/sqlite_store.h"
#include "engine/core/sha256.h"

namespace dixian::store {
namespace {

// Tables in creation order (parents before the tables that reference them), SQLite's own
// excluded.
engine::Result<std::vector<std::string>> SourceTables(SqliteConnection& from) {
  auto st = from.Prepare(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
      " ORDER BY rowid");
  std::vector<std::string> tables;
  while (st.Step()) tables.push_back(st.Text(0));
  if (st.error()) return *st.error();
  return tables;
}

std::string Quoted(const std::string& name) { return "\"" + name + "\""; }

engine::Result<std::vector<std::string>> Columns(SqliteConnection& from, const std::string& table) {
  sqlite3_stmt* raw = nullptr;
  const std::string sql = "SELECT name FROM pragma_table_info(?1) ORDER BY cid";
  if (sqlite3_prepare_v2(from.get(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK)
    return from.LastError(SQLITE_ERROR);
  sqlite3_bind_text(raw, 1, table.c_str(), -1, SQLITE_TRANSIENT);
  std::vector<std::string> columns;
  while (sqlite3_step(raw) == SQLITE_ROW)
    columns.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(raw, 0)));
  sqlite3_finalize(raw);
  return columns;
}

engine::Error TableError(const std::string& table, const engine::Error& e) {
  engine::Error out = e;
  out.message = "复制表 " + table + " 失败：" + e.message;
  return out;
}

// Any row in any of the target's tables refuses the copy.
engine::Status RefuseNonEmpty(PgConnection& to, const std::vector<std::string>& tables) {
  for (const auto& table : tables) {
    const std::string sql = "SELECT EXISTS (SELECT 1 FROM " + Quoted(table) + ")";
    PGresult* result = PQexec(to.get(), sql.c_str());
    const bool ok = PQresultStatus(result) == PGRES_TUPLES_OK;
    const bool rows = ok && std::string(PQgetvalue(result, 0, 0)) == "t";
    engine::Error error = ok ? engine::Error{} : MapPgError(result, to.get());
    PQclear(result);
    if (!ok) return TableError(table, error);
    if (rows)
      return engine::Error::Conflict(
          "target_not_empty", "目标数据库不是空的（表 " + table +
                                  " 已有数据），为免覆盖已有记录，迁移已拒绝；请指定一个新建的空数据库");
  }
  return engine::OkStatus();
}

// Copies one table row for row: values travel as SQLite's text of them (NULL as NULL), which
// PostgreSQL parses into the column's type.
engine::Result<std::int64_t> CopyTable(SqliteConnection& from, PgConnection& to,
                                       const std::string& table) {
  auto columns = Columns(from, table);
  if (!columns) return columns.error();
  std::string names, params;
  for (std::size_t i = 0; i < columns->size(); ++i) {
    names += (i ? ", " : "") + Quoted((*columns)[i]);
    params += (i ? ", $" : "$") + std::to_string(i + 1);
  }
  const std::string insert = "INSERT INTO " + Quoted(table) + "(" + names + ") VALUES(" + params + ")";
  const std::string select = "SELECT " + names + " FROM " + Quoted(table) + " ORDER BY rowid";
  const std::string select_no_rowid = "SELECT " + names + " FROM " + Quoted(table);
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(from.get(), select.c_str(), -1, &raw, nullptr) != SQLITE_OK &&
      sqlite3_prepare_v2(from.get(), select_no_rowid.c_str(), -1, &raw, nullptr) != SQLITE_OK)
    return from.LastError(SQLITE_ERROR);  // WITHOUT ROWID tables have no rowid to order by
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> rows(raw, sqlite3_finalize);
  PGresult* prepared = PQprepare(to.get(), "", insert.c_str(), 0, nullptr);
  const bool ok = PQresultStatus(prepared) == PGRES_COMMAND_OK;
  if (!ok) {
    auto error = MapPgError(prepared, to.get());
    PQclear(prepared);
    return error;
  }
  PQclear(prepared);
  const int n = static_cast<int>(columns->size());
  std::vector<std::string> values(static_cast<std::size_t>(n));
  std::vector<const char*> pointers(static_cast<std::size_t>(n));
  std::int64_t copied = 0;
  int rc;
  while ((rc = sqlite3_step(rows.get())) == SQLITE_ROW) {
    for (int i = 0; i < n; ++i) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(rows.get(), i));
      if (text == nullptr) {
        pointers[static_cast<std::size_t>(i)] = nullptr;
        continue;
      }
      values[static_cast<std::size_t>(i)].assign(text, static_cast<std::size_t>(sqlite3_column_bytes(rows.get(), i)));
      pointers[static_cast<std::size_t>(i)] = values[static_cast<std::size_t>(i)].c_str();
    }
    PGresult* result = PQexecPrepared(to.get(), "", n, pointers.data(), nullptr, nullptr, 0);
    const bool inserted = PQresultStatus(result) == PGRES_COMMAND_OK;
    engine::Error error = inserted ? engine::Error{} : MapPgError(result, to.get());
    PQclear(result);
    if (!inserted) return error;
    ++copied;
  }
  if (rc != SQLITE_DONE) return from.LastError(rc);
  return copied;
}

// Each distinct digest the copied attachment rows name, read through `read`, checked, and written
// as a large object with its evidence_objects row (in the copy's transaction).
engine::Result<std::int64_t> CopyEvidence(SqliteConnection& from, PgConnection& to,
                                          const EvidenceReader& read) {
  auto digests = from.Prepare("SELECT DISTINCT sha256 FROM attachments ORDER BY sha256");
  std::int64_t copied = 0;
  while (digests.Step()) {
    const std::string sha256 = digests.Text(0);
    auto bytes = read ? read(sha256)
                      : engine::Result<std::string>(engine::Error::Internal("未提供佐证材料文件目录"));
    if (!bytes) return bytes.error();
    if (engine::Sha256Hex(*bytes) != sha256)
      return engine::Error::Internal("佐证材料 " + sha256 + " 的内容与 SHA-256 不符");
    auto oid = to.WriteLargeObject(*bytes);
    if (!oid) return oid.error();
    auto insert = to.Prepare("INSERT INTO evidence_objects(sha256, oid, size) VALUES(?1, ?2, ?3)");
    insert.Bind(1, sha256).Bind(2, *oid).Bind(3, static_cast<std::int64_t>(bytes->size()));
    if (auto st = insert.Run(); !st) return st.error();
    ++copied;
  }
  if (digests.error()) return *digests.error();
  return copied;
}

}  // namespace

engine::Result<std::vector<CopiedTable>> CopySqliteToPostgres(
    const std::string& sqlite_path, const std::string& postgres_uri,
    std::shared_ptr<const engine::KeyRing> keys, const EvidenceReader& read_evidence) {
  if (!std::filesystem::exists(sqlite_path))
    return engine::Error::NotFound("database_not_found", "找不到数据库文件 " + sqlite_path);
  {  // the source at the latest schema, as the target will be
    SqliteOptions options;
    options.keys = std::move(keys);
    auto migrated = SqliteStore::Open(sqlite_path, options);
    if (!migrated) return migrated.error();
  }
  auto from = SqliteConnection::Open(sqlite_path, /*read_only=*/true, /*create=*/false, 5000);
  if (!from) return from.error();
  auto to = PgConnection::Open(postgres_uri, {});
  if (!to) return to.error();
  if (auto st = MigratePg(**to); !st) return st.error();
  auto tables = SourceTables(**from);
  if (!tables) return tables.error();

  // One snapshot of the source, one transaction on the target: all or nothing.
  Transaction read(**from);
  if (auto st = read.Begin(Transaction::Mode::kReadSnapshot); !st) return st.error();
  if (auto st = (*to)->Exec("BEGIN; SELECT pg_advisory_xact_lock(7133, 1)"); !st) return st.error();
  if (auto st = RefuseNonEmpty(**to, *tables); !st) {
    (void)(*to)->Exec("ROLLBACK");
    return st.error();
  }
  std::vector<CopiedTable> copied;
  for (const auto& table : *tables) {
    auto rows = CopyTable(**from, **to, table);
    if (!rows) {
      (void)(*to)->Exec("ROLLBACK");
      return TableError(table, rows.error());
    }
    copied.push_back({table, *rows});
  }
  auto objects = CopyEvidence(**from, **to, read_evidence);
  if (!objects) {
    (void)(*to)->Exec("ROLLBACK");
    return TableError("evidence_objects", objects.error());
  }
  copied.push_back({"evidence_objects", *objects});
  if (auto st = (*to)->Exec("COMMIT"); !st) return st.error();
  return copied;
}

}  // namespace dixian::store
