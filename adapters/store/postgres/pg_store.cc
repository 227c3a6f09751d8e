#include "adapters/store/postgres/pg_store.h"

#include <unistd.h>

#include <random>

#include "adapters/store/postgres/pg_migrations.h"
#include "adapters/store/sql/audit_switch.h"
#include "adapters/store/sql/secrets_at_rest.h"
#include "adapters/store/sql/write_tx.h"

namespace dixian::store {
namespace {

// A connection lost while serving: what a client reads (the host and libpq's words are for the
// operator's terminal at start, not for API answers).
engine::Error Reconnecting() {
  return engine::Error::Unavailable("database_unavailable",
                                    "数据库暂时无法访问，操作未执行，请稍后重试");
}

engine::Result<std::unique_ptr<PgConnection>> Reconnect(const std::string& uri,
                                                        const PgSessionSettings& session) {
  auto conn = PgConnection::Open(uri, session);
  if (!conn && conn.error().code == engine::ErrorCode::kUnavailable) return Reconnecting();
  return conn;
}

std::string ProcessName() {
  char host[256] = {};
  (void)::gethostname(host, sizeof host - 1);
  std::random_device random;
  return std::string(host) + ":" + std::to_string(::getpid()) + ":" + std::to_string(random());
}

}  // namespace

engine::Result<std::unique_ptr<PgStore>> PgStore::Open(const std::string& uri, Options options) {
  auto conn = PgConnection::Open(uri, options.session);
  if (!conn) return conn.error();
  auto keyed_steps = [&options](Connection& c, int from) -> engine::Status {
    return KeyedMigrationSteps(c, from, options.keys);
  };
  if (auto st = MigratePg(**conn, keyed_steps); !st) return st.error();
  if (options.keys)
    if (auto st = CheckKeyCanary(**conn, engine::SecretBox(options.keys), false); !st.ok()) return st.error();
  return std::unique_ptr<PgStore>(new PgStore(uri, options, std::move(conn.value())));
}

PgStore::PgStore(std::string uri, Options options, std::unique_ptr<PgConnection> writer)
    : SqlDatabase(
          options.max_batch,
          [uri, session = options.session]() -> engine::Result<std::unique_ptr<Connection>> {
            auto conn = Reconnect(uri, session);
            if (!conn) return conn.error();
            return std::unique_ptr<Connection>(std::move(conn.value()));
          },
          options.max_idle_readers, options.keys),
      uri_(std::move(uri)),
      options_(options),
      owner_(ProcessName()),
      writer_conn_(std::move(writer)) {
  StartWriter();
}

PgStore::~PgStore() { Close(); }

std::vector<engine::Status> PgStore::RunBatch(std::vector<GroupCommit::Pending>& batch) {
  if (writer_conn_ == nullptr || writer_conn_->Broken()) {
    writer_conn_.reset();
    readers().Clear();  // they lost the server too
    auto conn = Reconnect(uri_, options_.session);
    if (!conn) return std::vector<engine::Status>(batch.size(), engine::Status(conn.error()));
    writer_conn_ = std::move(conn.value());
  }
  SqlWriteTx write_tx(*writer_conn_, secrets());
  auto results = RunInOneTransaction(*writer_conn_, write_tx, batch, [](Transaction& tx) {
    // One round trip: BEGIN and the write lock (kPgLockSpace, kPgWriteLock).
    return tx.BeginWith("BEGIN; SELECT pg_advisory_xact_lock(7133, 1)");
  });
  if (writer_conn_->Broken()) writer_conn_.reset();  // replaced before the next batch
  return results;
}

}  // namespace dixian::store

namespace dixian::store {

// Takes or renews the channel's lease, unless another process holds an unexpired one. Lease times
// are the database server's clock, so the processes' clocks need not agree. A lease taken from
// another process (its holder died or stalled) is noted: that process's sends of the channel's
// rate window are not in this one's memory (TakenOver).
engine::Result<bool> PgStore::HoldsChannel(Connection& conn, const std::string& channel) {
  auto st = conn.Prepare(
      "WITH before AS (SELECT owner FROM outbox_leases WHERE channel_id = ?1)"
      " INSERT INTO outbox_leases(channel_id, owner, until_ms) VALUES(?1, ?2,"
      " CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) + ?3)"
      " ON CONFLICT(channel_id) DO UPDATE SET owner = excluded.owner, until_ms = excluded.until_ms"
      " WHERE outbox_leases.owner = excluded.owner"
      "    OR outbox_leases.until_ms < CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)"
      " RETURNING COALESCE((SELECT owner FROM before), '')");
  st.Bind(1, channel).Bind(2, owner_).Bind(3, options_.channel_lease_ms);
  const bool held = st.Step();
  if (st.error()) return *st.error();
  if (held && st.Text(0) != owner_) NoteTakenOver(channel);
  st.Reset();
  return held;
}

}  // namespace dixian::store
