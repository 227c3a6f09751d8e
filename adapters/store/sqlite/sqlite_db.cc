#include "adapters/store/sqlite/sqlite_db.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "adapters/store/sqlite/wal_buffer_vfs.h"

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

// ---- SqliteStatement ----

namespace {

class SqliteStatement final : public StatementImpl {
 public:
  SqliteStatement(const SqliteConnection& conn, sqlite3_stmt* stmt) : conn_(conn), stmt_(stmt) {}
  ~SqliteStatement() override { sqlite3_finalize(stmt_); }

  void BindInt64(int index, std::int64_t value) override { sqlite3_bind_int64(stmt_, index, value); }
  void BindDouble(int index, double value) override { sqlite3_bind_double(stmt_, index, value); }
  void BindText(int index, std::string_view value) override {
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  }
  void BindNull(int index) override { sqlite3_bind_null(stmt_, index); }
  bool Step(std::optional<engine::Error>& error) override {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE && !error) error = conn_.LastError(rc);
    return false;
  }
  void Reset() override {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::int64_t Int64(int column) const override { return sqlite3_column_int64(stmt_, column); }
  double Double(int column) const override { return sqlite3_column_double(stmt_, column); }
  bool IsNull(int column) const override { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::string Text(int column) const override {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    if (text == nullptr) return {};
    return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
  }

 private:
  const SqliteConnection& conn_;
  sqlite3_stmt* stmt_;
};

// Process-wide settings, before the library initialises (later calls are refused, harmlessly):
// no memory statistics, whose global mutex every allocation of every connection takes (the
// writer and the readers contend on it; nothing reads the statistics).
void ConfigureLibrary() {
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)configured;
}

}  // namespace

// ---- Connection ----

engine::Result<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& path,
                                                                         bool read_only, bool create,
                                                                         int busy_timeout_ms,
                                                                         bool buffer_wal) {
  if (create && !read_only) {
    std::error_code ec;
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec)
      return engine::Error::Unavailable(
          "database_unavailable", "无法创建数据库目录 " + parent.string() + "（" + ec.message() + "）");
  }
  if (!read_only && path != ":memory:") {
    // Only the owner may read the database: it holds households, names and mobiles. SQLite gives
    // the -wal and -shm files the mode of the database file, so one 0600 file covers all three;
    // files left by older builds are tightened too.
    if (create) {
      const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
      if (fd >= 0) ::close(fd);
    }
    for (const char* suffix : {"", "-wal", "-shm"}) ::chmod((path + suffix).c_str(), 0600);
  }
  ConfigureLibrary();  // before any other sqlite3 call (the VFS look-up initialises the library)
  const char* vfs = buffer_wal && !read_only ? WalBufferVfsName() : nullptr;
  int flags = SQLITE_OPEN_NOMUTEX | (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE);
  if (create && !read_only) flags |= SQLITE_OPEN_CREATE;
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, vfs);
  SqliteHandle db(raw);
  if (rc != SQLITE_OK)
    return MapSqliteError(rc, (raw ? sqlite3_errmsg(raw) : "open") + std::string(" ") + path);
  // The writer's statements, cursors and records of a batch from the connection's own lookaside
  // slots (1.2 MB) rather than malloc, where SQLite has lookaside: Debian 12's library is built
  // with SQLITE_OMIT_LOOKASIDE, so there this asks for nothing (docs/storage.md).
  if (!read_only) sqlite3_db_config(raw, SQLITE_DBCONFIG_LOOKASIDE, nullptr, 1200, 1000);
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  auto conn = std::make_unique<SqliteConnection>(std::move(db));
  auto st = conn->Exec("PRAGMA foreign_keys = ON");
  if (!st) return st.error();
  return conn;
}

SqliteConnection::~SqliteConnection() { ForgetStatements(); }

engine::Result<std::unique_ptr<StatementImpl>> SqliteConnection::PrepareImpl(const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return LastError(rc);
  }
  return std::unique_ptr<StatementImpl>(std::make_unique<SqliteStatement>(*this, stmt));
}

engine::Status SqliteConnection::Exec(const char* sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return engine::OkStatus();
  std::string detail = message ? message : sqlite3_errmsg(db_.get());
  sqlite3_free(message);
  return MapSqliteError(sqlite3_extended_errcode(db_.get()), detail);
}

engine::Error SqliteConnection::LastError(int rc) const {
  int extended = sqlite3_extended_errcode(db_.get());
  return MapSqliteError(extended != SQLITE_OK ? extended : rc, sqlite3_errmsg(db_.get()));
}

}  // namespace dixian::store
