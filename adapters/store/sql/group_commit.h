#pragma once
// Group commit, for both stores: one writer thread takes everything queued (up to max_batch jobs),
// runs each job inside its own SAVEPOINT within one transaction, COMMITs once, and only then
// calls each job's `done`. A failing (or throwing) job rolls back its own savepoint only. If the
// COMMIT fails, no job of the batch is acknowledged as successful: each gets the mapped error.
//
// With a `sync` step (SQLite's sync_behind: the COMMIT does not wait for the disk, a syncer
// thread fdatasyncs the WAL), the `done`s run on a syncer thread after that step, in commit
// order, while the writer already runs the next batch. There are two syncers: a batch committed
// while one fsync runs starts the other at once instead of waiting for it to end (the fsync that
// starts later covers every batch committed before it, so whichever ends first settles them). A
// failed sync fails the successful writes of the batches it was to settle (committed, not known
// to be on disk).
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "adapters/store/sql/write_tx.h"
#include "engine/store/store.h"

namespace dixian::store {

class GroupCommit {
 public:
  struct Pending {
    engine::WriteJob job;
    engine::WriteDone done;
    bool rerunnable = false;  // Store::EnqueueRerunnable
  };
  // Runs one batch on the writer thread and answers one status per job, in order.
  using BatchRunner = std::function<std::vector<engine::Status>(std::vector<Pending>& batch)>;

  // Makes committed batches durable (empty: the COMMIT already is, answer on the writer).
  using Sync = std::function<engine::Status()>;

  GroupCommit(std::size_t max_batch, BatchRunner run_batch, Sync sync = {});
  ~GroupCommit();  // Close()
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  void Start();  // starts the writer (and syncer) thread (once the store around it is complete)
  // Queues a job. From the writer or syncer thread itself (inside a job or a done callback) it
  // fails at once with kInternal instead of deadlocking; after Close with kUnavailable
  // "store_closed".
  void Enqueue(engine::WriteJob job, engine::WriteDone done, bool rerunnable = false);
  void OnBatch(std::function<void(std::size_t)> observer);
  // Finishes every queued job (the current batch and what is still queued), then stops the
  // writer. Idempotent.
  void Close();

 private:
  // A committed (or failed) batch waiting for the sync before its dones are called.
  struct Committed {
    std::uint64_t seq = 0;  // commit order, from 1
    std::vector<engine::WriteDone> dones;
    std::vector<engine::Status> results;
    bool wrote = false;  // some job succeeded: a COMMIT happened, sync before acknowledging
    std::optional<engine::Error> sync_error;  // the sync that settled it failed
  };
  void WriterLoop();
  void SyncerLoop();
  // Acknowledges every settled batch in commit order, if no other syncer is doing so (it then
  // takes these too). `lock` holds sync_mu_.
  void AcknowledgeSettled(std::unique_lock<std::mutex>& lock);

  const std::size_t max_batch_;
  const BatchRunner run_batch_;
  const Sync sync_;
  std::mutex mu_;  // guards queue_, stopping_, observers_
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::vector<std::function<void(std::size_t)>> observers_;
  std::mutex close_mu_;
  std::thread writer_;

  std::mutex sync_mu_;  // guards what follows
  std::condition_variable sync_cv_;
  std::deque<Committed> committed_;  // committed, not yet acknowledged, in commit order
  std::uint64_t committed_seq_ = 0;  // the last batch the writer handed over
  std::uint64_t claimed_seq_ = 0;    // the last batch a sync has started for
  std::uint64_t settled_seq_ = 0;    // batches up to it are on disk, or carry sync_error
  bool acknowledging_ = false;       // a syncer is calling dones (one at a time: commit order)
  bool sync_stop_ = false;
  std::vector<std::thread> syncers_;
  std::vector<std::thread::id> syncer_ids_;  // set once in Start
};

// Runs `batch` in one transaction on `conn`, each job in its own savepoint, through `tx`. `begin`
// opens the transaction (and takes whatever lock the store needs). Returns one status per job:
// a job's own error, or the error that kept the batch from committing.
//
// `rerun` (SQLite: a failed statement undoes only itself, and Connection::TotalChanges counts
// the rows written): when every job of the batch is rerunnable, they run without savepoints. A
// job that fails having written nothing leaves nothing to undo; one that fails after writing
// rolls the whole transaction back, and the batch runs again without it (it keeps the error of
// its first run, decided after the same jobs before it).
std::vector<engine::Status> RunInOneTransaction(
    Connection& conn, SqlWriteTx& tx, std::vector<GroupCommit::Pending>& batch,
    const std::function<engine::Status(Transaction&)>& begin, bool rerun = false);

}  // namespace dixian::store
