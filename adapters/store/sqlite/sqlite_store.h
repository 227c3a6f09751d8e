#pragma once
// The SQLite implementation of engine::Store and engine::OutboxStore.
//
// One writer thread owns the write connection and commits in groups (sql/sql_database.h), each
// batch in one BEGIN IMMEDIATE transaction. Reads use a small pool of read-only connections, each
// view inside one read transaction (a consistent WAL snapshot).
//
// Durability (sync_behind, the default): the COMMIT itself does not wait for the disk
// (synchronous=NORMAL); a syncer thread fdatasyncs the WAL file and only then calls the batch's
// `done`s, while the writer already runs the next batch (two syncers, whose fsyncs overlap:
// sql/group_commit.h). No write is acknowledged before its WAL
// frames are on disk, as with synchronous=FULL, but the fsync no longer stops the writer. The
// difference: for the few milliseconds between COMMIT and fsync, other readers can see a write
// that a power loss (not a process crash: the OS still holds it) could take back.
//
// WAL checkpoints (copying the WAL back into the database file, with an fsync of that file) run
// on their own thread (at a lower priority than the process's other threads) once the WAL holds
// checkpoint_pages, not inside the writer's COMMIT as SQLite's auto-checkpoint would; only a WAL
// past 32x that size makes the writer checkpoint itself (a bound when the checkpointer cannot
// keep up).
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/store/sql/sql_database.h"
#include "adapters/store/sqlite/sqlite_db.h"

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
  // The writer's WAL frames of a transaction written with one pwrite (wal_buffer_vfs.h) rather
  // than two per page; false: SQLite's unix VFS as is (benchmarks compare the two).
  bool buffer_wal = true;
  // WAL pages that wake the checkpointer thread (SQLite's auto-checkpoint default is 1000).
  int checkpoint_pages = 1000;
  // The master keys (outside the database): sign the audit switch-over point when the file is
  // created or migrated to schema 3, and seal the channel columns. Without them the point stays
  // unsigned and audit verification says so (store-only tests).
  std::shared_ptr<const engine::KeyRing> keys;
};

class SqliteStore final : public SqlDatabase {
 public:
  using Options = SqliteOptions;

  // Creates the parent directories and the file if absent, sets WAL, synchronous (above),
  // foreign_keys, busy_timeout, applies pending migrations, and starts the writer thread.
  // Errors: kUnavailable "schema_too_new" for a file from a newer build; kUnavailable
  // "database_unavailable" when the file cannot be opened or created; kInternal if corrupt.
  static engine::Result<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                           Options options = {});
  ~SqliteStore() override;  // Close()
  // Stops the writer (SqlDatabase::Close), then the checkpointer. Idempotent.
  void Close() override;

  // A consistent copy of the database at `dest_path` (online backup API; safe while the server
  // writes). Written to dest_path + ".tmp" and renamed into place.
  engine::Status Backup(const std::string& dest_path);
  // Moves WAL content into the database file. truncate=true also empties the WAL file (waits up
  // to busy_timeout for readers; may return kUnavailable "database_busy").
  engine::Status Checkpoint(bool truncate = false);
  // PRAGMA integrity_check on a file: ok, or kInternal naming the first problems.
  static engine::Status IntegrityCheck(const std::string& path);
  // The SHA-256 of every attachment a database file's rows name (none before schema 10): what a
  // backup copies and a restore verifies.
  static engine::Result<std::vector<std::string>> EvidenceDigests(const std::string& path);

  const std::string& path() const { return path_; }

  // The WAL frames in the database file after the checkpointer thread's last pass (SQLite's
  // pnCkpt), 0 before any pass copied one; waits up to `timeout` for one that did (tests: the
  // checkpointer really checkpoints, so the writer never has to).
  int CheckpointerBackfill(std::chrono::milliseconds timeout = {});

 private:
  SqliteStore(std::string path, Options options, std::unique_ptr<SqliteConnection> writer);
  std::vector<engine::Status> RunBatch(std::vector<GroupCommit::Pending>& batch) override;

  const std::string path_;
  const Options options_;
  engine::Status SyncWal();  // fdatasync of the -wal file (opened once; both syncer threads)
  void CheckpointerLoop();
  // sqlite3_wal_hook on the writer connection, after each COMMIT: wakes the checkpointer.
  static int OnWalCommit(void* self, sqlite3* db, const char* name, int pages);

  std::unique_ptr<SqliteConnection> writer_conn_;  // owned by the writer thread once started
  // The -wal file the syncers fdatasync: shared, so that one syncer dropping it after a failure
  // never closes (and lets the number be reused) under the other's fdatasync.
  struct WalFile {
    explicit WalFile(int f) : fd(f) {}
    const int fd;
    ~WalFile();
    WalFile(const WalFile&) = delete;
    WalFile& operator=(const WalFile&) = delete;
  };
  std::mutex wal_file_mu_;
  std::shared_ptr<WalFile> wal_file_;

  std::mutex checkpoint_mu_;  // guards checkpoint_due_, checkpoint_stop_, checkpointer_backfill_
  std::condition_variable checkpoint_cv_;
  bool checkpoint_due_ = false;
  bool checkpoint_stop_ = false;
  int checkpointer_backfill_ = 0;
  std::thread checkpointer_;
};

}  // namespace dixian::store
