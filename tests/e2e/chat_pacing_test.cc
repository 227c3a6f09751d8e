// Issue 15, item 1: robot pacing survives a restart. 15 messages to one DingTalk robot, kill -9,
// restart, 15 more: the restarted server must remember the 15 it sent this minute, or it sends
// at once, trips DingTalk's 20-a-minute limit and the robot is silenced for 10 minutes.
#include <chrono>
#include <thread>

#include "tests/support/test_db.h"
#include "tests/e2e/e2e_world.h"
#include "tests/support/fake_platform.h"
#include "tests/support/slow_test.h"

namespace dixian::e2e {
namespace {

using namespace std::chrono_literals;

// Outbox rows in `status`, read from the server's database (a reader beside the server).
int OutboxRows(const std::string& db, const char* status) {
  const auto count =
      testing::ScalarDb(db, std::string("SELECT COUNT(*) FROM outbox WHERE status = '") + status + "'");
  return count.empty() ? -1 : std::stoi(count);
}

// Waits (bounded) until `n` rows are delivered (the server has recorded their outcome), or
// the robot was rate-limited (then they would wait for DingTalk's 10 minutes).
bool WaitForDelivered(const std::string& db, int n, const testing::FakePlatform& robot) {
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (OutboxRows(db, "delivered") < n) {
    if (robot.RateLimitAnswers() > 0) return false;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);  // polling a condition, bounded: not used to order events
  }
  return true;
}

class ChatPacingTest : public E2eTest {};

TEST_F(ChatPacingTest, FifteenKillRestartFifteenNeverTripsDingTalksLimit) {
  DIXIAN_SLOW_TEST();
  testing::FakePlatform dingtalk("dingtalk", "SECpacing");  // wall clock, as the server's
  BuildWorld();
  auto r = Post("admin", "/api/v1/channels",
                {{"org", "c1"}, {"kind", "dingtalk"}, {"url", dingtalk.Url()}, {"secret", "SECpacing"}});
  ASSERT_EQ(r.status, 201) << Show(r);

  // 15 messages: the new case's task, then 14 urges (催办) by the county supervisor.
  const json created = NewCase();
  ASSERT_EQ(created["tasks"].size(), 1u);
  const std::string task_id = created["tasks"][0].value("id", "");
  auto urge = [&](int i) {
    auto u = Post("supervisor1", "/api/v1/tasks/" + task_id + "/urge",
                  {{"comment", "第" + std::to_string(i) + "次催办"}});
    ASSERT_EQ(u.status, 200) << Show(u);
  };
  for (int i = 1; i <= 14; ++i) urge(i);
  ASSERT_TRUE(dingtalk.WaitForAccepted(15, 20s));
  ASSERT_TRUE(WaitForDelivered(server_->db_path(), 15, dingtalk));
  ASSERT_EQ(dingtalk.Received().size(), 15u);  // each on its own: 15 is within the limit

  server_->Kill();
  ASSERT_TRUE(server_->Restart()) << server_->error();

  // The first new message goes alone; its answer is held while 14 more are queued, so the
  // server then faces 14 waiting messages with 4 sends left in the robot's minute.
  dingtalk.Hold();
  urge(15);
  ASSERT_TRUE(dingtalk.WaitForHeld(1, 20s));
  for (int i = 16; i <= 29; ++i) urge(i);
  dingtalk.Release();
  ASSERT_TRUE(WaitForDelivered(server_->db_path(), 30, dingtalk))
      << dingtalk.RateLimitAnswers() << " answers 130101 (send too fast)";
  const auto received = dingtalk.Received();
  ASSERT_EQ(received.size(), 17u);  // 15, the held one, and one digest of the other 14
  for (const auto& req : received) EXPECT_TRUE(req.accepted) << req.raw_body;
  EXPECT_EQ(received.back().body["markdown"]["title"], "【防返贫监测·待办汇总】共14项");
  EXPECT_LT(received.back().at_ms - received.front().at_ms, 60'000);  // all inside one minute
  EXPECT_EQ(OutboxRows(server_->db_path(), "pending"), 0);
}

}  // namespace
}  // namespace dixian::e2e
