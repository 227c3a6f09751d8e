#include "adapters/store/sqlite/sqlite_db.h"

#include <filesystem>

namespace dixian::store {

// The message is for the official who sees it (Chinese); SQLite's own text (which may name
// tables and columns) stays out of it: the code is enough for whoever reads the logs.
engine::Error MapSqliteError(int rc, std::string_view /*detail*/) {
  const std::string code = "（SQLite 错误码 " + std::to_string(rc) + "）";
  switch (rc & 0xff) {
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      return engine::Error::Unavailable(
          "database_unavailable", "数据库无法写入（磁盘已满或只读），写操作已拒绝，读操作不受影响" + code);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return engine::Error::Unavailable("database_busy", "数据库正忙，请稍后重试" + code);
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        return engine::Error::Conflict("duplicate", "记录已存在，不能重复添加");
      return engine::Error::Conflict("constraint_violation", "数据与现有记录冲突" + code);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return engine::Error::Internal("数据库文件已损坏，请从备份恢复" + code);
    default:
      return engine::Error::Internal("数据库错误" + code);
  }
}

// ---- Statement ----

Statement::Statement(Statement&& other) noexcept
    : conn_(other.conn_), stmt_(other.stmt_), error_(std::move(other.error_)) {
  other.stmt_ = nullptr;
}

Statement::~Statement() { Reset(); }

void Statement::Reset() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Statement& Statement::Bind(int index, std::int64_t value) {
  if (stmt_) sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::Bind(int index, double value) {
  if (stmt_) sqlite3_bind_double(stmt_, index, value);
  return *this;
}

Statement& Statement::Bind(int index, std::string_view value) {
  if (stmt_)
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::Bind(int index, std::optional<std::int64_t> value) {
  return value ? Bind(index, *value) : BindNull(index);
}

Statement& Statement::BindNull(int index) {
  if (stmt_) sqlite3_bind_null(stmt_, index);
  return *this;
}

Statement& Statement::BindNullIfEmpty(int index, std::string_view value) {
  return value.empty() ? BindNull(index) : Bind(index, value);
}

bool Statement::Step() {
  if (stmt_ == nullptr) return false;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE && !error_) error_ = conn_->LastError(rc);
  return false;
}

engine::Status Statement::Run() {
  while (Step()) {
  }
  if (error_) return *error_;
  return engine::OkStatus();
}

std::string Statement::Text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return {};
  return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::optional<std::int64_t> Statement::OptionalInt64(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int64(column);
}

// ---- Connection ----

engine::Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path,
                                                             bool read_only, bool create,
                                                             int busy_timeout_ms) {
  if (create && !read_only) {
    std::error_code ec;
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec)
      return engine::Error::Unavailable(
          "database_unavailable", "无法创建数据库目录 " + parent.string() + "（" + ec.message() + "）");
  }
  int flags = SQLITE_OPEN_NOMUTEX | (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE);
  if (create && !read_only) flags |= SQLITE_OPEN_CREATE;
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  SqliteHandle db(raw);
  if (rc != SQLITE_OK)
    return MapSqliteError(rc, (raw ? sqlite3_errmsg(raw) : "open") + std::string(" ") + path);
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  auto conn = std::make_unique<Connection>(std::move(db));
  auto st = conn->Exec("PRAGMA foreign_keys = ON");
  if (!st) return st.error();
  return conn;
}

Connection::~Connection() { cache_.clear(); }

Statement Connection::Prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(stmt);
      return Statement(this, LastError(rc));
    }
    it = cache_.emplace(sql, StatementHandle(stmt)).first;
  }
  return Statement(this, it->second.get());
}

engine::Status Connection::Exec(const char* sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return engine::OkStatus();
  std::string detail = message ? message : sqlite3_errmsg(db_.get());
  sqlite3_free(message);
  return MapSqliteError(sqlite3_extended_errcode(db_.get()), detail);
}

engine::Error Connection::LastError(int rc) const {
  int extended = sqlite3_extended_errcode(db_.get());
  return MapSqliteError(extended != SQLITE_OK ? extended : rc, sqlite3_errmsg(db_.get()));
}

// ---- Transaction / Savepoint ----

Transaction::~Transaction() {
  if (active_) Rollback();
}

engine::Status Transaction::Begin(Mode mode) {
  auto st = conn_.Run(mode == Mode::kImmediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
  active_ = st.ok();
  return st;
}

engine::Status Transaction::Commit() {
  auto st = conn_.Run("COMMIT");
  if (st.ok()) active_ = false;
  return st;
}

void Transaction::Rollback() {
  // After some errors SQLite has already rolled back; ROLLBACK then fails harmlessly.
  if (conn_.InTransaction()) (void)conn_.Run("ROLLBACK");
  active_ = false;
}

Savepoint::~Savepoint() {
  if (active_) Rollback();
}

engine::Status Savepoint::Begin() {
  auto st = conn_.Run("SAVEPOINT job");
  active_ = st.ok();
  return st;
}

engine::Status Savepoint::Release() {
  auto st = conn_.Run("RELEASE job");
  if (st.ok()) active_ = false;
  return st;
}

void Savepoint::Rollback() {
  if (conn_.InTransaction()) {
    (void)conn_.Run("ROLLBACK TO job");
    (void)conn_.Run("RELEASE job");
  }
  active_ = false;
}

}  // namespace dixian::store
