#include "adapters/chat/delivery_worker.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/chat/delivery_fixture.h"

namespace dixian::chat {
namespace {

using dixian::testing::FakeFaults;
using dixian::testing::FakePlatform;
using testing::MemoryOutboxStore;
using testing::TaskMessage;
using State = MemoryOutboxStore::State;
using namespace std::chrono_literals;

class DeliveryTest : public testing::DeliveryFixture {
 protected:
  static bool AllAccepted(const FakePlatform& f) {
    for (const auto& r : f.Received()) {
      if (!r.accepted) return false;
    }
    return true;
  }

};

TEST_F(DeliveryTest, BurstOf100TasksToOneDingTalkRobotGoesAsDigestsWithinTheLimit) {
  auto fake = Fake("dingtalk", "SECtest");
  AddChannel("c1", "dingtalk", fake->Url(), "SECtest");
  for (int i = 0; i < 100; ++i) {
    store_.Add(TaskMessage("c1", i % 3 ? "reminder" : "overdue", "户主" + std::to_string(i),
                           i % 3 ? 2 : -1));
  }
  DeliveryWorker w(store_, clock_, Options());
  StepAndWait(w);
  EXPECT_EQ(store_.Count(State::kDelivered), 100);
  const auto accepted = fake->Accepted();
  ASSERT_EQ(accepted.size(), 1u);  // one digest holds all 100
  const auto& body = accepted[0].body;
  EXPECT_EQ(body["msgtype"], "markdown");
  const std::string text = body["markdown"]["text"];
  EXPECT_NE(text.find("已逾期1天"), std::string::npos);
  EXPECT_LT(text.find("已逾期1天"), text.find("还剩2天"));  // most late first
  EXPECT_EQ(w.counters().For("dingtalk").delivered, 100);
  EXPECT_TRUE(AllAccepted(*fake));
}

TEST_F(DeliveryTest, NeverTripsTheDingTalkMinuteLimit) {
  auto fake = Fake("dingtalk", "");
  AddChannel("c1", "dingtalk", fake->Url(), "");
  for (int i = 0; i < 25; ++i) {
    engine::OutboxMessage m;
    m.channel_id = "c1";
    m.kind = "test";  // test messages are never combined
    m.payload = {{"text", "测试" + std::to_string(i)}};
    store_.Add(m);
  }
  DeliveryWorker w(store_, clock_, Options());
  StepAndWait(w);
  EXPECT_EQ(fake->Accepted().size(), 20u);
  StepAndWait(w);
  EXPECT_EQ(fake->Received().size(), 20u);  // nothing more inside the same minute
  clock_.AdvanceMs(61'000);
  StepAndWait(w);
  EXPECT_EQ(fake->Accepted().size(), 25u);
  EXPECT_TRUE(AllAccepted(*fake));
  EXPECT_EQ(store_.Count(State::kDelivered), 25);
}

TEST_F(DeliveryTest, FeishuFivePerSecond) {
  auto fake = Fake("feishu", "demo");
  AddChannel("c1", "feishu", fake->Url(), "demo");
  for (int i = 0; i < 8; ++i) {
    engine::OutboxMessage m;
    m.channel_id = "c1";
    m.kind = "test";
    m.payload = {{"text", "测试"}};
    store_.Add(m);
  }
  DeliveryWorker w(store_, clock_, Options());
  StepAndWait(w);
  EXPECT_EQ(fake->Accepted().size(), 5u);
  clock_.AdvanceMs(1200);
  StepAndWait(w);
  EXPECT_EQ(fake->Accepted().size(), 8u);
  EXPECT_TRUE(AllAccepted(*fake));
}

TEST_F(DeliveryTest, RetriesAfter5xxThenDelivers) {
  auto fake = Fake("wecom", "key-1");
  AddChannel("c1", "wecom", fake->Url(), "");
  fake->SetFaults(FakeFaults{.fail_5xx = 1});
  const auto id = store_.Add(TaskMessage("c1", "new_task", "王建国", 3));
  DeliveryWorker w(store_, clock_, Options());
  StepAndWait(w);
  auto row = store_.Get(id);
  EXPECT_EQ(row.state, State::kPending);
  EXPECT_EQ(row.m.attempts, 1);
  EXPECT_GT(row.m.next_attempt_at, kStartMs / 1000);
  EXPECT_EQ(w.counters().For("wecom").retried, 1);
  StepAndWait(w);  // not due yet
  EXPECT_EQ(fake->Received().size(), 1u);
  clock_.AdvanceMs(3600'000);
  StepAndWait(w);
  EXPECT_EQ(store_.Get(id).state, State::kDelivered);
}

TEST_F(DeliveryTest, RetriesAfterRateLimitAnswerAndAfterBrokenConnection) {
  auto fake = Fake("dingtalk", "");
  AddChannel("c1", "dingtalk", fake->Url(), "");
  fake->SetFaults(FakeFaults{.rate_limit = 1, .close_mid_response = 1});
  const auto id = store_.Add(TaskMessage("c1", "reminder", "王建国", 3));
  DeliveryWorker w(store_, clock_, Options());
  StepAndWait(w);  // connection closed mid-answer
  EXPECT_EQ(store_.Get(id).m.attempts, 1);
  clock_.AdvanceMs(3600'000);
  StepAndWait(w);  // 130101
  EXPECT_EQ(store_.Get(id).m.attempts, 2);
  EXPECT_NE(store_.Get(id).m.last_error.find("130101"), std::string::npos);
  EXPECT_EQ(store_.Get(id).m.next_attempt_at, (kStartMs + 3600'000) / 1000 + 601);
  clock_.AdvanceMs(600'000);
  StepAndWait(w);  // DingTalk silences a robot for 10 minutes after its limit: not yet
  EXPECT_EQ(fake->Received().size(), 2u);
  clock_.AdvanceMs(1'000);
  StepAndWait(w);
  EXPECT_EQ(store_.Get(id).state, State::kDelivered);
}

// The defect: 15 sends, a restart (a new worker on the same store), 15 more. The new
// worker rebuilds the robot's window from the store, so it sends the 15 as one digest and the
// robot never goes over 20 in a minute (which would silence it for 10 minutes).
TEST_F(DeliveryTest, ARestartRemembersWhatTheRobotSentThisMinute) {
  auto fake = Fake("dingtalk", "SECtest");
  AddChannel("c1", "dingtalk", fake->Url(), "SECtest");
  auto add_tests = [&](int n) {
    for (int i = 0; i < n; ++i) {
      engine::OutboxMessage m = TaskMessage("c1", "reminder", "户主" + std::to_string(i), 2);
      store_.Add(m);
    }
  };
  add_tests(15);
  {
    DeliveryWorker first(store_, clock_, Options());
    StepAndWait(first);
  }
  ASSERT_EQ(fake->Accepted().size(), 15u);
  EXPECT_EQ(store_.Pacing().sends.size(), 15u);
  clock_.AdvanceMs(5'000);
  add_tests(15);
  DeliveryWorker second(store_, clock_, Options());
  StepAndWait(second);
  EXPECT_EQ(fake->RateLimitAnswers(), 0u);
  ASSERT_EQ(fake->Received().size(), 16u);  // 5 left in the minute; one digest is enough
  EXPECT_EQ(fake->Received().back().body["markdown"]["title"], "【防返贫监测·待办汇总】共15项");
  EXPECT_EQ(store_.Count(State::kDelivered), 30);
  EXPECT_TRUE(AllAccepted(*fake));
}

// A pause the platform imposed is remembered across a restart too.
TEST_F(DeliveryTest, ARestartRemembersThePlatformsPause) {
  auto fake = Fake("dingtalk", "");
  AddChannel("c1", "dingtalk", fake->Url(), "");
  fake->SetFaults(FakeFaults{.rate_limit = 1});
  const auto id = store_.Add(TaskMessage("c1", "reminder", "甲", 2));
  {
    DeliveryWorker first(store_, clock_, Options());
    StepAndWait(first);
  }
  ASSERT_EQ(store_.Pacing().pauses.size(), 1u);
  store_.Add(TaskMessage("c1", "escalation", "乙", -1));
  clock_.AdvanceMs(300'000);
  DeliveryWorker second(store_, clock_, Options());
  StepAndWait(second);
  EXPECT_EQ(fake->Received().size(), 1u);  // still inside DingTalk's 10 minutes
  clock_.AdvanceMs(301'000);
  StepAndWait(second);
  EXPECT_EQ(store_.Get(id).state, State::kDelivered);
  EXPECT_EQ(store_.Count(State::kDelivered), 2);
}

// Outcomes are written once per round; a failed write is kept and written later, and the rows
// it covers are not sent again meanwhile.
TEST_F(DeliveryTest, AFailedOutcomeWriteIsRetriedWithoutSendingAgain) {
  auto fake = Fake("wecom", "k");
  AddChannel("c1", "wecom", fake->Url(), "");
  for (int i = 0; i < 3; ++i) store_.Add(TaskMessage("c1", "reminder", "户" + std::to_string(i), 2));
  store_.FailRecords(1);
  DeliveryWorker w(store_, clock_, Options());
  StepAndWait(w);
  EXPECT_EQ(fake->Accepted().size(), 3u);
  EXPECT_EQ(store_.Count(State::kDelivered), 0);  // the write failed
  EXPECT_EQ(store_.RecordCalls(), 1);
  StepAndWait(w);
  EXPECT_EQ(store_.Count(State::kDelivered), 3);
  EXPECT_EQ(store_.RecordCalls(), 2);  // one write for the three
  EXPECT_EQ(fake->Received().size(), 3u);  // nothing sent twice
  EXPECT_EQ(store_.Pacing().sends.size(), 3u);
}

TEST_F(DeliveryTest, SignatureErrorIsDeadAtOnce) {
  auto fake = Fake("dingtalk", "SECright");
  AddChannel("c1", "dingtalk", fake->Url(), "SECwrong");
  const auto id = store_.Add(TaskMessage("c1", "reminder", "王建国", 3));
  DeliveryWorker w(store_, clock_, Options());
  StepAndWait(w);
  auto row = store_.Get(id);
  EXPECT_EQ(row.state, State::kDead);
  EXPECT_NE(row.dead_reason.find("签名"), std::string::npos);
  EXPECT_EQ(w.counters().For("dingtalk").dead, 1);
}

TEST_F(DeliveryTest, FeishuSignatureErrorIsDead) {
  auto fake = Fake("feishu", "right");
  AddChannel("c1", "feishu", fake->Url(), "wrong");
  const auto id = store_.Add(TaskMessage("c1", "reminder", "王建国", 3));
  DeliveryWorker w(store_, clock_, Options());
  StepAndWait(w);
  EXPECT_EQ(store_.Get(id).state, State::kDead);
  EXPECT_NE(store_.Get(id).dead_reason.find("19021"), std::string::npos);
}

TEST_F(DeliveryTest, SlowChannelDoesNotBlockAnother) {
  auto slow = Fake("webhook", "s");
  auto fast = Fake("dingtalk", "");
  slow->Hold();  // the slow receiver answers only when released
  AddChannel("slow", "webhook", slow->Url(), "s");
  AddChannel("fast", "dingtalk", fast->Url(), "");
  store_.Add(TaskMessage("slow", "reminder", "甲", 3));
  store_.Add(TaskMessage("fast", "reminder", "乙", 3));
  DeliveryWorker w(store_, clock_, Options());
  EXPECT_EQ(w.Step(), 2);
  ASSERT_TRUE(slow->WaitForHeld(1, 10s));
  // The fast channel goes through while the slow one is still waiting for its answer.
  ASSERT_TRUE(fast->WaitForAccepted(1, 10s));
  slow->Release();
  w.Quiesce();
  EXPECT_EQ(w.counters().For("dingtalk").delivered, 1);
  EXPECT_EQ(w.counters().For("webhook").delivered, 1);
  EXPECT_EQ(store_.Count(State::kDelivered), 2);
  EXPECT_EQ(store_.RecordCalls(), 1);  // both outcomes in one write
}

// Reads follow the wall clock (poll and min_scan_interval), so a manual clock makes every read
// of the loop countable: 100 wakes while the channel is busy share one read.
TEST_F(DeliveryTest, BurstOfWakesWhileAChannelIsBusySharesOneOutboxRead) {
  auto fake = Fake("webhook", "s");
  fake->Hold();
  AddChannel("c1", "webhook", fake->Url(), "s");
  DeliveryOptions o = Options();
  o.poll_ms = 60'000;  // only wakes and finished sends cause reads here
  o.min_scan_interval_ms = 200;
  o.batch_limit = 1000;
  DeliveryWorker w(store_, clock_, o);
  w.Start();
  ASSERT_TRUE(w.WaitForScans(1, 10s));  // the first read, of an empty outbox
  store_.Add(TaskMessage("c1", "reminder", "户主0", 3));
  w.Wake();
  EXPECT_EQ(store_.ReadyCalls(), 1);  // not before the interval has passed
  clock_.AdvanceMs(200);
  ASSERT_TRUE(w.WaitForScans(2, 10s));
  ASSERT_TRUE(fake->WaitForHeld(1, 10s));  // on the wire, answer held: c1 is busy
  constexpr int kBurst = 100;
  for (int i = 1; i <= kBurst; ++i) {  // commits one at a time, each waking the worker
    store_.Add(TaskMessage("c1", "reminder", "户主" + std::to_string(i), 3));
    w.Wake();
  }
  EXPECT_EQ(store_.ReadyCalls(), 2);
  clock_.AdvanceMs(200);
  ASSERT_TRUE(w.WaitForScans(3, 10s));
  EXPECT_EQ(store_.ReadyCalls(), 3);  // one read for the hundred wakes (c1 busy: nothing sent)
  fake->Release();                    // m0's answer: its completion wakes the worker
  clock_.AdvanceMs(200);
  ASSERT_TRUE(w.WaitForScans(4, 10s));  // records m0, reads the hundred, sends them as one job
  ASSERT_TRUE(fake->WaitForAccepted(kBurst + 1, 10s));
  clock_.AdvanceMs(200);
  ASSERT_TRUE(w.WaitForScans(5, 10s));  // records the hundred
  w.Stop();
  EXPECT_EQ(store_.ReadyCalls(), 5);
  EXPECT_EQ(store_.RecordCalls(), 2);  // one write per round: m0, then the hundred
  EXPECT_EQ(store_.Count(State::kDelivered), kBurst + 1);
  EXPECT_EQ(w.counters().For("webhook").delivered, kBurst + 1);
  EXPECT_EQ(fake->Received().size(), static_cast<std::size_t>(kBurst + 1));  // each sent once
  EXPECT_TRUE(AllAccepted(*fake));
}

TEST_F(DeliveryTest, EveryWakeIsServedWithoutWaitingForThePoll) {
  auto fake = Fake("webhook", "s");
  AddChannel("c1", "webhook", fake->Url(), "s");
  DeliveryOptions o = Options();
  o.poll_ms = 60'000;  // the manual clock never reaches it: a lost wake would hang here
  o.min_scan_interval_ms = 0;
  DeliveryWorker w(store_, clock_, o);
  w.Start();
  for (int i = 0; i < 50; ++i) {
    store_.Add(TaskMessage("c1", "reminder", "户主" + std::to_string(i), 3));
    w.Wake();
    ASSERT_TRUE(fake->WaitForAccepted(static_cast<std::size_t>(i + 1), 10s)) << i;
  }
  w.Stop();
  EXPECT_EQ(store_.Count(State::kDelivered), 50);
  EXPECT_EQ(fake->Received().size(), 50u);
}

// The number of threads does not grow with the number of channels (bench/ measures 2,000).
TEST_F(DeliveryTest, ThreadsDoNotGrowWithChannels) {
  auto fake = Fake("webhook", "");
  fake->Hold();
  for (int c = 0; c < 40; ++c) {
    AddChannel("c" + std::to_string(c), "webhook", fake->Url(), "");
    store_.Add(TaskMessage("c" + std::to_string(c), "reminder", "户主", 3));
  }
  auto threads = [] {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/task")) ++n;
    return n;
  };
  const std::size_t before = threads();
  DeliveryWorker w(store_, clock_, Options());
  EXPECT_EQ(w.Step(), 40);
  ASSERT_TRUE(fake->WaitForHeld(40, 10s));  // 40 channels sending at once
  // The worker's io thread and Asio's one resolver thread; nothing per channel.
  EXPECT_EQ(threads(), before + 2);
  fake->Release();
  w.Quiesce();
  EXPECT_EQ(store_.Count(State::kDelivered), 40);
}

TEST_F(DeliveryTest, QuietHoursHoldNonUrgentMessages) {
  auto fake = Fake("wecom", "k");
  store_.AddChannel({"c1", "v001", "wecom", fake->Url(), "", 22, 7, {}});
  clock_.AdvanceMs(15 * 3600'000);  // 23:00 China time
  const auto held = store_.Add(TaskMessage("c1", "reminder", "甲", 3));
  auto urgent_msg = TaskMessage("c1", "escalation", "乙", -5);
  urgent_msg.urgent = true;
  const auto urgent = store_.Add(urgent_msg);
  DeliveryWorker w(store_, clock_, Options());
  StepAndWait(w);
  EXPECT_EQ(store_.Get(urgent).state, State::kDelivered);
  EXPECT_EQ(store_.Get(held).state, State::kPending);
  clock_.AdvanceMs(8 * 3600'000);  // 07:00
  StepAndWait(w);
  EXPECT_EQ(store_.Get(held).state, State::kDelivered);
}

TEST(QuietHours, OvernightAndSameDayRanges) {
  engine::Channel c{"c", "o", "wecom", "", "", 22, 7, {}};
  const std::int64_t midnight_china = 1767196800;  // 2026-01-01 00:00 +08:00
  EXPECT_TRUE(InQuietHours(c, midnight_china + 23 * 3600));
  EXPECT_TRUE(InQuietHours(c, midnight_china + 6 * 3600));
  EXPECT_FALSE(InQuietHours(c, midnight_china + 7 * 3600));
  c.quiet_start_hour = 12;
  c.quiet_end_hour = 14;
  EXPECT_TRUE(InQuietHours(c, midnight_china + 13 * 3600));
  EXPECT_FALSE(InQuietHours(c, midnight_china + 15 * 3600));
  c.quiet_start_hour = -1;
  EXPECT_FALSE(InQuietHours(c, midnight_china + 13 * 3600));
}

TEST_F(DeliveryTest, PlainHttpOnlyToLoopback) {
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_TRUE(IsLoopbackHost("127.8.9.10"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
  EXPECT_FALSE(IsLoopbackHost("oapi.dingtalk.com"));
  auto refused = HttpPost("http://oapi.dingtalk.com/robot/send", {}, "{}", {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().slug, "insecure_url");
  auto fake = Fake("webhook", "");
  auto ok = HttpPost(fake->Url(), {}, "{}", {});
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->status, 200);
  // The worker dead-letters such a channel with the reason.
  AddChannel("c1", "webhook", "http://10.0.0.1/hook", "");
  const auto id = store_.Add(TaskMessage("c1", "reminder", "甲", 3));
  DeliveryWorker w(store_, clock_, Options());
  StepAndWait(w);
  EXPECT_EQ(store_.Get(id).state, State::kDead);
  EXPECT_NE(store_.Get(id).dead_reason.find("https"), std::string::npos);
}

TEST_F(DeliveryTest, SendTestReportsSuccessAndSignatureFailure) {
  auto fake = Fake("feishu", "demo");
  const Templates t = Templates::Shipped();
  engine::Channel good{"c1", "v001", "feishu", fake->Url(), "demo", -1, -1, {}};
  EXPECT_NE(SendTest(good, t, {}, &clock_).find("发送成功"), std::string::npos);
  engine::Channel bad = good;
  bad.secret = "nope";
  const std::string result = SendTest(bad, t, {}, &clock_);
  EXPECT_NE(result.find("发送失败"), std::string::npos);
  EXPECT_NE(result.find("签名"), std::string::npos);
}

}  // namespace
}  // namespace dixian::chat
