#include "adapters/store/sql/sql_database.h"

#include <algorithm>

#include "adapters/store/sql/audit_switch.h"
#include "adapters/store/sql/rows.h"
#include "adapters/store/sql/secrets_at_rest.h"
#include "adapters/store/sql/unavailable_view.h"
#include "adapters/store/sql/write_tx.h"

namespace dixian::store {

SqlDatabase::SqlDatabase(std::size_t max_batch, ReadPool::Opener open_reader,
                         std::size_t max_idle_readers, std::shared_ptr<const engine::KeyRing> keys,
                         GroupCommit::Sync sync)
    : keys_(std::move(keys)),
      secrets_(keys_ ? std::optional<engine::SecretBox>(std::in_place, keys_) : std::nullopt),
      readers_(std::make_shared<ReadPool>(std::move(open_reader), max_idle_readers)),
      writer_(max_batch, [this](auto& batch) { return RunBatch(batch); }, std::move(sync)) {}

SqlDatabase::~SqlDatabase() { Close(); }

void SqlDatabase::Close() { writer_.Close(); }

void SqlDatabase::Enqueue(engine::WriteJob job, engine::WriteDone done) {
  writer_.Enqueue(std::move(job), std::move(done));
}

void SqlDatabase::EnqueueRerunnable(engine::WriteJob job, engine::WriteDone done) {
  writer_.Enqueue(std::move(job), std::move(done), /*rerunnable=*/true);
}

void SqlDatabase::OnBatch(std::function<void(std::size_t)> observer) {
  writer_.OnBatch(std::move(observer));
}

std::unique_ptr<engine::ReadView> SqlDatabase::Read() {
  auto conn = readers_->Acquire();
  if (!conn) return UnavailableReadView(conn.error());
  return std::make_unique<SqlReadView>(std::move(conn.value()), readers_, secrets());
}

// ---- outbox ----

constexpr int kReadyPerChannel = 200;

engine::Result<std::vector<engine::OutboxMessage>> SqlDatabase::Ready(
    engine::Instant wall_now, int limit, const std::vector<std::string>& skip,
    const std::string& after_channel) {
  return WithReader([&](Connection& conn) -> engine::Result<std::vector<engine::OutboxMessage>> {
    // At most kReadyPerChannel rows of one channel, so a backlog on one robot never hides the
    // messages of the others from the delivery worker. The channels with pending rows are found
    // by skipping through the partial index outbox_pending_channel (one seek each), starting
    // after `after_channel` and wrapping around, and each channel's oldest rows are read from
    // it until `limit` is reached: the cost follows what is returned, not the backlog nor the
    // number of channels. SQLite is told the index: its planner takes outbox_ready on a table
    // without statistics.
    std::vector<engine::OutboxMessage> rows;
    auto next_channel = conn.Prepare(conn.Sql(
        "SELECT channel_id FROM outbox INDEXED BY outbox_pending_channel"
        " WHERE status = 'pending' AND channel_id > ?1 ORDER BY channel_id LIMIT 1",
        "SELECT channel_id FROM outbox"
        " WHERE status = 'pending' AND channel_id > ?1 ORDER BY channel_id LIMIT 1"));
    auto oldest = conn.Prepare(conn.Sql(
        "SELECT " DIXIAN_OUTBOX_COLUMNS " FROM outbox INDEXED BY outbox_pending_channel"
        " WHERE status = 'pending' AND channel_id = ?1 AND next_attempt_at <= ?2"
        " ORDER BY id LIMIT ?3",
        "SELECT " DIXIAN_OUTBOX_COLUMNS " FROM outbox"
        " WHERE status = 'pending' AND channel_id = ?1 AND next_attempt_at <= ?2"
        " ORDER BY id LIMIT ?3"));
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
      if (std::find(skip.begin(), skip.end(), channel) != skip.end()) {
        // Busy sending here: keep the lease while the sends take their time (a slow platform).
        if (auto renewed = HoldsChannel(conn, channel); !renewed) return renewed.error();
        continue;
      }
      auto held = HoldsChannel(conn, channel);
      if (!held) return held.error();
      if (!*held) continue;  // another process sends for it
      oldest.Bind(1, channel).Bind(2, wall_now).Bind(3, kReadyPerChannel);
      while (oldest.Step()) rows.push_back(OutboxFromRow(oldest));
      if (oldest.error()) return *oldest.error();
      oldest.Reset();
    }
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return rows;
  });
}

engine::Result<bool> SqlDatabase::HoldsChannel(Connection&, const std::string&) { return true; }

void SqlDatabase::NoteTakenOver(const std::string& channel) {
  std::lock_guard lock(taken_over_mu_);
  if (std::find(taken_over_.begin(), taken_over_.end(), channel) == taken_over_.end())
    taken_over_.push_back(channel);
}

std::vector<std::string> SqlDatabase::TakenOver() {
  std::lock_guard lock(taken_over_mu_);
  return std::exchange(taken_over_, {});
}

std::vector<engine::OutboxMessage> SqlDatabase::Dead(int limit) {
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

engine::Result<std::optional<engine::Channel>> SqlDatabase::FindChannel(
    const std::string& channel_id) {
  auto view = Read();
  auto found = view->FindChannel(channel_id);
  return engine::Checked(*view, engine::Result<std::optional<engine::Channel>>(std::move(found)));
}

std::int64_t SqlDatabase::PendingCount() {
  auto count = WithReader([](Connection& conn) -> engine::Result<std::int64_t> {
    auto st = conn.Prepare("SELECT COUNT(*) FROM outbox WHERE status = 'pending'");
    if (st.Step()) return st.Int64(0);
    return st.error() ? *st.error() : engine::Error::Internal("COUNT returned no row");
  });
  return count.ok() ? count.value() : -1;
}

engine::Status SqlDatabase::RecordOutcomes(const engine::DeliveryOutcomes& outcomes,
                                           engine::Instant wall_now) {
  return Run([&](engine::WriteTx& tx) -> engine::Status {
    static_cast<SqlWriteTx&>(tx).RecordOutcomes(outcomes, wall_now);
    return engine::OkStatus();
  });
}

engine::Result<engine::PacingWindow> SqlDatabase::RecentPacing(std::int64_t since_ms,
                                                               const std::string& channel) {
  return WithReader([&](Connection& conn) -> engine::Result<engine::PacingWindow> {
    // One channel's keys: the channel itself and `channel/person` ('0' follows '/').
#define DIXIAN_OF_CHANNEL " AND (?2 = '' OR key = ?2 OR (key >= ?2 || '/' AND key < ?2 || '0'))"
    engine::PacingWindow window;
    auto sends = conn.Prepare("SELECT key, at_ms FROM chat_sends WHERE at_ms >= ?1" DIXIAN_OF_CHANNEL
                              " ORDER BY at_ms");
    sends.Bind(1, since_ms).Bind(2, channel);
    while (sends.Step()) window.sends.push_back({sends.Text(0), sends.Int64(1)});
    if (sends.error()) return *sends.error();
    auto pauses =
        conn.Prepare("SELECT key, until_ms FROM chat_pauses WHERE until_ms > ?1" DIXIAN_OF_CHANNEL);
#undef DIXIAN_OF_CHANNEL
    pauses.Bind(1, since_ms).Bind(2, channel);
    while (pauses.Step()) window.pauses.push_back({pauses.Text(0), pauses.Int64(1)});
    if (pauses.error()) return *pauses.error();
    return window;
  });
}

int SqlDatabase::Redrive(const std::vector<std::int64_t>& ids, engine::Instant wall_now) {
  auto result = Run([&](engine::WriteTx& tx) -> engine::Result<int> {
    auto& sql_tx = static_cast<SqlWriteTx&>(tx);
    int count = 0;
    if (ids.empty()) count = sql_tx.Redrive(0, wall_now);
    for (auto id : ids) count += sql_tx.Redrive(id, wall_now);
    return count;
  });
  return result.ok() ? result.value() : 0;
}

engine::Status SqlDatabase::MarkAuditLegacy() {
  if (!keys_) return engine::Error::Unavailable("no_key", "需要密钥");
  auto r = Run([this](engine::WriteTx& tx) -> engine::Status {
    return WriteAuditSwitchOver(static_cast<SqlWriteTx&>(tx).connection(), keys_);
  });
  return r;
}

engine::Result<int> SqlDatabase::ReencryptSecrets(bool seal_plaintext) {
  if (!secrets_) return engine::Error::Unavailable("no_key", "需要密钥");
  return Run([this, seal_plaintext](engine::WriteTx& tx) -> engine::Result<int> {
    Connection& conn = static_cast<SqlWriteTx&>(tx).connection();
    auto n = ResealChannels(conn, *secrets_, seal_plaintext);
    if (!n.ok()) return n.error();
    if (auto st = CheckKeyCanary(conn, *secrets_, /*rewrite=*/true); !st.ok()) return st.error();
    return n.value();
  });
}

}  // namespace dixian::store
