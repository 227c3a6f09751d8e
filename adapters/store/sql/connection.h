#pragma once
// What the shared SQL (rows, read_ops, write_tx) runs on: a connection of either store and its
// prepared statements. Each store implements StatementImpl and Connection on its driver
// (sqlite/sqlite_db.h, postgres/pg_db.h). SQL text is written once, in SQLite's dialect with
// numbered parameters (?1, ?2 ...), which the PostgreSQL driver rewrites ($1, $2 ...) when it
// prepares a statement; where the dialects differ, a query picks its text by dialect().
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/core/error.h"

namespace dixian::store {

enum class Dialect { kSqlite, kPostgres };

// One prepared statement of a driver. Binding indexes are 1-based, column indexes 0-based.
class StatementImpl {
 public:
  virtual ~StatementImpl() = default;
  virtual void BindInt64(int index, std::int64_t value) = 0;
  virtual void BindDouble(int index, double value) = 0;
  virtual void BindText(int index, std::string_view value) = 0;
  virtual void BindNull(int index) = 0;
  // Steps once: true when a row is available. On an error, false with `error` set.
  virtual bool Step(std::optional<engine::Error>& error) = 0;
  // Ready to bind and step again, bindings cleared.
  virtual void Reset() = 0;
  virtual std::int64_t Int64(int column) const = 0;
  virtual double Double(int column) const = 0;
  virtual bool IsNull(int column) const = 0;
  virtual std::string Text(int column) const = 0;
};

// A borrowed prepared statement. On destruction it is reset and its bindings cleared, ready for
// the next use.
class Statement {
 public:
  explicit Statement(StatementImpl* impl) : impl_(impl) {}
  // A statement that failed to prepare: steps to `error`.
  explicit Statement(engine::Error error) : impl_(nullptr), error_(std::move(error)) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept;
  ~Statement() { Reset(); }
  void Reset() {
    if (impl_) impl_->Reset();
  }

  bool valid() const { return impl_ != nullptr; }

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
  bool Step() { return impl_ != nullptr && impl_->Step(error_); }
  // Steps to completion (for INSERT/UPDATE/DELETE): the status of the statement.
  engine::Status Run();
  const std::optional<engine::Error>& error() const { return error_; }

  std::int64_t Int64(int column) const { return impl_->Int64(column); }
  int Int(int column) const { return static_cast<int>(impl_->Int64(column)); }
  double Double(int column) const { return impl_->Double(column); }
  bool IsNull(int column) const { return impl_->IsNull(column); }
  std::string Text(int column) const { return impl_->Text(column); }
  std::optional<std::int64_t> OptionalInt64(int column) const;

 private:
  StatementImpl* impl_;
  std::optional<engine::Error> error_;
};

// One database connection, used by one thread at a time. Prepared statements are cached by the
// address of their SQL text: pass string literals (static storage), not temporaries.
class Connection {
 public:
  virtual ~Connection() = default;
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  virtual Dialect dialect() const = 0;
  // Picks the text for this connection's dialect (both literals, for the statement cache).
  const char* Sql(const char* sqlite, const char* postgres) const {
    return dialect() == Dialect::kPostgres ? postgres : sqlite;
  }
  // A cached prepared statement; invalid (and error set in the returned Statement) on failure.
  Statement Prepare(const char* sql);
  // Runs a cached statement without results (hot-path transaction control); a literal, as above.
  engine::Status Run(const char* sql) { return Prepare(sql).Run(); }
  // Runs SQL text without results (DDL, settings; may hold several statements). Not cached.
  virtual engine::Status Exec(const char* sql) = 0;
  engine::Status Exec(const std::string& sql) { return Exec(sql.c_str()); }
  virtual bool InTransaction() const = 0;
  // The link to the server is gone (PostgreSQL): the connection must be replaced, not reused.
  virtual bool Broken() const { return false; }
  // Rows changed by the last INSERT, UPDATE or DELETE run on this connection.
  virtual std::int64_t Changes() const = 0;
  // The rowid of the last INSERT on this connection (SQLite); 0 where the driver has none
  // (PostgreSQL: use RETURNING).
  virtual std::int64_t LastInsertId() const { return 0; }
  // Rows written on this connection since it opened (SQLite; statements that failed and were
  // undone count nothing); -1 where the driver does not count them.
  virtual std::int64_t TotalChanges() const { return -1; }
  // PostgreSQL's large objects, inside the open transaction (undone with it): a new one holding
  // `bytes` (its oid), and the whole of one. Other drivers answer kInternal.
  virtual engine::Result<std::int64_t> WriteLargeObject(std::string_view bytes);
  virtual engine::Result<std::string> ReadLargeObject(std::int64_t oid);

 protected:
  virtual engine::Result<std::unique_ptr<StatementImpl>> PrepareImpl(const char* sql) = 0;
  // Drops every prepared statement (the driver's connection was replaced).
  void ForgetStatements() { cache_.clear(); }

 private:
  std::unordered_map<const char*, std::unique_ptr<StatementImpl>> cache_;
};

// BEGIN ... COMMIT; rolls back in the destructor unless committed. kImmediate takes SQLite's
// write lock at once (PostgreSQL: a plain BEGIN; its writer takes its own lock); kReadSnapshot
// is a read-only transaction whose queries all see one snapshot.
class Transaction {
 public:
  enum class Mode { kReadSnapshot, kImmediate };
  explicit Transaction(Connection& conn) : conn_(conn) {}
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  engine::Status Begin(Mode mode);
  // Begins with the store's own text (Exec: may hold several statements, e.g. BEGIN and a lock).
  engine::Status BeginWith(const char* sql);
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
