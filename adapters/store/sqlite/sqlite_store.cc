#include "adapters/store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "adapters/store/sql/audit_switch.h"
#include "adapters/store/sql/rows.h"
#include "adapters/store/sql/secrets_at_rest.h"
#include "adapters/store/sql/write_tx.h"
#include "adapters/store/sqlite/migrations.h"

namespace dixian::store {
namespace {

engine::Status SetWriterPragmas(Connection& conn, const SqliteOptions& options) {
  if (!options.read_only) {
    auto st = conn.Prepare("PRAGMA journal_mode = WAL");
    std::string mode = st.Step() ? st.Text(0) : "";
    if (st.error()) return *st.error();
    if (mode != "wal")
      return engine::Error::Unavailable(
          "database_unavailable", "数据库无法切换到 WAL 模式（当前为 " + mode + "）");
  }
  // sync_behind: the syncer thread fsyncs the WAL before any write is acknowledged.
  const char* sync = options.sync_behind ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL";
  if (auto st = conn.Exec(sync); !st) return st;
  if (auto st = conn.Exec("PRAGMA temp_store = MEMORY"); !st) return st;
  if (auto st = conn.Exec("PRAGMA cache_size = -32000"); !st) return st;
  // A WAL grown by a burst is cut back to 64 MB when it restarts (checkpoints: OnWalCommit).
  if (auto st = conn.Exec("PRAGMA journal_size_limit = 67108864"); !st) return st;
  if (options.max_pages > 0) {
    if (auto st = conn.Exec("PRAGMA max_page_count = " + std::to_string(options.max_pages)); !st)
      return st;
  }
  return engine::OkStatus();
}

bool HasColumn(Connection& c, const char* table, const char* column) {
  auto q = c.Prepare("SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2");
  q.Bind(1, table).Bind(2, column);
  const bool found = q.Step() && q.Int64(0) > 0;
  q.Reset();
  return found;
}

// A sub-step of schema 3: databases written by builds that had schema 3 before its audit key and
// token expiry columns (main between the idempotency landing and the HMAC chain) are at version 3
// or later without them. Adds the columns and takes the steps of migrating to 3 that need the key,
// in one transaction; nothing to do on any other database.
engine::Status CompleteSchema3(Connection& c, const std::shared_ptr<const engine::KeyRing>& keys) {
  if (HasColumn(c, "audit", "key_id") && HasColumn(c, "users", "token_expires_at")) return engine::OkStatus();
  Transaction tx(c);
  if (auto st = tx.Begin(Transaction::Mode::kImmediate); !st) return st;
  if (!HasColumn(c, "audit", "key_id"))
    if (auto st = c.Exec("ALTER TABLE audit ADD COLUMN key_id TEXT NOT NULL DEFAULT ''"); !st) return st;
  if (!HasColumn(c, "users", "token_expires_at"))
    if (auto st = c.Exec("ALTER TABLE users ADD COLUMN token_expires_at INTEGER"); !st) return st;
  if (keys) {
    if (auto st = WriteAuditSwitchOver(c, keys); !st.ok() && st.error().code != engine::ErrorCode::kConflict) return st;
    auto sealed = ResealChannels(c, engine::SecretBox(keys), /*accept_plaintext=*/true);
    if (!sealed.ok()) return sealed.error();
  }
  return tx.Commit();
}

}  // namespace

engine::Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                               Options options) {
  auto conn = SqliteConnection::Open(path, options.read_only, /*create=*/!options.read_only,
                                     options.busy_timeout_ms,
                                     options.buffer_wal);
  if (!conn) return conn.error();
  if (auto st = SetWriterPragmas(**conn, options); !st) return st.error();
  // Steps of schema 3 that need the key, in the migration's transaction: the audit switch-over
  // point, and channel secrets of an older database sealed.
  auto keyed_steps = [&options](Connection& c, int from) -> engine::Status {
    return KeyedMigrationSteps(c, from, options.keys);
  };
  if (auto st = Migrate(**conn, keyed_steps); !st) return st.error();
  if (!options.read_only)
    if (auto st = CompleteSchema3(**conn, options.keys); !st.ok()) return st.error();
  if (options.keys && !options.read_only)
    if (auto st = CheckKeyCanary(**conn, engine::SecretBox(options.keys), false); !st.ok()) return st.error();
  return std::unique_ptr<SqliteStore>(new SqliteStore(path, options, std::move(conn.value())));
}

SqliteStore::SqliteStore(std::string path, Options options,
                         std::unique_ptr<SqliteConnection> writer)
    : SqlDatabase(
          options.max_batch,
          [path, timeout = options.busy_timeout_ms]() -> engine::Result<std::unique_ptr<Connection>> {
            auto conn = SqliteConnection::Open(path, /*read_only=*/true, /*create=*/false, timeout);
            if (!conn) return conn.error();
            return std::unique_ptr<Connection>(std::move(conn.value()));
          },
          options.max_idle_readers, options.keys,
          options.sync_behind ? GroupCommit::Sync([this] { return SyncWal(); }) : GroupCommit::Sync()),
      path_(std::move(path)),
      options_(options),
      writer_conn_(std::move(writer)) {
  // Replaces SQLite's auto-checkpoint hook: checkpoints leave the writer's COMMIT.
  if (!options_.read_only) {
    sqlite3_wal_hook(writer_conn_->get(), &SqliteStore::OnWalCommit, this);
    checkpointer_ = std::thread([this] { CheckpointerLoop(); });
    pthread_setname_np(checkpointer_.native_handle(), "db-checkpointer");
  }
  StartWriter();
}

SqliteStore::~SqliteStore() { Close(); }

SqliteStore::WalFile::~WalFile() { ::close(fd); }

void SqliteStore::Close() {
  SqlDatabase::Close();
  {
    std::lock_guard lock(checkpoint_mu_);
    checkpoint_stop_ = true;
  }
  checkpoint_cv_.notify_all();
  if (checkpointer_.joinable()) checkpointer_.join();
}

// WAL pages (in checkpoint_pages) past which the writer checkpoints itself. Large enough that a
// burst of big transactions (a batch of timers touches thousands of pages) does not reach it.
constexpr int kWalBound = 32;

// How much nicer than the process the checkpointer thread runs (CheckpointerLoop).
constexpr int kCheckpointerNice = 10;

// Called by SQLite on the writer thread after each COMMIT with the WAL's size in pages.
int SqliteStore::OnWalCommit(void* self, sqlite3* db, const char* name, int pages) {
  auto* store = static_cast<SqliteStore*>(self);
  const int soft = std::max(store->options_.checkpoint_pages, 1);
  if (pages >= kWalBound * soft) {
    // The checkpointer is behind (or stopped): bound the WAL here, as auto-checkpoint would.
    sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else if (pages >= soft) {
    {
      std::lock_guard lock(store->checkpoint_mu_);
      if (std::exchange(store->checkpoint_due_, true)) return SQLITE_OK;  // already woken
    }
    store->checkpoint_cv_.notify_one();
  }
  return SQLITE_OK;
}

// PASSIVE checkpoints on a connection of its own: never waits for the writer or readers, copies
// what every reader allows, and the next write restarts the WAL once all of it is copied.
void SqliteStore::CheckpointerLoop() {
  // Copying pages can wait; the writer and the threads answering requests cannot. On two cores
  // a checkpointer at their priority takes the writer's core away mid-batch (yielding it: 5-10 %
  // more durable writes per second at 64 submitters). Raising one's own nice value needs no
  // privilege; a WAL that still outgrows the checkpointer is bounded by OnWalCommit.
  const auto self = static_cast<id_t>(gettid());
  errno = 0;
  const int nice = getpriority(PRIO_PROCESS, self);  // -1 is a valid answer: errno tells
  if (errno == 0) setpriority(PRIO_PROCESS, self, std::min(nice + kCheckpointerNice, 19));
  std::unique_ptr<SqliteConnection> conn;
  for (;;) {
    {
      std::unique_lock lock(checkpoint_mu_);
      checkpoint_cv_.wait(lock, [this] { return checkpoint_stop_ || checkpoint_due_; });
      if (checkpoint_stop_) return;
      checkpoint_due_ = false;
    }
    if (!conn) {
      auto opened = SqliteConnection::Open(path_, false, false, options_.busy_timeout_ms);
      if (!opened) continue;  // the writer's bound above still holds the WAL in check
      // A fresh connection has not read the file, so its pager has no WAL open and a checkpoint
      // on it silently does nothing (SQLITE_OK, no frame copied): one read opens the WAL.
      if (!(*opened)->Exec("PRAGMA schema_version")) continue;
      conn = std::move(opened.value());
    }
    int backfilled = 0;
    if (sqlite3_wal_checkpoint_v2(conn->get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                  &backfilled) == SQLITE_OK &&
        backfilled > 0) {
      std::lock_guard lock(checkpoint_mu_);
      checkpointer_backfill_ = backfilled;
      checkpoint_cv_.notify_all();
    }
  }
}

int SqliteStore::CheckpointerBackfill(std::chrono::milliseconds timeout) {
  std::unique_lock lock(checkpoint_mu_);
  checkpoint_cv_.wait_for(lock, timeout, [this] { return checkpointer_backfill_ > 0; });
  return checkpointer_backfill_;
}

engine::Status SqliteStore::SyncWal() {
  std::shared_ptr<WalFile> wal;
  {
    std::lock_guard lock(wal_file_mu_);
    if (!wal_file_)
      if (const int fd = ::open((path_ + "-wal").c_str(), O_RDWR | O_CLOEXEC); fd >= 0)
        wal_file_ = std::make_shared<WalFile>(fd);
    wal = wal_file_;
  }
  if (wal && ::fdatasync(wal->fd) == 0) return engine::OkStatus();
  const int err = errno;
  {
    std::lock_guard lock(wal_file_mu_);
    if (wal_file_ == wal) wal_file_.reset();  // reopened on the next batch
  }
  return engine::Error::Unavailable(
      "database_unavailable",
      std::string("数据库无法写入磁盘（WAL 同步失败：") + std::strerror(err) + "），请稍后重试");
}

std::vector<engine::Status> SqliteStore::RunBatch(std::vector<GroupCommit::Pending>& batch) {
  SqlWriteTx write_tx(*writer_conn_, secrets());
  return RunInOneTransaction(
      *writer_conn_, write_tx, batch,
      [](Transaction& tx) { return tx.Begin(Transaction::Mode::kImmediate); }, /*rerun=*/true);
}

// ---- maintenance ----

engine::Status SqliteStore::Backup(const std::string& dest_path) {
  auto source = readers().Acquire();
  if (!source) return source.error();
  auto* source_db = static_cast<SqliteConnection&>(**source).get();
  std::string tmp = dest_path + ".tmp";
  std::error_code ec;
  std::filesystem::remove(tmp, ec);
  auto dest = SqliteConnection::Open(tmp, false, true, options_.busy_timeout_ms);
  if (!dest) return dest.error();
  sqlite3_backup* backup = sqlite3_backup_init((*dest)->get(), "main", source_db, "main");
  if (backup == nullptr) return (*dest)->LastError(SQLITE_ERROR);
  int rc = sqlite3_backup_step(backup, -1);  // one step: one consistent snapshot of the source
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    auto error = (*dest)->LastError(rc);
    dest.value().reset();
    std::filesystem::remove(tmp, ec);
    return error;
  }
  readers().Release(std::move(source.value()));
  dest.value().reset();  // close before renaming
  std::filesystem::rename(tmp, dest_path, ec);
  if (ec)
    return engine::Error::Unavailable("backup_failed", "备份文件 " + dest_path + " 无法写入（" +
                                                           ec.message() + "）");
  return engine::OkStatus();
}

engine::Status SqliteStore::Checkpoint(bool truncate) {
  auto conn = SqliteConnection::Open(path_, options_.read_only, false, options_.busy_timeout_ms);
  if (!conn) return conn.error();
  int rc = sqlite3_wal_checkpoint_v2((*conn)->get(), nullptr,
                                     truncate ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE,
                                     nullptr, nullptr);
  if (rc != SQLITE_OK) return (*conn)->LastError(rc);
  return engine::OkStatus();
}

engine::Status SqliteStore::IntegrityCheck(const std::string& path) {
  auto conn = SqliteConnection::Open(path, /*read_only=*/true, /*create=*/false, 5000);
  if (!conn) return conn.error();
  auto st = (*conn)->Prepare("PRAGMA integrity_check(10)");
  std::string problems;
  while (st.Step()) {
    std::string line = st.Text(0);
    if (line == "ok") continue;
    problems += (problems.empty() ? "" : "; ") + line;
  }
  if (st.error()) return *st.error();
  if (!problems.empty())
    return engine::Error::Internal("数据库完整性检查未通过：" + problems);
  return engine::OkStatus();
}

engine::Result<std::vector<std::string>> SqliteStore::EvidenceDigests(const std::string& path) {
  auto conn = SqliteConnection::Open(path, /*read_only=*/true, /*create=*/false, 5000);
  if (!conn) return conn.error();
  std::vector<std::string> digests;
  auto table = (*conn)->Prepare(
      "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'attachments'");
  const bool has_table = table.Step();
  if (table.error()) return *table.error();
  if (!has_table) return digests;
  auto st = (*conn)->Prepare("SELECT DISTINCT sha256 FROM attachments ORDER BY sha256");
  while (st.Step()) digests.push_back(st.Text(0));
  if (st.error()) return *st.error();
  return digests;
}

}  // namespace dixian::store
