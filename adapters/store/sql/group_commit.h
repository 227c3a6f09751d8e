#pragma once
// Group commit, for both stores: one writer thread takes everything queued (up to max_batch jobs),
// runs each job inside its own SAVEPOINT within one transaction, COMMITs once, and only then
// calls each job's `done`. A failing (or throwing) job rolls back its own savepoint only. If the
// COMMIT fails, no job of the batch is acknowledged as successful: each gets the mapped error.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
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
  };
  // Runs one batch on the writer thread and answers one status per job, in order.
  using BatchRunner = std::function<std::vector<engine::Status>(std::vector<Pending>& batch)>;

  GroupCommit(std::size_t max_batch, BatchRunner run_batch);
  ~GroupCommit();  // Close()
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  void Start();  // starts the writer thread (once the store around it is complete)
  // Queues a job. From the writer thread itself (inside a job or a done callback) it fails at once
  // with kInternal instead of deadlocking; after Close with kUnavailable "store_closed".
  void Enqueue(engine::WriteJob job, engine::WriteDone done);
  void OnBatch(std::function<void(std::size_t)> observer);
  // Finishes every queued job (the current batch and what is still queued), then stops the
  // writer. Idempotent.
  void Close();

 private:
  void WriterLoop();

  const std::size_t max_batch_;
  const BatchRunner run_batch_;
  std::mutex mu_;  // guards queue_, stopping_, observers_
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::vector<std::function<void(std::size_t)>> observers_;
  std::mutex close_mu_;
  std::thread writer_;
};

// Runs `batch` in one transaction on `conn`, each job in its own savepoint, through `tx`. `begin`
// opens the transaction (and takes whatever lock the store needs). Returns one status per job:
// a job's own error, or the error that kept the batch from committing.
std::vector<engine::Status> RunInOneTransaction(
    Connection& conn, SqlWriteTx& tx, std::vector<GroupCommit::Pending>& batch,
    const std::function<engine::Status(Transaction&)>& begin);

}  // namespace dixian::store
