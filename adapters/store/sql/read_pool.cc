#include "adapters/store/sql/read_pool.h"

namespace dixian::store {

engine::Result<std::unique_ptr<Connection>> ReadPool::Acquire() {
  {
    std::lock_guard lock(mu_);
    while (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      if (!conn->Broken()) return conn;
      idle_.clear();  // the server went away: the others are stale too
    }
  }
  return open_();
}

void ReadPool::Release(std::unique_ptr<Connection> conn, bool broken) {
  if (conn == nullptr) return;
  // A link that broke means the server went away: the idle ones are stale too.
  if (conn->Broken()) return Clear();
  // Never pool a connection mid-transaction, nor one that failed.
  if (broken || conn->InTransaction()) return;
  std::lock_guard lock(mu_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(conn));
}

void ReadPool::Clear() {
  std::vector<std::unique_ptr<Connection>> idle;
  std::lock_guard lock(mu_);
  idle.swap(idle_);
}

SqlReadView::SqlReadView(std::unique_ptr<Connection> conn, std::shared_ptr<ReadPool> pool,
                         const engine::SecretBox* secrets)
    : SqlReadOps(*conn, secrets), conn_(std::move(conn)), pool_(std::move(pool)), tx_(*conn_) {
  if (auto st = tx_.Begin(Transaction::Mode::kReadSnapshot); !st) RecordError(st.error());
}

SqlReadView::~SqlReadView() {
  tx_.Rollback();  // a read transaction: nothing to keep
  pool_->Release(std::move(conn_), failure().has_value());
}

}  // namespace dixian::store
