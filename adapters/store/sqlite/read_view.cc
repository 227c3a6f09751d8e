#include "adapters/store/sqlite/read_view.h"

namespace dixian::store {

engine::Result<std::unique_ptr<SqliteConnection>> ReadPool::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
  }
  return SqliteConnection::Open(path_, /*read_only=*/true, /*create=*/false, busy_timeout_ms_);
}

void ReadPool::Release(std::unique_ptr<SqliteConnection> conn) {
  if (conn == nullptr || conn->InTransaction()) return;  // never pool a connection mid-transaction
  std::lock_guard lock(mu_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(conn));
}

SqliteReadView::SqliteReadView(std::unique_ptr<SqliteConnection> conn, std::shared_ptr<ReadPool> pool)
    : SqlReadOps(*conn), conn_(std::move(conn)), pool_(std::move(pool)), tx_(*conn_) {
  if (auto st = tx_.Begin(Transaction::Mode::kReadSnapshot); !st) RecordError(st.error());
}

SqliteReadView::~SqliteReadView() {
  tx_.Rollback();  // a read transaction: nothing to keep
  pool_->Release(std::move(conn_));
}

}  // namespace dixian::store
