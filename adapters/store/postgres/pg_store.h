#pragma once
// The PostgreSQL implementation of engine::Store and engine::OutboxStore (sql/sql_database.h).
//
// One writer thread per process commits in groups, each batch in one transaction that first takes
// the database-wide write lock (an advisory lock): writes of several `dixian serve` processes on
// one database are serialised, so the audit chain stays one chain and row ids are MAX + 1 as on
// SQLite. Reads use a pool of connections, each view inside one REPEATABLE READ READ ONLY
// transaction. A connection that breaks (the server restarted) is replaced on next use: in the
// meantime reads and writes answer kUnavailable (503) and nothing is half-written.
#include <cstddef>
#include <memory>
#include <string>

#include "adapters/store/postgres/pg_db.h"
#include "adapters/store/sql/sql_database.h"

namespace dixian::store {

struct PgOptions {
  std::size_t max_batch = 512;  // jobs per group commit
  std::size_t max_idle_readers = 8;
  PgSessionSettings session;
  // How long a process keeps a channel after it last read its pending rows: the delivery side
  // of several processes sends each channel from one process at a time (each message once, one
  // rate window per robot); a process that dies hands its channels over after this long.
  std::int64_t channel_lease_ms = 15000;
  // The master keys (see SqliteOptions::keys): the same sealed bytes and audit MACs on both.
  std::shared_ptr<const engine::KeyRing> keys;
};

class PgStore final : public SqlDatabase {
 public:
  using Options = PgOptions;

  // Connects, checks the encoding, applies pending migrations and starts the writer thread.
  // Errors: kUnavailable "database_unavailable" naming host, port, database and libpq's reason;
  // "database_encoding" for a database that is not UTF8; "schema_too_new".
  static engine::Result<std::unique_ptr<PgStore>> Open(const std::string& uri, Options options = {});
  ~PgStore() override;  // Close()

  const std::string& uri() const { return uri_; }

 private:
  PgStore(std::string uri, Options options, std::unique_ptr<PgConnection> writer);
  std::vector<engine::Status> RunBatch(std::vector<GroupCommit::Pending>& batch) override;
  engine::Result<bool> HoldsChannel(Connection& conn, const std::string& channel) override;

  const std::string uri_;
  const Options options_;
  const std::string owner_;  // this process, in outbox_leases: host:pid:random
  std::unique_ptr<PgConnection> writer_conn_;  // owned by the writer thread once started
};

// The advisory lock every write transaction holds (pg_advisory_xact_lock(kPgLockSpace, kPgWriteLock)).
constexpr int kPgLockSpace = 7133;
constexpr int kPgWriteLock = 1;

}  // namespace dixian::store
