#pragma once
// The SQLite driver under the shared SQL layer (sql/connection.h): a connection that owns its
// handle and caches prepared statements, and the ONE function that turns SQLite result codes
// into Errors.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "adapters/store/sql/connection.h"
#include "engine/core/error.h"

namespace dixian::store {

// Turns an SQLite result code (extended codes welcome) into an engine Error. `detail` is the
// SQLite message or the operation that failed; it is appended to the message for operators.
engine::Error MapSqliteError(int rc, std::string_view detail);

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using SqliteHandle = std::unique_ptr<sqlite3, SqliteCloser>;

class SqliteConnection final : public Connection {
 public:
  // Opens (and creates when `create`) the file; applies the per-connection pragmas.
  // `buffer_wal`: through the WAL-buffering VFS (the writer's connection, wal_buffer_vfs.h).
  static engine::Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path,
                                                                bool read_only, bool create,
                                                                int busy_timeout_ms,
                                                                bool buffer_wal = false);
  explicit SqliteConnection(SqliteHandle db) : db_(std::move(db)) {}
  ~SqliteConnection() override;

  Dialect dialect() const override { return Dialect::kSqlite; }
  engine::Status Exec(const char* sql) override;
  using Connection::Exec;
  bool InTransaction() const override { return sqlite3_get_autocommit(db_.get()) == 0; }
  std::int64_t Changes() const override { return sqlite3_changes(db_.get()); }
  std::int64_t LastInsertId() const override { return sqlite3_last_insert_rowid(db_.get()); }
  std::int64_t TotalChanges() const override { return sqlite3_total_changes64(db_.get()); }

  sqlite3* get() const { return db_.get(); }
  engine::Error LastError(int rc) const;
  bool ReadOnly() const { return sqlite3_db_readonly(db_.get(), "main") == 1; }

 protected:
  engine::Result<std::unique_ptr<StatementImpl>> PrepareImpl(const char* sql) override;

 private:
  SqliteHandle db_;  // declared first: destroyed after the statements (in ~SqliteConnection)
};

}  // namespace dixian::store
