#include "adapters/store/sqlite/read_view.h"

namespace dixian::store {

engine::Result<std::unique_ptr<Connection>> ReadPool::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
  }
  return Connection::Open(path_, /*read_only=*/true, /*create=*/false, busy_timeout_ms_);
}

void ReadPool::Release(std::unique_ptr<Connection> conn) {
  if (conn == nullptr || conn->InTransaction()) return;  // never pool a connection mid-transaction
  std::lock_guard lock(mu_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(conn));
}

SqliteReadView::SqliteReadView(std::unique_ptr<Connection> conn, std::shared_ptr<ReadPool> pool)
    : SqlReadOps(*conn), conn_(std::move(conn)), pool_(std::move(pool)), tx_(*conn_) {
  if (auto st = tx_.Begin(Transaction::Mode::kDeferred); !st) RecordError(st.error());
}

SqliteReadView::~SqliteReadView() {
  tx_.Rollback();  // a read transaction: nothing to keep
  pool_->Release(std::move(conn_));
}

namespace {

// An in-memory connection stands in so the shared query code has something to run on: every
// table is missing, so each query fails and returns nothing.
class UnavailableView final : public SqlReadOps<engine::ReadView> {
 public:
  UnavailableView(std::unique_ptr<Connection> conn, const engine::Error& error)
      : SqlReadOps(*conn), conn_(std::move(conn)) {
    RecordError(error);
  }

 private:
  std::unique_ptr<Connection> conn_;
};

}  // namespace

std::unique_ptr<engine::ReadView> UnavailableReadView(const engine::Error& error) {
  auto conn = Connection::Open(":memory:", false, true, 0);
  if (!conn) return nullptr;
  return std::make_unique<UnavailableView>(std::move(conn.value()), error);
}

}  // namespace dixian::store
