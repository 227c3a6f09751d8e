#pragma once
// Read connections: a small pool of read-only connections (each keeps its prepared statements),
// and the snapshot ReadView that borrows one for its lifetime.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/store/sql/read_ops.h"
#include "adapters/store/sql/unavailable_view.h"
#include "adapters/store/sqlite/sqlite_db.h"

namespace dixian::store {

class ReadPool {
 public:
  ReadPool(std::string path, int busy_timeout_ms, std::size_t max_idle)
      : path_(std::move(path)), busy_timeout_ms_(busy_timeout_ms), max_idle_(max_idle) {}

  // An idle connection, or a new one.
  engine::Result<std::unique_ptr<SqliteConnection>> Acquire();
  void Release(std::unique_ptr<SqliteConnection> conn);

 private:
  const std::string path_;
  const int busy_timeout_ms_;
  const std::size_t max_idle_;
  std::mutex mu_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_;
};

// A ReadView over one read transaction: every query sees the snapshot taken at the first one.
class SqliteReadView final : public SqlReadOps<engine::ReadView> {
 public:
  SqliteReadView(std::unique_ptr<SqliteConnection> conn, std::shared_ptr<ReadPool> pool);
  ~SqliteReadView() override;

 private:
  std::unique_ptr<SqliteConnection> conn_;
  std::shared_ptr<ReadPool> pool_;
  Transaction tx_;
};

}  // namespace dixian::store
