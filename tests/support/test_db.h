#pragma once
// The database a suite runs on. The engine, store, e2e and reliability suites run twice under
// ctest: on SQLite files, and (tests named "pg.*", label `pg`) on PostgreSQL, when
// DIXIAN_TEST_PG holds a server's URI or "@FILE" naming a file that holds it (the throwaway
// cluster of scripts/pg-test-cluster.sh). Each TestDb on PostgreSQL is a fresh schema of its own,
// named in the URI (search_path), dropped at the end.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace dixian::testing {

// The PostgreSQL server the suites run on, or "" for SQLite.
const std::string& PostgresServer();
inline bool OnPostgres() { return !PostgresServer().empty(); }

class TestDb {
 public:
  // `sqlite_path`: the file used when the suites run on SQLite.
  explicit TestDb(std::string sqlite_path);
  ~TestDb();
  TestDb(const TestDb&) = delete;
  TestDb& operator=(const TestDb&) = delete;

  // What --db takes: the file path, or a postgresql:// URI.
  const std::string& db() const { return db_; }

 private:
  std::string db_;
  std::string schema_;  // PostgreSQL only
};

using SqlRow = std::vector<std::string>;
// Runs `sql` (one or more statements) on `db` on a connection of its own; the rows of the last
// statement, NULL as "". A failure is a test failure (ADD_FAILURE) and answers no rows.
std::vector<SqlRow> QueryDb(const std::string& db, const std::string& sql);
// The rows as objects by column name; integers and reals as numbers, NULL as null.
nlohmann::json QueryDbJson(const std::string& db, const std::string& sql);
// Runs `sql`; false when the database refused it (no test failure: for expected refusals).
bool TryExecDb(const std::string& db, const std::string& sql);
// SQL that lifts the audit table's append-only guard on the suite's database (an attacker with
// database access), to prefix an UPDATE of audit rows.
std::string UnguardAuditSql();
// The first column of the first row, or "".
std::string ScalarDb(const std::string& db, const std::string& sql);

}  // namespace dixian::testing
