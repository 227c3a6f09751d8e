#pragma once
// Several `dixian serve` processes on one PostgreSQL database (issue 16 item 3): the e2e world
// (tests/e2e/e2e_world.h) on node 0, more nodes on the same database, master key and evidence
// folder, and short channel leases so a dead node's channels pass on within seconds.
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/e2e_world.h"
#include "tests/support/test_db.h"

namespace dixian::e2e {

inline constexpr int kLeaseSeconds = 3;  // --channel-lease-seconds of every node
inline constexpr int kPollSeconds = 2;   // DeliveryOptions::poll_ms: a worker reads at least this often

class MultiNodeTest : public E2eTest {
 protected:
  void SetUp() override {
    if (std::getenv("DIXIAN_SKIP_SLOW")) GTEST_SKIP() << "slow test: runs in the Release stage only";
    if (!testing::OnPostgres()) GTEST_SKIP() << "several nodes share one PostgreSQL database";
    db_ = std::make_unique<testing::TestDb>(shared_.File("unused.db"));
    E2eTest::SetUp();  // node 0
    nodes_.push_back(server_.get());
  }
  void TearDown() override {
    for (auto& node : more_) {
      if (node->running()) { EXPECT_EQ(node->Stop(), 0) << node->Log(); }
    }
    E2eTest::TearDown();
  }
  ServerProcessOptions Options() override {
    auto o = E2eTest::Options();
    o.db = db_->db();
    o.key_file = shared_.File("dixian.key");  // written by the first start, read by the others
    o.extra_args = {"--evidence-dir", shared_.File("evidence"), "--channel-lease-seconds",
                    std::to_string(kLeaseSeconds)};
    return o;
  }
  // Starts one more node on the database; false (with a failure) when it did not come up.
  bool AddNode() {
    more_.push_back(std::make_unique<ServerProcess>(Options()));
    if (more_.back()->Start()) return nodes_.push_back(more_.back().get()), true;
    ADD_FAILURE() << more_.back()->error();
    return false;
  }
  std::unique_ptr<HttpClient> On(ServerProcess& node, const std::string& user) {
    return node.Client(user == "admin" ? node.admin_token() : tokens_.at(user));
  }
  const std::string& db() const { return db_->db(); }
  std::string Scalar(const std::string& sql) { return testing::ScalarDb(db(), sql); }
  long long Count(const std::string& sql) {
    const std::string v = Scalar(sql);
    return v.empty() ? -1 : std::stoll(v);
  }
  // The node whose lease row names `channel` (owner host:pid:random), or null.
  ServerProcess* LeaseHolder(const std::string& channel) {
    const std::string owner =
        Scalar("SELECT owner FROM outbox_leases WHERE channel_id = '" + channel + "'");
    for (auto* node : nodes_)
      if (owner.find(":" + std::to_string(node->pid()) + ":") != std::string::npos) return node;
    return nullptr;
  }
  // Polls `done` (every 10 ms: reading a condition, never ordering events) until it holds or
  // `limit` passes; true when it held.
  template <class F>
  static bool Within(std::chrono::milliseconds limit, F done) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  }

  testing::TempDir shared_;             // key, evidence folder: what the nodes share besides the db
  std::unique_ptr<testing::TestDb> db_;  // a schema of the test cluster, dropped at the end
  std::vector<ServerProcess*> nodes_;    // node 0 is server_
  std::vector<std::unique_ptr<ServerProcess>> more_;
};

}  // namespace dixian::e2e
