#pragma once
// Read connections of either store: a small pool of connections (each keeps its prepared
// statements), and the snapshot ReadView that borrows one for its lifetime.
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "adapters/store/sql/read_ops.h"

namespace dixian::store {

class ReadPool {
 public:
  using Opener = std::function<engine::Result<std::unique_ptr<Connection>>()>;
  ReadPool(Opener open, std::size_t max_idle) : open_(std::move(open)), max_idle_(max_idle) {}

  // An idle connection, or a new one.
  engine::Result<std::unique_ptr<Connection>> Acquire();
  // Pools the connection unless it is mid-transaction or `broken` (it failed); one whose link to
  // the server broke also closes the idle ones (the server went away, they are stale).
  void Release(std::unique_ptr<Connection> conn, bool broken = false);
  // Closes every idle connection (the database went away and came back).
  void Clear();

 private:
  const Opener open_;
  const std::size_t max_idle_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

// A ReadView over one read transaction: every query sees the snapshot taken at the first one
// (SQLite: a WAL snapshot; PostgreSQL: REPEATABLE READ READ ONLY).
class SqlReadView final : public SqlReadOps<engine::ReadView> {
 public:
  SqlReadView(std::unique_ptr<Connection> conn, std::shared_ptr<ReadPool> pool,
              const engine::SecretBox* secrets = nullptr);
  ~SqlReadView() override;

 private:
  std::unique_ptr<Connection> conn_;
  std::shared_ptr<ReadPool> pool_;
  Transaction tx_;
};

}  // namespace dixian::store
