#pragma once
// What both stores share above their drivers: the group-commit writer, the read pool, the
// snapshot read views, and the delivery side (engine::OutboxStore) written once in SQL. A store
// (sqlite/, postgres/) opens its connections, says how a batch's transaction begins, and adds its
// own maintenance.
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "adapters/store/database.h"
#include "engine/core/keys.h"
#include "engine/core/secret_box.h"
#include "adapters/store/sql/group_commit.h"
#include "adapters/store/sql/read_pool.h"

namespace dixian::store {

class SqlDatabase : public Database {
 public:
  ~SqlDatabase() override;  // Close()

  // engine::Store. Submit (and so Run) from the writer thread itself - inside a job or a done
  // callback - fails at once with kInternal instead of deadlocking.
  void Enqueue(engine::WriteJob job, engine::WriteDone done) override;
  void EnqueueRerunnable(engine::WriteJob job, engine::WriteDone done) override;
  std::unique_ptr<engine::ReadView> Read() override;
  void OnBatch(std::function<void(std::size_t)> observer) override;
  // Finishes every queued job (the current batch and what is still queued), then stops the
  // writer. Later Submit calls fail at once with kUnavailable "store_closed". Idempotent.
  void Close() override;

  // engine::OutboxStore. Reads use the read pool; marks go through the writer (group commit).
  engine::Result<std::vector<engine::OutboxMessage>> Ready(
      engine::Instant wall_now, int limit, const std::vector<std::string>& skip = {},
      const std::string& after_channel = "") override;
  engine::Result<std::optional<engine::Channel>> FindChannel(
      const std::string& channel_id) override;
  engine::Status RecordOutcomes(const engine::DeliveryOutcomes& outcomes,
                                engine::Instant wall_now) override;
  engine::Result<engine::PacingWindow> RecentPacing(std::int64_t since_ms,
                                                    const std::string& channel = "") override;
  std::vector<std::string> TakenOver() override;
  std::vector<engine::OutboxMessage> Dead(int limit) override;
  int Redrive(const std::vector<std::int64_t>& ids, engine::Instant wall_now) override;
  std::int64_t PendingCount() override;

  engine::Status MarkAuditLegacy() override;
  engine::Result<int> ReencryptSecrets(bool seal_plaintext = false) override;

 protected:
  // `sync`: see GroupCommit (empty: a COMMIT is durable when it returns). `keys`: the channel
  // columns are sealed and opened with them (null: stored as they are, store-only tests).
  SqlDatabase(std::size_t max_batch, ReadPool::Opener open_reader, std::size_t max_idle_readers,
              std::shared_ptr<const engine::KeyRing> keys, GroupCommit::Sync sync = {});
  // Starts the writer: call at the end of the derived constructor.
  void StartWriter() { writer_.Start(); }
  // Runs one batch on the writer thread (RunInOneTransaction on the store's write connection).
  virtual std::vector<engine::Status> RunBatch(std::vector<GroupCommit::Pending>& batch) = 0;
  // Whether this process may send `channel`'s pending rows now, on `conn` (autocommit). SQLite:
  // always (one process per file). PostgreSQL: while it holds the channel's lease.
  virtual engine::Result<bool> HoldsChannel(Connection& conn, const std::string& channel);
  // HoldsChannel found `channel` held by another process before this one took it.
  void NoteTakenOver(const std::string& channel);
  ReadPool& readers() { return *readers_; }
  const engine::SecretBox* secrets() const { return secrets_ ? &*secrets_ : nullptr; }

  // Runs a read on a pooled connection (no explicit transaction); a connection that cannot be
  // had is an error, not an empty answer. F returns a Result.
  template <class F>
  auto WithReader(F f) -> decltype(f(std::declval<Connection&>())) {
    auto conn = readers_->Acquire();
    if (!conn) return conn.error();
    auto result = f(**conn);
    readers_->Release(std::move(conn.value()), !result.ok());
    return result;
  }

 private:
  const std::shared_ptr<const engine::KeyRing> keys_;
  std::optional<engine::SecretBox> secrets_;  // when keys_: channel columns sealed
  std::shared_ptr<ReadPool> readers_;
  std::mutex taken_over_mu_;
  std::vector<std::string> taken_over_;
  GroupCommit writer_;  // last: its thread stops (Close in the derived destructor) first
};

}  // namespace dixian::store
