#include "adapters/store/sqlite/sqlite_store.h"

#include <algorithm>
#include <filesystem>

#include "adapters/store/sqlite/migrations.h"
#include "adapters/store/sqlite/read_view.h"
#include "adapters/store/sql/rows.h"
#include "adapters/store/sql/write_tx.h"

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
  if (auto st = conn.Exec("PRAGMA synchronous = FULL"); !st) return st;
  if (auto st = conn.Exec("PRAGMA temp_store = MEMORY"); !st) return st;
  if (auto st = conn.Exec("PRAGMA cache_size = -32000"); !st) return st;
  if (options.max_pages > 0) {
    if (auto st = conn.Exec("PRAGMA max_page_count = " + std::to_string(options.max_pages)); !st)
      return st;
  }
  return engine::OkStatus();
}

}  // namespace

engine::Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                               Options options) {
  auto conn = SqliteConnection::Open(path, options.read_only, /*create=*/!options.read_only,
                               options.busy_timeout_ms);
  if (!conn) return conn.error();
  if (auto st = SetWriterPragmas(**conn, options); !st) return st.error();
  if (auto st = Migrate(**conn); !st) return st.error();
  return std::unique_ptr<SqliteStore>(new SqliteStore(path, options, std::move(conn.value())));
}

SqliteStore::SqliteStore(std::string path, Options options,
                         std::unique_ptr<SqliteConnection> writer)
    : path_(std::move(path)),
      options_(options),
      writer_conn_(std::move(writer)),
      readers_(std::make_shared<ReadPool>(path_, options_.busy_timeout_ms,
                                          options_.max_idle_readers)),
      writer_(options_.max_batch, [this](auto& batch) { return RunBatch(batch); }) {
  writer_.Start();
}

SqliteStore::~SqliteStore() { Close(); }

void SqliteStore::Close() { writer_.Close(); }

void SqliteStore::Enqueue(engine::WriteJob job, engine::WriteDone done) {
  writer_.Enqueue(std::move(job), std::move(done));
}

void SqliteStore::OnBatch(std::function<void(std::size_t)> observer) {
  writer_.OnBatch(std::move(observer));
}

std::unique_ptr<engine::ReadView> SqliteStore::Read() {
  auto conn = readers_->Acquire();
  if (!conn) return UnavailableReadView(conn.error());
  return std::make_unique<SqliteReadView>(std::move(conn.value()), readers_);
}

std::vector<engine::Status> SqliteStore::RunBatch(std::vector<GroupCommit::Pending>& batch) {
  SqlWriteTx write_tx(*writer_conn_);
  return RunInOneTransaction(*writer_conn_, write_tx, batch, [](Transaction& tx) {
    return tx.Begin(Transaction::Mode::kImmediate);
  });
}

// ---- outbox ----

// Runs a read on a pooled connection; a connection that cannot be had is an error, not an
// empty answer.
template <class F>
auto SqliteStore::WithReader(F f) -> decltype(f(std::declval<SqliteConnection&>())) {
  auto conn = readers_->Acquire();
  if (!conn) return conn.error();
  auto result = f(**conn);
  readers_->Release(std::move(conn.value()));
  return result;
}

constexpr int kReadyPerChannel = 200;

engine::Result<std::vector<engine::OutboxMessage>> SqliteStore::Ready(
    engine::Instant wall_now, int limit, const std::vector<std::string>& skip) {
  return WithReader([&](SqliteConnection& conn) -> engine::Result<std::vector<engine::OutboxMessage>> {
    // At most kReadyPerChannel rows of one channel, so a backlog on one robot never hides the
    // messages of the others from the delivery worker. The channels with pending rows are found
    // by skipping through the partial index outbox_pending_channel (one seek each), and each
    // channel's oldest rows are read from it: the cost follows what is returned, not the backlog.
    // The index is named because the planner takes outbox_ready on a table without statistics.
    std::vector<engine::OutboxMessage> rows;
    auto next_channel = conn.Prepare(
        "SELECT channel_id FROM outbox INDEXED BY outbox_pending_channel"
        " WHERE status = 'pending' AND channel_id > ?1 ORDER BY channel_id LIMIT 1");
    auto oldest = conn.Prepare(
        "SELECT " DIXIAN_OUTBOX_COLUMNS " FROM outbox INDEXED BY outbox_pending_channel"
        " WHERE status = 'pending' AND channel_id = ?1 AND next_attempt_at <= ?2"
        " ORDER BY id LIMIT ?3");
    std::string channel;
    for (;;) {
      next_channel.Bind(1, channel);
      if (!next_channel.Step()) break;
      channel = next_channel.Text(0);
      next_channel.Reset();
      if (std::find(skip.begin(), skip.end(), channel) != skip.end()) continue;
      oldest.Bind(1, channel).Bind(2, wall_now).Bind(3, kReadyPerChannel);
      while (oldest.Step()) rows.push_back(OutboxFromRow(oldest));
      if (oldest.error()) return *oldest.error();
      oldest.Reset();
    }
    if (next_channel.error()) return *next_channel.error();
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    const auto wanted = static_cast<std::size_t>(std::max(limit, 0));
    if (rows.size() > wanted) rows.resize(wanted);
    return rows;
  });
}

std::vector<engine::OutboxMessage> SqliteStore::Dead(int limit) {
  auto rows = WithReader([&](SqliteConnection& conn) -> engine::Result<std::vector<engine::OutboxMessage>> {
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

engine::Result<std::optional<engine::Channel>> SqliteStore::FindChannel(
    const std::string& channel_id) {
  return WithReader([&](SqliteConnection& conn) -> engine::Result<std::optional<engine::Channel>> {
    auto st = conn.Prepare("SELECT " DIXIAN_CHANNEL_COLUMNS " FROM channels WHERE id = ?1");
    st.Bind(1, channel_id);
    if (st.Step()) return std::optional<engine::Channel>(ChannelFromRow(st));
    if (st.error()) return *st.error();
    return std::optional<engine::Channel>();
  });
}

std::int64_t SqliteStore::PendingCount() {
  auto count = WithReader([](SqliteConnection& conn) -> engine::Result<std::int64_t> {
    auto st = conn.Prepare("SELECT COUNT(*) FROM outbox WHERE status = 'pending'");
    if (st.Step()) return st.Int64(0);
    return st.error() ? *st.error() : engine::Error::Internal("COUNT returned no row");
  });
  return count.ok() ? count.value() : -1;
}

engine::Status SqliteStore::RecordOutcomes(const engine::DeliveryOutcomes& outcomes,
                                           engine::Instant wall_now) {
  return Run([&](engine::WriteTx& tx) -> engine::Status {
    static_cast<SqlWriteTx&>(tx).RecordOutcomes(outcomes, wall_now);
    return engine::OkStatus();
  });
}

engine::Result<engine::PacingWindow> SqliteStore::RecentPacing(std::int64_t since_ms) {
  return WithReader([&](SqliteConnection& conn) -> engine::Result<engine::PacingWindow> {
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
    auto& sql_tx = static_cast<SqlWriteTx&>(tx);
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
  auto dest = SqliteConnection::Open(tmp, false, true, options_.busy_timeout_ms);
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

}  // namespace dixian::store
