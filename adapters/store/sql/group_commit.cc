#include "adapters/store/sql/group_commit.h"

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
    return std::move(*result);
  }
  if (!alone)
    if (auto st = savepoint.Release(); !st) return st.error();
  return std::move(*result);
}

}  // namespace

GroupCommit::GroupCommit(std::size_t max_batch, BatchRunner run_batch)
    : max_batch_(max_batch), run_batch_(std::move(run_batch)) {}

GroupCommit::~GroupCommit() { Close(); }

void GroupCommit::Start() { writer_ = std::thread([this] { WriterLoop(); }); }

void GroupCommit::Close() {
  std::lock_guard close_lock(close_mu_);
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (writer_.joinable()) writer_.join();
}

void GroupCommit::Enqueue(engine::WriteJob job, engine::WriteDone done) {
  if (std::this_thread::get_id() == writer_.get_id()) {
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
    for (std::size_t i = 0; i < batch.size(); ++i) Deliver(batch[i].done, std::move(results[i]));
    batch.clear();
  }
}

std::vector<engine::Status> RunInOneTransaction(
    Connection& conn, SqlWriteTx& write_tx, std::vector<GroupCommit::Pending>& batch,
    const std::function<engine::Status(Transaction&)>& begin) {
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
