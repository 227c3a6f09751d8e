#pragma once
// Thin RAII layer over the SQLite C API: a connection that owns its handle and a cache of prepared
// statements, a statement handle that resets itself after use, transactions and savepoints that
// roll back unless committed, and the ONE function that turns SQLite result codes into Errors.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <sqlite3.h>

#include "engine/core/error.h"

namespace dixian::store {

// Turns an SQLite result code (extended codes welcome) into an engine Error. `detail` is the
// SQLite message or the operation that failed; it is appended to the message for operators.
engine::Error MapSqliteError(int rc, std::string_view detail);

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using SqliteHandle = std::unique_ptr<sqlite3, SqliteCloser>;

struct StatementFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using StatementHandle = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

class Connection;

// A borrowed prepared statement. Binding indexes are 1-based, column indexes 0-based. On
// destruction the statement is reset and its bindings cleared, ready for the next use.
class Statement {
 public:
  Statement(Connection* conn, sqlite3_stmt* stmt) : conn_(conn), stmt_(stmt) {}
  // A statement that failed to prepare: steps to `error`.
  Statement(Connection* conn, engine::Error error)
      : conn_(conn), stmt_(nullptr), error_(std::move(error)) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept;
  ~Statement();
  // Ready to bind and step again (the destructor does the same).
  void Reset();

  bool valid() const { return stmt_ != nullptr; }

  Statement& Bind(int index, std::int64_t value);
  Statement& Bind(int index, int value) { return Bind(index, static_cast<std::int64_t>(value)); }
  Statement& Bind(int index, bool value) { return Bind(index, static_cast<std::int64_t>(value)); }
  Statement& Bind(int index, double value);
  Statement& Bind(int index, std::string_view value);
  Statement& Bind(int index, const std::string& value) { return Bind(index, std::string_view(value)); }
  Statement& Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }
  Statement& Bind(int index, std::optional<std::int64_t> value);
  Statement& BindNull(int index);
  Statement& BindNullIfEmpty(int index, std::string_view value);

  // Steps once: true when a row is available. On error, false, and error() holds it.
  bool Step();
  // Steps to completion (for INSERT/UPDATE/DELETE): the status of the statement.
  engine::Status Run();
  const std::optional<engine::Error>& error() const { return error_; }

  std::int64_t Int64(int column) const { return sqlite3_column_int64(stmt_, column); }
  int Int(int column) const { return sqlite3_column_int(stmt_, column); }
  double Double(int column) const { return sqlite3_column_double(stmt_, column); }
  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::string Text(int column) const;
  std::optional<std::int64_t> OptionalInt64(int column) const;

 private:
  Connection* conn_;
  sqlite3_stmt* stmt_;
  std::optional<engine::Error> error_;
};

// One SQLite connection, used by one thread at a time. Prepared statements are cached by the
// address of their SQL text: pass string literals (static storage), not temporaries.
class Connection {
 public:
  // Opens (and creates when `create`) the file; applies the per-connection pragmas.
  static engine::Result<std::unique_ptr<Connection>> Open(const std::string& path, bool read_only,
                                                          bool create, int busy_timeout_ms);
  explicit Connection(SqliteHandle db) : db_(std::move(db)) {}
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* get() const { return db_.get(); }
  // A cached prepared statement; invalid (and error set in the returned Statement) on failure.
  Statement Prepare(const char* sql);
  // Runs a cached statement without results (hot-path transaction control); a literal, as above.
  engine::Status Run(const char* sql) { return Prepare(sql).Run(); }
  // Runs SQL text without results (pragmas, DDL). Not cached.
  engine::Status Exec(const char* sql);
  engine::Status Exec(const std::string& sql) { return Exec(sql.c_str()); }
  engine::Error LastError(int rc) const;
  bool InTransaction() const { return sqlite3_get_autocommit(db_.get()) == 0; }
  bool ReadOnly() const { return sqlite3_db_readonly(db_.get(), "main") == 1; }
  std::int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_.get()); }
  int Changes() const { return sqlite3_changes(db_.get()); }

 private:
  SqliteHandle db_;
  std::unordered_map<const char*, StatementHandle> cache_;  // destroyed before db_
};

// BEGIN [DEFERRED|IMMEDIATE] ... COMMIT; rolls back in the destructor unless committed.
class Transaction {
 public:
  enum class Mode { kDeferred, kImmediate };
  explicit Transaction(Connection& conn) : conn_(conn) {}
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  engine::Status Begin(Mode mode);
  engine::Status Commit();
  void Rollback();

 private:
  Connection& conn_;
  bool active_ = false;
};

// SAVEPOINT job ... RELEASE job; rolls back to the savepoint (and releases it) unless released.
// One name, so its three statements stay prepared (a write job runs inside one per command).
class Savepoint {
 public:
  explicit Savepoint(Connection& conn) : conn_(conn) {}
  ~Savepoint();
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;

  engine::Status Begin();
  engine::Status Release();
  void Rollback();

 private:
  Connection& conn_;
  bool active_ = false;
};

}  // namespace dixian::store
