#include "adapters/store/sql/group_commit.h"

#include <pthread.h>

#include <algorithm>
#include <exception>
#include <optional>

namespace dixian::store {

namespace {

engine::Error Closed() {
  return engine::Error::Unavailable("store_closed",
                                    "服务正在停止，写操作未执行，请稍后重试");
}

void Deliver(const engine::WriteDone& done, engine::Status result) {
  if (!done) return;
  try {
    done(std::move(result));
  } catch (...) {
    // A callback must not take the writer down; nothing useful to do with the exception here.
  }
}

// Runs one job inside its own savepoint (`alone`: the batch's only job, whose failure rolls the
// whole transaction back, so it needs none: two round trips fewer on PostgreSQL). On failure only
// this job's writes are undone.
engine::Status RunJob(Connection& conn, SqlWriteTx& tx, const engine::WriteJob& job, bool alone) {
  Savepoint savepoint(conn);
  if (!alone)
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
    if (!alone) savepoint.Rollback();
    tx.ForgetJob();
    return std::move(*result);
  }
  if (!alone)
    if (auto st = savepoint.Release(); !st) {
      tx.ForgetJob();
      return st.error();
    }
  return std::move(*result);
}

}  // namespace

// Two fsyncs in flight at most (the header says why).
constexpr int kSyncers = 2;

GroupCommit::GroupCommit(std::size_t max_batch, BatchRunner run_batch, Sync sync)
    : max_batch_(max_batch), run_batch_(std::move(run_batch)), sync_(std::move(sync)) {}

GroupCommit::~GroupCommit() { Close(); }

void GroupCommit::Start() {
  writer_ = std::thread([this] { WriterLoop(); });
  pthread_setname_np(writer_.native_handle(), "db-writer");  // top -H, /proc/*/task/*/comm
  if (!sync_) return;
  for (int i = 0; i < kSyncers; ++i) {
    syncers_.emplace_back([this] { SyncerLoop(); });
    pthread_setname_np(syncers_.back().native_handle(), "db-syncer");
    syncer_ids_.push_back(syncers_.back().get_id());
  }
}

void GroupCommit::Close() {
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
  for (auto& syncer : syncers_)
    if (syncer.joinable()) syncer.join();
}

void GroupCommit::Enqueue(engine::WriteJob job, engine::WriteDone done, bool rerunnable) {
  const auto self = std::this_thread::get_id();
  if (self == writer_.get_id() ||
      std::find(syncer_ids_.begin(), syncer_ids_.end(), self) != syncer_ids_.end()) {
    // From a job or a done callback: Run() would wait for itself forever.
    if (done)
      done(engine::Error::Internal(
          "内部错误：写任务中不能再提交写任务"));
    return;
  }
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back({std::move(job), std::move(done), rerunnable});
      cv_.notify_one();
      return;
    }
  }
  if (done) done(Closed());
}

void GroupCommit::OnBatch(std::function<void(std::size_t)> observer) {
  std::lock_guard lock(mu_);
  observers_.push_back(std::move(observer));
}

void GroupCommit::WriterLoop() {
  std::vector<Pending> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued has run
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    auto results = run_batch_(batch);
    std::vector<std::function<void(std::size_t)>> observers;
    {
      std::lock_guard lock(mu_);
      observers = observers_;
    }
    for (auto& observer : observers) observer(batch.size());
    if (!sync_) {
      for (std::size_t i = 0; i < batch.size(); ++i) Deliver(batch[i].done, std::move(results[i]));
      batch.clear();
      continue;
    }
    Committed committed;
    committed.wrote = std::any_of(results.begin(), results.end(),
                                  [](const engine::Status& r) { return r.ok(); });
    committed.results = std::move(results);
    for (auto& pending : batch) committed.dones.push_back(std::move(pending.done));
    batch.clear();
    {
      std::lock_guard lock(sync_mu_);
      committed.seq = ++committed_seq_;
      committed_.push_back(std::move(committed));
    }
    sync_cv_.notify_one();
  }
}

// Starts a sync for every batch committed since the last one started, even while the other
// syncer's fsync still runs, then acknowledges what is settled.
void GroupCommit::SyncerLoop() {
  for (;;) {
    std::uint64_t target = 0;
    bool wrote = false;
    {
      std::unique_lock lock(sync_mu_);
      sync_cv_.wait(lock, [this] { return sync_stop_ || committed_seq_ > claimed_seq_; });
      if (committed_seq_ == claimed_seq_) return;  // stopping: the last batch's syncer acknowledges it
      // Settling `target` says every batch up to it is on disk, including those whose own sync
      // still runs: sync if any of them wrote.
      for (const auto& c : committed_) wrote = wrote || (c.seq > settled_seq_ && c.wrote);
      target = claimed_seq_ = committed_seq_;
    }
    const engine::Status synced = wrote ? sync_() : engine::OkStatus();
    std::unique_lock lock(sync_mu_);
    if (!synced.ok())
      for (auto& c : committed_)
        if (c.seq > settled_seq_ && c.seq <= target) c.sync_error = synced.error();
    settled_seq_ = std::max(settled_seq_, target);
    AcknowledgeSettled(lock);
  }
}

void GroupCommit::AcknowledgeSettled(std::unique_lock<std::mutex>& lock) {
  if (acknowledging_) return;  // that syncer sees settled_seq_ move on before it stops
  acknowledging_ = true;
  while (!committed_.empty() && committed_.front().seq <= settled_seq_) {
    Committed batch = std::move(committed_.front());
    committed_.pop_front();
    lock.unlock();
    for (std::size_t i = 0; i < batch.dones.size(); ++i) {
      if (batch.sync_error && batch.results[i].ok()) batch.results[i] = *batch.sync_error;
      Deliver(batch.dones[i], std::move(batch.results[i]));
    }
    lock.lock();
  }
  acknowledging_ = false;
}

namespace {

// RunInOneTransaction's `rerun` form: no savepoints; returns false when the batch must run again
// (a job failed after writing: excluded[i] is set, its error in results[i], and the transaction
// rolled back).
bool RunWithoutSavepoints(Connection& conn, SqlWriteTx& write_tx,
                          std::vector<GroupCommit::Pending>& batch, std::vector<bool>& excluded,
                          std::vector<std::optional<engine::Status>>& results, Transaction& tx,
                          std::optional<engine::Error>& lost) {
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (excluded[i]) continue;
    if (lost) {
      results[i] = *lost;
      continue;
    }
    const std::int64_t before = conn.TotalChanges();
    results[i] = RunJob(conn, write_tx, batch[i].job, /*alone=*/true);
    if (!conn.InTransaction()) {
      lost = results[i]->ok() ? engine::Error::Internal("内部错误：事务意外中止")
                              : results[i]->error();
      results[i] = *lost;
      continue;
    }
    if (!results[i]->ok() && conn.TotalChanges() != before) {
      excluded[i] = true;
      tx.Rollback();
      write_tx.ForgetJob();
      return false;
    }
  }
  return true;
}

}  // namespace

std::vector<engine::Status> RunInOneTransaction(
    Connection& conn, SqlWriteTx& write_tx, std::vector<GroupCommit::Pending>& batch,
    const std::function<engine::Status(Transaction&)>& begin, bool rerun) {
  rerun = rerun && batch.size() > 1 && conn.TotalChanges() >= 0 &&
          std::all_of(batch.begin(), batch.end(),
                      [](const GroupCommit::Pending& p) { return p.rerunnable; });
  if (rerun) {
    std::vector<bool> excluded(batch.size(), false);
    std::vector<std::optional<engine::Status>> results(batch.size());
    for (;;) {  // each pass excludes one more job, or ends
      Transaction tx(conn);
      if (auto begun = begin(tx); !begun) {
        tx.Rollback();
        for (std::size_t i = 0; i < batch.size(); ++i)
          if (!excluded[i]) results[i] = begun.error();
        break;
      }
      std::optional<engine::Error> lost;
      if (!RunWithoutSavepoints(conn, write_tx, batch, excluded, results, tx, lost)) continue;
      auto committed = lost ? engine::Status(*lost) : tx.Commit();
      if (!committed) {
        tx.Rollback();
        for (auto& r : results)
          if (r && r->ok()) r = committed.error();
      }
      break;
    }
    std::vector<engine::Status> out;
    out.reserve(batch.size());
    for (auto& r : results) out.push_back(std::move(*r));
    return out;
  }
  std::vector<engine::Status> results;
  results.reserve(batch.size());
  Transaction tx(conn);
  auto begun = begin(tx);
  if (!begun) {
    tx.Rollback();
    for (std::size_t i = 0; i < batch.size(); ++i) results.emplace_back(begun.error());
    return results;
  }
  std::optional<engine::Error> lost;  // set when the database rolled the whole transaction back
  for (auto& pending : batch) {
    if (lost) {
      results.emplace_back(*lost);
      continue;
    }
    results.push_back(RunJob(conn, write_tx, pending.job, batch.size() == 1));
    if (!conn.InTransaction())
      lost = results.back().ok() ? engine::Error::Internal("内部错误：事务意外中止")
                                 : results.back().error();
  }
  if (batch.size() == 1 && !lost && !results.back().ok()) {
    tx.Rollback();  // the only job failed: nothing to keep
    return results;
  }
  auto committed = lost ? engine::Status(*lost) : tx.Commit();
  if (!committed) {
    tx.Rollback();
    for (auto& r : results)
      if (r.ok()) r = committed.error();
  }
  return results;
}

}  // namespace dixian::store
