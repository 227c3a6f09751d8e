// Issue 16: a robot's rate window is shared between nodes. Node A sends 15 messages to one
// DingTalk robot (20 a minute), dies (SIGKILL); node B takes the channel over with 14 more waiting.
// B must count A's 15 sends (read from the store when it takes the lease), so it has 5 sends left
// this minute: it packs the 14 into a digest instead of sending them one by one and tripping
// DingTalk's limit (130101: the robot is silenced for 10 minutes).
#include "tests/multinode/multinode_world.h"
#include "tests/support/fake_platform.h"

namespace dixian::e2e {
namespace {

using namespace std::chrono_literals;

class PacingTakeoverTest : public MultiNodeTest {};

TEST_F(PacingTakeoverTest, NodeTakingARobotOverCountsTheDeadNodesSendsThisMinute) {
  testing::FakePlatform dingtalk("dingtalk", "SECtakeover");  // wall clock, as the servers'
  BuildWorld();
  auto r = Post("admin", "/api/v1/channels", {{"org", "c1"}, {"kind", "dingtalk"},
                                              {"url", dingtalk.Url()}, {"secret", "SECtakeover"}});
  ASSERT_EQ(r.status, 201) << Show(r);
  const std::string channel = r.Json().value("id", "");
  ASSERT_TRUE(AddNode());

  // 15 messages: the new case's task and 14 urges (催办), written on both nodes.
  const json created = NewCase();
  ASSERT_EQ(created["tasks"].size(), 1u);
  const std::string task = created["tasks"][0].value("id", "");
  auto urge = [&](ServerProcess& node, int i) {
    auto u = On(node, "supervisor1")->Request("POST", "/api/v1/tasks/" + task + "/urge",
                                              json{{"comment", "第" + std::to_string(i) + "次催办"}}.dump());
    EXPECT_EQ(u.status, 200) << Show(u);
  };
  for (int i = 1; i <= 14; ++i) urge(*nodes_[i % 2], i);
  ASSERT_TRUE(dingtalk.WaitForAccepted(15, 20s));
  ASSERT_TRUE(Within(20s, [&] { return Count("SELECT count(*) FROM outbox WHERE status = 'delivered'") == 15; }));
  ASSERT_EQ(dingtalk.Received().size(), 15u);  // each on its own: 15 is within the limit
  ASSERT_EQ(Count("SELECT count(*) FROM chat_sends WHERE key = '" + channel + "'"), 15);

  ServerProcess* a = LeaseHolder(channel);
  ASSERT_NE(a, nullptr) << "one of the nodes sent them";
  ServerProcess* b = a == nodes_[0] ? nodes_[1] : nodes_[0];
  a->Kill();
  // 14 more, through B; A's lease runs out, B takes the channel and sees 15 sends this minute.
  for (int i = 15; i <= 28; ++i) urge(*b, i);
  ASSERT_TRUE(Within(20s, [&] { return Count("SELECT count(*) FROM outbox WHERE status = 'pending'") == 0; }))
      << dingtalk.RateLimitAnswers() << " answers 130101 (send too fast)";
  EXPECT_EQ(dingtalk.RateLimitAnswers(), 0u);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE status = 'delivered'"), 29);
  const auto received = dingtalk.Received();
  ASSERT_GE(received.size(), 16u);
  // B had 5 sends left in the robot's minute: however many urges were waiting when it took over,
  // the rest left in digests (one send each), never one by one past the limit.
  EXPECT_LE(received.size(), 20u) << "at most 20 sends in the robot's minute";
  for (const auto& req : received) EXPECT_TRUE(req.accepted) << req.raw_body;
  EXPECT_LT(received.back().at_ms - received.front().at_ms, 60'000);  // all inside one minute
  EXPECT_NE(b->Log().find("taken over from another process: 15 recent sends read"), std::string::npos)
      << b->Log();
}

}  // namespace
}  // namespace dixian::e2e
