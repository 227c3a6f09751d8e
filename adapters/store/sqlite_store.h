#pragma once
// The SQLite implementation of engine::Store and engine::OutboxStore.
//
// One writer thread owns the write connection and commits in groups: it takes everything queued
// (up to max_batch jobs), runs each job inside its own SAVEPOINT within one BEGIN IMMEDIATE
// transaction, COMMITs once, and only then calls each job's `done`. A failing (or throwing) job
// rolls back its own savepoint only. If the COMMIT fails, no job of the batch is acknowledged as
// successful: each gets the mapped error. Reads use a small pool of read-only connections, each
// view inside one read transaction (a consistent WAL snapshot).
//
// Durability (sync_behind, the default): the COMMIT itself does not wait for the disk
// (synchronous=NORMAL); a syncer thread fdatasyncs the WAL file and only then calls the batch's
// `done`s, while the writer already runs the next batch. No write is acknowledged before its WAL
// frames are on disk, as with synchronous=FULL, but the fsync no longer stops the writer. The
// difference: for the few milliseconds between COMMIT and fsync, other readers can see a write
// that a power loss (not a process crash: the OS still holds it) could take back.
//
// WAL checkpoints (copying the WAL back into the database file, with an fsync of that file) run
// on their own thread once the WAL holds checkpoint_pages, not inside the writer's COMMIT as
// SQLite's auto-checkpoint would; only a WAL past 32x that size makes the writer checkpoint
// itself (a bound when the checkpointer cannot keep up).
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/store/sqlite_db.h"
#include "engine/core/keys.h"
#include "engine/core/secret_box.h"
#include "engine/outbox/outbox.h"
#include "engine/store/store.h"

namespace dixian::store {

struct SqliteOptions {
  int busy_timeout_ms = 5000;
  std::size_t max_batch = 512;  // jobs per group commit
  std::size_t max_idle_readers = 8;
  // Open the file read-only: reads work, every write job fails with kUnavailable.
  bool read_only = false;
  // Cap on the database size in pages (0 = no cap). Reaching it behaves like a full disk
  // (SQLITE_FULL -> kUnavailable); used by tests and for operators who want a hard limit.
  std::int64_t max_pages = 0;
  // Acknowledge after a WAL fdatasync on the syncer thread (see above); false: synchronous=FULL,
  // each COMMIT fsyncs on the writer thread before the next batch starts.
  bool sync_behind = true;
  // WAL pages that wake the checkpointer thread (SQLite's auto-checkpoint default is 1000).
  int checkpoint_pages = 1000;
  // The master keys (outside the database): sign the audit switch-over point when the file is
  // created or migrated to schema 3. Without them the point stays unsigned and audit
  // verification says so (store-only tests).
  std::shared_ptr<const engine::KeyRing> keys;
};

class ReadPool;

class SqliteStore final : public engine::Store, public engine::OutboxStore {
 public:
  using Options = SqliteOptions;

  // Creates the parent directories and the file if absent, sets WAL, synchronous (above),
  // foreign_keys, busy_timeout, applies pending migrations, and starts the writer thread.
  // Errors: kUnavailable "schema_too_new" for a file from a newer build; kUnavailable
  // "database_unavailable" when the file cannot be opened or created; kInternal if corrupt.
  static engine::Result<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                           Options options = {});
  ~SqliteStore() override;  // Close()

  // engine::Store. Submit (and so Run) from the writer or syncer thread itself - inside a job or
  // a done callback - fails at once with kInternal instead of deadlocking.
  void Enqueue(engine::WriteJob job, engine::WriteDone done) override;
  std::unique_ptr<engine::ReadView> Read() override;
  void OnBatch(std::function<void(std::size_t)> observer) override;

  // Finishes every queued job (the current batch and what is still queued), then stops the
  // writer. Later Submit calls fail at once with kUnavailable "store_closed". Idempotent.
  void Close();

  // engine::OutboxStore. Reads use the read pool; marks go through the writer (group commit).
  engine::Result<std::vector<engine::OutboxMessage>> Ready(
      engine::Instant wall_now, int limit, const std::vector<std::string>& skip = {},
      const std::string& after_channel = "") override;
  engine::Result<std::optional<engine::Channel>> FindChannel(
      const std::string& channel_id) override;
  engine::Status RecordOutcomes(const engine::DeliveryOutcomes& outcomes,
                                engine::Instant wall_now) override;
  engine::Result<engine::PacingWindow> RecentPacing(std::int64_t since_ms) override;
  std::vector<engine::OutboxMessage> Dead(int limit) override;
  int Redrive(const std::vector<std::int64_t>& ids, engine::Instant wall_now) override;
  std::int64_t PendingCount() override;

  // A consistent copy of the database at `dest_path` (online backup API; safe while the server
  // writes). Written to dest_path + ".tmp" and renamed into place.
  engine::Status Backup(const std::string& dest_path);
  // Moves WAL content into the database file. truncate=true also empties the WAL file (waits up
  // to busy_timeout for readers; may return kUnavailable "database_busy").
  engine::Status Checkpoint(bool truncate = false);
  // Records the audit switch-over point at the current end of the chain, for a database whose
  // migration had no key (a development build): every event so far counts as an older, plain
  // one. Refuses when a point exists. `dixian audit mark-legacy`.
  engine::Status MarkAuditLegacy();
  // Re-seals every channel secret under the current key (after a rotation) and renews the key
  // check. A value found unsealed is an error unless `seal_plaintext` (then it is sealed as it
  // is: check it first). Returns the channels rewritten. `dixian keys reencrypt`.
  engine::Result<int> ReencryptSecrets(bool seal_plaintext = false);
  // PRAGMA integrity_check on a file: ok, or kInternal naming the first problems.
  static engine::Status IntegrityCheck(const std::string& path);
  // The SHA-256 of every attachment a database file's rows name (none before schema 10): what a
  // backup copies and a restore verifies.
  static engine::Result<std::vector<std::string>> EvidenceDigests(const std::string& path);

  const std::string& path() const { return path_; }

 private:
  struct Pending {
    engine::WriteJob job;
    engine::WriteDone done;
  };

  // A committed (or failed) batch waiting for the WAL fsync before its dones are called.
  struct Committed {
    std::vector<engine::WriteDone> dones;
    std::vector<engine::Status> results;
    bool wrote = false;  // a COMMIT happened: fsync before acknowledging
  };
  SqliteStore(std::string path, Options options, std::unique_ptr<Connection> writer);
  void WriterLoop();
  void RunBatch(std::vector<Pending>& batch);
  void Acknowledge(Committed batch);  // sync_behind: to the syncer; else the dones now
  void SyncerLoop();
  engine::Status SyncWal();  // fdatasync of the -wal file (opened once)
  void CheckpointerLoop();
  // sqlite3_wal_hook on the writer connection, after each COMMIT: wakes the checkpointer.
  static int OnWalCommit(void* self, sqlite3* db, const char* name, int pages);
  // Runs a read on a pooled connection (no explicit transaction). F returns a Result.
  template <class F>
  auto WithReader(F f) -> decltype(f(std::declval<Connection&>()));

  const std::string path_;
  const Options options_;
  std::unique_ptr<Connection> writer_conn_;  // owned by the writer thread once started
  std::shared_ptr<ReadPool> readers_;
  std::optional<engine::SecretBox> secrets_;  // when options_.keys: channel columns sealed

  std::mutex mu_;  // guards queue_, stopping_, observers_
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::vector<std::function<void(std::size_t)>> observers_;
  std::mutex close_mu_;
  std::thread writer_;

  std::mutex sync_mu_;  // guards committed_, sync_stop_
  std::condition_variable sync_cv_;
  std::deque<Committed> committed_;
  bool sync_stop_ = false;
  int wal_fd_ = -1;  // syncer thread only
  std::thread syncer_;

  std::mutex checkpoint_mu_;  // guards checkpoint_due_, checkpoint_stop_
  std::condition_variable checkpoint_cv_;
  bool checkpoint_due_ = false;
  bool checkpoint_stop_ = false;
  std::thread checkpointer_;
};

}  // namespace dixian::store
