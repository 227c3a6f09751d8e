#include "adapters/store/sqlite_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <utility>

#include "adapters/store/audit_switch.h"
#include "adapters/store/migrations.h"
#include "adapters/store/read_view.h"
#include "adapters/store/rows.h"
#include "adapters/store/secrets_at_rest.h"
#include "adapters/store/write_tx.h"

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

engine::Error Closed() {
  return engine::Error::Unavailable("store_closed",
                                    "服务正在停止，写操作未执行，请稍后重试");
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
    if (auto st = c.Run("ALTER TABLE audit ADD COLUMN key_id TEXT NOT NULL DEFAULT ''"); !st) return st;
  if (!HasColumn(c, "users", "token_expires_at"))
    if (auto st = c.Run("ALTER TABLE users ADD COLUMN token_expires_at INTEGER"); !st) return st;
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
  auto conn = Connection::Open(path, options.read_only, /*create=*/!options.read_only,
                               options.busy_timeout_ms);
  if (!conn) return conn.error();
  if (auto st = SetWriterPragmas(**conn, options); !st) return st.error();
  // Steps of schema 3 that need the key, in the migration's transaction: the audit switch-over
  // point, and channel secrets of an older database sealed.
  auto keyed_steps = [&options](Connection& c, int from) -> engine::Status {
    if (from >= kAuditHmacSchema || !options.keys) return engine::OkStatus();
    if (auto st = WriteAuditSwitchOver(c, options.keys); !st.ok()) return st;
    auto sealed = ResealChannels(c, engine::SecretBox(options.keys), /*accept_plaintext=*/true);
    if (!sealed.ok()) return sealed.error();
    return engine::OkStatus();
  };
  if (auto st = Migrate(**conn, keyed_steps); !st) return st.error();
  if (!options.read_only)
    if (auto st = CompleteSchema3(**conn, options.keys); !st.ok()) return st.error();
  if (options.keys && !options.read_only)
    if (auto st = CheckKeyCanary(**conn, engine::SecretBox(options.keys), false); !st.ok()) return st.error();
  return std::unique_ptr<SqliteStore>(new SqliteStore(path, options, std::move(conn.value())));
}

SqliteStore::SqliteStore(std::string path, Options options, std::unique_ptr<Connection> writer)
    : path_(std::move(path)),
      options_(options),
      writer_conn_(std::move(writer)),
      readers_(std::make_shared<ReadPool>(path_, options_.busy_timeout_ms,
                                          options_.max_idle_readers)) {
  if (options_.keys) secrets_.emplace(options_.keys);
  // Replaces SQLite's auto-checkpoint hook: checkpoints leave the writer's COMMIT.
  if (!options_.read_only) {
    sqlite3_wal_hook(writer_conn_->get(), &SqliteStore::OnWalCommit, this);
    checkpointer_ = std::thread([this] { CheckpointerLoop(); });
  }
  writer_ = std::thread([this] { WriterLoop(); });
  syncer_ = std::thread([this] { SyncerLoop(); });
}

SqliteStore::~SqliteStore() { Close(); }

void SqliteStore::Close() {
  std::lock_guard close_lock(close_mu_);
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  {
    std::lock_guard lock(sync_mu_);  // the writer has handed over its last batch
    sync_stop_ = true;
  }
  sync_cv_.notify_all();
  if (syncer_.joinable()) syncer_.join();
  if (wal_fd_ >= 0) ::close(std::exchange(wal_fd_, -1));
  {
    std::lock_guard lock(checkpoint_mu_);
    checkpoint_stop_ = true;
  }
  checkpoint_cv_.notify_all();
  if (checkpointer_.joinable()) checkpointer_.join();
}

void SqliteStore::Enqueue(engine::WriteJob job, engine::WriteDone done) {
  const auto self = std::this_thread::get_id();
  if (self == writer_.get_id() || self == syncer_.get_id()) {
    // From a job or a done callback: Run() would wait for itself forever.
    if (done)
      done(engine::Error::Internal(
          "内部错误：写任务中不能再提交写任务"));
    return;
  }
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back({std::move(job), std::move(done)});
      cv_.notify_one();
      return;
    }
  }
  if (done) done(Closed());
}

void SqliteStore::OnBatch(std::function<void(std::size_t)> observer) {
  std::lock_guard lock(mu_);
  observers_.push_back(std::move(observer));
}

std::unique_ptr<engine::ReadView> SqliteStore::Read() {
  auto conn = readers_->Acquire();
  if (!conn) return UnavailableReadView(conn.error());
  return std::make_unique<SqliteReadView>(std::move(conn.value()), readers_, secrets_ ? &*secrets_ : nullptr);
}

// ---- the writer ----

void SqliteStore::WriterLoop() {
  std::vector<Pending> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued has run
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    RunBatch(batch);
    batch.clear();
  }
}

namespace {

// Runs one job inside its own savepoint. On failure only this job's writes are undone.
engine::Status RunJob(Connection& conn, SqliteWriteTx& tx, const engine::WriteJob& job) {
  Savepoint savepoint(conn);
  if (auto st = savepoint.Begin(); !st) return st.error();
  (void)tx.TakeError();
  std::optional<engine::Status> result;
  try {
    result.emplace(job(tx));
  } catch (const std::exception& e) {
    result.emplace(engine::Error::Internal(std::string("内部错误：") + e.what()));
  } catch (...) {
    result.emplace(engine::Error::Internal("内部错误：未知异常"));
  }
  // A storage error met on the way wins over the job's own answer: a "not found" or a refusal
  // built on a failed read is not the truth.
  auto recorded = tx.TakeError();
  if (recorded) result.emplace(*recorded);
  if (!result->ok()) {
    savepoint.Rollback();
    return std::move(*result);
  }
  if (auto st = savepoint.Release(); !st) return st.error();
  return std::move(*result);
}

void Deliver(const engine::WriteDone& done, engine::Status result) {
  if (!done) return;
  try {
    done(std::move(result));
  } catch (...) {
    // A callback must not take the writer down; nothing useful to do with the exception here.
  }
}

}  // namespace

void SqliteStore::RunBatch(std::vector<Pending>& batch) {
  Connection& conn = *writer_conn_;
  std::vector<engine::Status> results;
  results.reserve(batch.size());

  Transaction tx(conn);
  auto begun = tx.Begin(Transaction::Mode::kImmediate);
  if (begun) {
    SqliteWriteTx write_tx(conn, secrets_ ? &*secrets_ : nullptr);
    std::optional<engine::Error> lost;  // set when SQLite rolled the whole transaction back
    for (auto& pending : batch) {
      if (lost) {
        results.emplace_back(*lost);
        continue;
      }
      results.push_back(RunJob(conn, write_tx, pending.job));
      if (!conn.InTransaction())
        lost = results.back().ok() ? engine::Error::Internal("内部错误：事务意外中止")
                                   : results.back().error();
    }
    auto committed = lost ? engine::Status(*lost) : tx.Commit();
    if (!committed) {
      tx.Rollback();
      for (auto& r : results)
        if (r.ok()) r = committed.error();
    }
  } else {
    for (std::size_t i = 0; i < batch.size(); ++i) results.emplace_back(begun.error());
  }

  std::vector<std::function<void(std::size_t)>> observers;
  {
    std::lock_guard lock(mu_);
    observers = observers_;
  }
  for (auto& observer : observers) observer(batch.size());
  Committed committed;
  committed.wrote = begun && std::any_of(results.begin(), results.end(),
                                         [](const engine::Status& r) { return r.ok(); });
  committed.results = std::move(results);
  committed.dones.reserve(batch.size());
  for (auto& pending : batch) committed.dones.push_back(std::move(pending.done));
  Acknowledge(std::move(committed));
}

void SqliteStore::Acknowledge(Committed batch) {
  if (options_.sync_behind) {
    {
      std::lock_guard lock(sync_mu_);
      committed_.push_back(std::move(batch));
    }
    sync_cv_.notify_one();
    return;
  }
  for (std::size_t i = 0; i < batch.dones.size(); ++i)
    Deliver(batch.dones[i], std::move(batch.results[i]));
}

// Takes every batch committed since the last fsync, fsyncs the WAL once for all of them, then
// acknowledges them in commit order. A failed fsync fails the batch's successful writes too:
// they are committed but not known to be on disk (an Idempotency-Key retry replays them).
void SqliteStore::SyncerLoop() {
  std::vector<Committed> ready;
  for (;;) {
    {
      std::unique_lock lock(sync_mu_);
      sync_cv_.wait(lock, [this] { return sync_stop_ || !committed_.empty(); });
      if (committed_.empty()) return;  // stopping, and everything handed over is acknowledged
      while (!committed_.empty()) {
        ready.push_back(std::move(committed_.front()));
        committed_.pop_front();
      }
    }
    const bool wrote = std::any_of(ready.begin(), ready.end(), [](const Committed& c) { return c.wrote; });
    const engine::Status synced = wrote ? SyncWal() : engine::OkStatus();
    for (auto& batch : ready) {
      for (std::size_t i = 0; i < batch.dones.size(); ++i) {
        if (!synced.ok() && batch.results[i].ok()) batch.results[i] = synced.error();
        Deliver(batch.dones[i], std::move(batch.results[i]));
      }
    }
    ready.clear();
  }
}

engine::Status SqliteStore::SyncWal() {
  if (wal_fd_ < 0) wal_fd_ = ::open((path_ + "-wal").c_str(), O_RDWR | O_CLOEXEC);
  if (wal_fd_ >= 0 && ::fdatasync(wal_fd_) == 0) return engine::OkStatus();
  const int err = errno;
  if (wal_fd_ >= 0) ::close(std::exchange(wal_fd_, -1));  // reopened on the next batch
  return engine::Error::Unavailable(
      "database_unavailable",
      std::string("数据库无法写入磁盘（WAL 同步失败：") + std::strerror(err) + "），请稍后重试");
}

// WAL pages (in checkpoint_pages) past which the writer checkpoints itself. Large enough that a
// burst of big transactions (a batch of timers touches thousands of pages) does not reach it.
constexpr int kWalBound = 32;

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
      store->checkpoint_due_ = true;
    }
    store->checkpoint_cv_.notify_one();
  }
  return SQLITE_OK;
}

// PASSIVE checkpoints on a connection of its own: never waits for the writer or readers, copies
// what every reader allows, and the next write restarts the WAL once all of it is copied.
void SqliteStore::CheckpointerLoop() {
  std::unique_ptr<Connection> conn;
  for (;;) {
    {
      std::unique_lock lock(checkpoint_mu_);
      checkpoint_cv_.wait(lock, [this] { return checkpoint_stop_ || checkpoint_due_; });
      if (checkpoint_stop_) return;
      checkpoint_due_ = false;
    }
    if (!conn) {
      auto opened = Connection::Open(path_, false, false, options_.busy_timeout_ms);
      if (!opened) continue;  // the writer's bound above still holds the WAL in check
      conn = std::move(opened.value());
    }
    sqlite3_wal_checkpoint_v2(conn->get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }
}

// ---- outbox ----

// Runs a read on a pooled connection; a connection that cannot be had is an error, not an
// empty answer.
template <class F>
auto SqliteStore::WithReader(F f) -> decltype(f(std::declval<Connection&>())) {
  auto conn = readers_->Acquire();
  if (!conn) return conn.error();
  auto result = f(**conn);
  readers_->Release(std::move(conn.value()));
  return result;
}

constexpr int kReadyPerChannel = 200;

engine::Result<std::vector<engine::OutboxMessage>> SqliteStore::Ready(
    engine::Instant wall_now, int limit, const std::vector<std::string>& skip,
    const std::string& after_channel) {
  return WithReader([&](Connection& conn) -> engine::Result<std::vector<engine::OutboxMessage>> {
    // At most kReadyPerChannel rows of one channel, so a backlog on one robot never hides the
    // messages of the others from the delivery worker. The channels with pending rows are found
    // by skipping through the partial index outbox_pending_channel (one seek each), starting
    // after `after_channel` and wrapping around, and each channel's oldest rows are read from
    // it until `limit` is reached: the cost follows what is returned, not the backlog nor the
    // number of channels. The index is named because the planner takes outbox_ready on a table
    // without statistics.
    std::vector<engine::OutboxMessage> rows;
    auto next_channel = conn.Prepare(
        "SELECT channel_id FROM outbox INDEXED BY outbox_pending_channel"
        " WHERE status = 'pending' AND channel_id > ?1 ORDER BY channel_id LIMIT 1");
    auto oldest = conn.Prepare(
        "SELECT " DIXIAN_OUTBOX_COLUMNS " FROM outbox INDEXED BY outbox_pending_channel"
        " WHERE status = 'pending' AND channel_id = ?1 AND next_attempt_at <= ?2"
        " ORDER BY id LIMIT ?3");
    const auto wanted = static_cast<std::size_t>(std::max(limit, 0));
    std::string channel = after_channel;
    bool wrapped = after_channel.empty();
    while (rows.size() < wanted) {
      next_channel.Bind(1, channel);
      const bool found = next_channel.Step();
      if (next_channel.error()) return *next_channel.error();
      std::string next = found ? next_channel.Text(0) : "";
      next_channel.Reset();
      if (!found || (wrapped && !after_channel.empty() && next > after_channel)) {
        if (wrapped) break;  // every channel seen once
        wrapped = true;
        channel.clear();
        continue;
      }
      channel = std::move(next);
      if (std::find(skip.begin(), skip.end(), channel) != skip.end()) continue;
      oldest.Bind(1, channel).Bind(2, wall_now).Bind(3, kReadyPerChannel);
      while (oldest.Step()) rows.push_back(OutboxFromRow(oldest));
      if (oldest.error()) return *oldest.error();
      oldest.Reset();
    }
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return rows;
  });
}

std::vector<engine::OutboxMessage> SqliteStore::Dead(int limit) {
  auto rows = WithReader([&](Connection& conn) -> engine::Result<std::vector<engine::OutboxMessage>> {
    auto st = conn.Prepare("SELECT " DIXIAN_OUTBOX_COLUMNS " FROM outbox"
                           " WHERE status = 'dead' ORDER BY id LIMIT ?1");
    st.Bind(1, limit);
    std::vector<engine::OutboxMessage> rows;
    while (st.Step()) rows.push_back(OutboxFromRow(st));
    if (st.error()) return *st.error();
    return rows;
  });
  return rows.ok() ? std::move(rows).value() : std::vector<engine::OutboxMessage>{};
}

engine::Result<std::optional<engine::Channel>> SqliteStore::FindChannel(const std::string& channel_id) {
  auto view = Read();
  auto found = view->FindChannel(channel_id);
  return engine::Checked(*view, engine::Result<std::optional<engine::Channel>>(std::move(found)));
}

std::int64_t SqliteStore::PendingCount() {
  auto count = WithReader([](Connection& conn) -> engine::Result<std::int64_t> {
    auto st = conn.Prepare("SELECT COUNT(*) FROM outbox WHERE status = 'pending'");
    if (st.Step()) return st.Int64(0);
    return st.error() ? *st.error() : engine::Error::Internal("COUNT returned no row");
  });
  return count.ok() ? count.value() : -1;
}

engine::Status SqliteStore::RecordOutcomes(const engine::DeliveryOutcomes& outcomes,
                                           engine::Instant wall_now) {
  return Run([&](engine::WriteTx& tx) -> engine::Status {
    static_cast<SqliteWriteTx&>(tx).RecordOutcomes(outcomes, wall_now);
    return engine::OkStatus();
  });
}

engine::Result<engine::PacingWindow> SqliteStore::RecentPacing(std::int64_t since_ms) {
  return WithReader([&](Connection& conn) -> engine::Result<engine::PacingWindow> {
    engine::PacingWindow window;
    auto sends = conn.Prepare(
        "SELECT key, at_ms FROM chat_sends WHERE at_ms >= ?1 ORDER BY at_ms");
    sends.Bind(1, since_ms);
    while (sends.Step()) window.sends.push_back({sends.Text(0), sends.Int64(1)});
    if (sends.error()) return *sends.error();
    auto pauses = conn.Prepare("SELECT key, until_ms FROM chat_pauses WHERE until_ms > ?1");
    pauses.Bind(1, since_ms);
    while (pauses.Step()) window.pauses.push_back({pauses.Text(0), pauses.Int64(1)});
    if (pauses.error()) return *pauses.error();
    return window;
  });
}

int SqliteStore::Redrive(const std::vector<std::int64_t>& ids, engine::Instant wall_now) {
  auto result = Run([&](engine::WriteTx& tx) -> engine::Result<int> {
    auto& sql_tx = static_cast<SqliteWriteTx&>(tx);
    int count = 0;
    if (ids.empty()) count = sql_tx.Redrive(0, wall_now);
    for (auto id : ids) count += sql_tx.Redrive(id, wall_now);
    return count;
  });
  return result.ok() ? result.value() : 0;
}

// ---- maintenance ----

engine::Status SqliteStore::Backup(const std::string& dest_path) {
  auto source = readers_->Acquire();
  if (!source) return source.error();
  std::string tmp = dest_path + ".tmp";
  std::error_code ec;
  std::filesystem::remove(tmp, ec);
  auto dest = Connection::Open(tmp, false, true, options_.busy_timeout_ms);
  if (!dest) return dest.error();
  sqlite3_backup* backup = sqlite3_backup_init((*dest)->get(), "main", (*source)->get(), "main");
  if (backup == nullptr) return (*dest)->LastError(SQLITE_ERROR);
  int rc = sqlite3_backup_step(backup, -1);  // one step: one consistent snapshot of the source
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    auto error = (*dest)->LastError(rc);
    dest.value().reset();
    std::filesystem::remove(tmp, ec);
    return error;
  }
  readers_->Release(std::move(source.value()));
  dest.value().reset();  // close before renaming
  std::filesystem::rename(tmp, dest_path, ec);
  if (ec)
    return engine::Error::Unavailable("backup_failed", "备份文件 " + dest_path + " 无法写入（" +
                                                           ec.message() + "）");
  return engine::OkStatus();
}

engine::Status SqliteStore::Checkpoint(bool truncate) {
  auto conn = Connection::Open(path_, options_.read_only, false, options_.busy_timeout_ms);
  if (!conn) return conn.error();
  int rc = sqlite3_wal_checkpoint_v2((*conn)->get(), nullptr,
                                     truncate ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE,
                                     nullptr, nullptr);
  if (rc != SQLITE_OK) return (*conn)->LastError(rc);
  return engine::OkStatus();
}

engine::Status SqliteStore::MarkAuditLegacy() {
  if (!options_.keys) return engine::Error::Unavailable("no_key", "需要密钥");
  auto r = Run([this](engine::WriteTx&) -> engine::Result<nlohmann::json> {
    if (auto st = WriteAuditSwitchOver(*writer_conn_, options_.keys); !st.ok()) return st.error();
    return nlohmann::json();
  });
  if (!r.ok()) return r.error();
  return engine::OkStatus();
}

engine::Result<int> SqliteStore::ReencryptSecrets(bool seal_plaintext) {
  if (!secrets_) return engine::Error::Unavailable("no_key", "需要密钥");
  auto r = Run([this, seal_plaintext](engine::WriteTx&) -> engine::Result<nlohmann::json> {
    auto n = ResealChannels(*writer_conn_, *secrets_, seal_plaintext);
    if (!n.ok()) return n.error();
    if (auto st = CheckKeyCanary(*writer_conn_, *secrets_, /*rewrite=*/true); !st.ok()) return st.error();
    return nlohmann::json(n.value());
  });
  if (!r.ok()) return r.error();
  return r.value().get<int>();
}

engine::Status SqliteStore::IntegrityCheck(const std::string& path) {
  auto conn = Connection::Open(path, /*read_only=*/true, /*create=*/false, 5000);
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
  auto conn = Connection::Open(path, /*read_only=*/true, /*create=*/false, 5000);
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
