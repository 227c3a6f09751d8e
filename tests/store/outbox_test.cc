#include "adapters/store/sql/rows.h"
#include "tests/store/store_fixture.h"

namespace dixian::store::testing {
namespace {

std::int64_t Enqueue(Database& store, const std::string& message_id, engine::Instant at = 0) {
  auto r = store.Run([&](WriteTx& tx) -> Result<Json> {
    engine::OutboxMessage m;
    m.message_id = message_id;
    m.channel_id = "ch1";
    m.kind = "new_task";
    m.payload = {{"task_id", "7"}, {"mobiles", {"13800001234"}}};
    m.created_at = 50;
    m.next_attempt_at = at;
    return Json(tx.InsertOutbox(m));
  });
  EXPECT_TRUE(r.ok());
  return r.ok() ? r->get<std::int64_t>() : 0;
}

std::vector<engine::OutboxMessage> Ready(Database& store, engine::Instant now, int limit,
                                         const std::vector<std::string>& skip = {},
                                         const std::string& after = "") {
  auto ready = store.Ready(now, limit, skip, after);
  EXPECT_TRUE(ready.ok()) << ready.error().message;
  return ready.ok() ? ready.value() : std::vector<engine::OutboxMessage>{};
}

using Outcomes = engine::DeliveryOutcomes;

Outcomes Retry(std::int64_t id, engine::Instant at, const std::string& error) {
  Outcomes o;
  o.retries.push_back({id, at, error});
  return o;
}

Outcomes Dead(std::vector<std::pair<std::int64_t, std::string>> rows) {
  Outcomes o;
  for (auto& [id, reason] : rows) o.dead.push_back({id, reason});
  return o;
}

void Record(Database& store, const engine::DeliveryOutcomes& o, engine::Instant now) {
  auto st = store.RecordOutcomes(o, now);
  ASSERT_TRUE(st.ok()) << st.error().message;
}

// The payload text is written directly on the writer thread; it must stay byte for byte what
// nlohmann::json wrote (and the reader parses): every combination of facts, escapes, non-ASCII.
TEST(NoticeFacts, NoticeFactsJsonMatchesNlohmann) {
  const std::vector<std::string> texts = {"", "a", "q\"b\\c/d", std::string("\b\f\n\r\t\x01\x1f\x7f", 8),
                                          "公示期满", "u-clerk-0101"};
  int n = 0;
  for (int mask = 0; mask < 64; ++mask)
    for (const auto& text : texts) {
      engine::NoticeFacts f;
      if (mask & 1) f.task_id = 1234567890123;
      if (mask & 2) f.escalation_level = 2;
      if (mask & 4) f.text = text;
      if (mask & 8) {
        f.to_user = text.empty() ? "u1" : text;
        f.to_im = "im-" + text;
      }
      if (mask & 16) {
        f.case_id = "C00000042";
        f.period = text;
      }
      if (mask & 32) {
        f.org = text.empty() ? "520101" : text;
        f.total = mask;
        for (int i = 0; i < mask % 4; ++i) f.task_ids.push_back(i * 7 - 3);
      }
      EXPECT_EQ(NoticeFactsToJson(f), NoticeFactsToJsonForTest(f)) << mask << " " << text;
      ++n;
    }
  EXPECT_EQ(n, 64 * 6);
}

TEST_F(StoreTest, OutboxMessageIdIsStable) {
  auto id = Enqueue(*store_, "");
  auto given = Enqueue(*store_, "custom-1");
  auto ready = Ready(*store_, 100, 10);
  ASSERT_EQ(ready.size(), 2u);
  EXPECT_EQ(ready[0].id, id);
  EXPECT_EQ(ready[0].message_id, "msg-" + std::to_string(id));
  EXPECT_EQ(ready[1].id, given);
  EXPECT_EQ(ready[1].message_id, "custom-1");
  EXPECT_EQ(ready[0].payload["mobiles"][0], "13800001234");
  Record(*store_, Retry(id, 500, "timeout"), 100);
  auto again = Ready(*store_, 600, 10);
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0].message_id, "msg-" + std::to_string(id));
  EXPECT_EQ(again[0].attempts, 1);
  EXPECT_EQ(again[0].last_error, "timeout");
}

TEST_F(StoreTest, OutboxBacklogOnOneChannelDoesNotHideAnother) {
  auto r = store_->Run([](WriteTx& tx) -> Result<Json> {
    for (int i = 0; i < 600; ++i) {
      engine::OutboxMessage m;
      m.channel_id = i < 599 ? "busy" : "quiet";
      m.kind = "new_task";
      m.payload = Json::object();
      tx.InsertOutbox(m);
    }
    return Json(nullptr);
  });
  ASSERT_TRUE(r.ok());
  const auto ready = Ready(*store_, 100, 500);
  ASSERT_FALSE(ready.empty());
  EXPECT_EQ(ready.back().channel_id, "quiet");  // the newest row, behind 599 of another robot
  EXPECT_EQ(ready.size(), 201u);  // 200 of the busy robot (its cap per read) and the quiet one
}

// With more channels than one read holds, a read resumes after the channel the last one
// reached, wrapping around, so every channel gets its turn.
TEST_F(StoreTest, OutboxReadResumesAfterAChannelAndWrapsAround) {
  ASSERT_TRUE(store_->Run([](WriteTx& tx) -> Result<Json> {
    for (const char* channel : {"a", "b", "c", "d"}) {
      for (int i = 0; i < 3; ++i) {
        engine::OutboxMessage m;
        m.channel_id = channel;
        m.kind = "new_task";
        m.payload = Json::object();
        tx.InsertOutbox(m);
      }
    }
    return Json(nullptr);
  }).ok());
  auto channels = [](const std::vector<engine::OutboxMessage>& rows) {  // in id order
    std::string out;
    for (const auto& m : rows)
      if (out.empty() || out.back() != m.channel_id[0]) out += m.channel_id;
    return out;
  };
  EXPECT_EQ(channels(Ready(*store_, 100, 4)), "ab");   // whole channels until the limit
  EXPECT_EQ(channels(Ready(*store_, 100, 4, {}, "b")), "cd");
  EXPECT_EQ(channels(Ready(*store_, 100, 7, {}, "c")), "abd");  // d, then wraps to a and b
  EXPECT_EQ(Ready(*store_, 100, 100, {}, "c").size(), 12u);    // each channel once
  EXPECT_EQ(channels(Ready(*store_, 100, 4, {"a"}, "d")), "bc");
}

// The delivery worker leaves out the channels it is already sending on.
TEST_F(StoreTest, OutboxReadySkipsBusyChannels) {
  ASSERT_TRUE(store_->Run([](WriteTx& tx) -> Result<Json> {
    for (const char* channel : {"busy", "quiet", "busy", "other"}) {
      engine::OutboxMessage m;
      m.channel_id = channel;
      m.kind = "new_task";
      m.payload = Json::object();
      tx.InsertOutbox(m);
    }
    return Json(nullptr);
  }).ok());
  EXPECT_EQ(Ready(*store_, 100, 10).size(), 4u);
  const auto ready = Ready(*store_, 100, 10, {"busy", "other"});
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].channel_id, "quiet");
  EXPECT_EQ(Ready(*store_, 100, 10, {"it's \"odd\""}).size(), 4u);  // names travel as JSON
}

TEST_F(StoreTest, OutboxReadyRetryDeadRedrive) {
  auto a = Enqueue(*store_, "");
  auto b = Enqueue(*store_, "");
  auto c = Enqueue(*store_, "", 1000);  // not yet due
  EXPECT_EQ(store_->PendingCount(), 3);
  EXPECT_EQ(Ready(*store_, 100, 10).size(), 2u);
  EXPECT_EQ(Ready(*store_, 100, 1).size(), 2u);  // whole channels: both due rows of ch1

  Record(*store_, Retry(a, 300, "HTTP 502"), 100);
  auto ready = Ready(*store_, 100, 10);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].id, b);
  EXPECT_EQ(Ready(*store_, 300, 10).size(), 2u);

  Outcomes both = Dead({{a, "HTTP 400: bad payload"}});
  both.delivered = {b};
  Record(*store_, both, 120);
  EXPECT_EQ(store_->PendingCount(), 1);
  auto dead = store_->Dead(10);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].id, a);
  EXPECT_EQ(dead[0].attempts, 2);
  EXPECT_EQ(dead[0].last_error, "HTTP 400: bad payload");

  EXPECT_EQ(store_->Redrive({a}, 2000), 1);
  EXPECT_TRUE(store_->Dead(10).empty());
  auto redriven = Ready(*store_, 2000, 10);
  ASSERT_EQ(redriven.size(), 2u);  // a again, and c now due
  EXPECT_EQ(redriven[0].id, a);
  EXPECT_EQ(redriven[0].attempts, 0);
  EXPECT_EQ(redriven[1].id, c);
}

TEST_F(StoreTest, RedriveWithoutIdsTakesEveryDeadMessage) {
  auto a = Enqueue(*store_, "");
  auto b = Enqueue(*store_, "");
  Enqueue(*store_, "");
  Record(*store_, Dead({{a, "x"}, {b, "y"}}), 10);
  EXPECT_EQ(store_->Redrive({}, 10), 2);
  EXPECT_EQ(store_->Redrive({}, 10), 0);
  EXPECT_EQ(store_->PendingCount(), 3);
}

TEST_F(StoreTest, OutboxRowsCommitWithTheirJob) {
  auto r = store_->Run([](WriteTx& tx) -> Result<Json> {
    engine::OutboxMessage m;
    m.channel_id = "ch1";
    m.kind = "reminder";
    tx.InsertOutbox(m);
    return engine::Error::Unprocessable("rejected", "the transition failed");
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(store_->PendingCount(), 0);
}

// What was sent, and when, is written with the outcome, and read back after a restart; marks
// older than the horizon the worker gives are forgotten in the same write.
TEST_F(StoreTest, PacingMarksAreRecordedWithTheOutcomeAndReadBack) {
  auto a = Enqueue(*store_, "");
  Outcomes first;
  first.delivered = {a};
  first.sends = {{"robot-1", 1'000'000}, {"robot-1", 1'000'500}, {"app-1/zhangsan", 1'000'600}};
  first.pauses = {{"robot-2", 1'600'000}};
  Record(*store_, first, 1000);
  EXPECT_EQ(store_->PendingCount(), 0);
  auto window = store_->RecentPacing(1'000'100);
  ASSERT_TRUE(window.ok());
  ASSERT_EQ(window->sends.size(), 2u);
  EXPECT_EQ(window->sends[0].key, "robot-1");
  EXPECT_EQ(window->sends[0].at_ms, 1'000'500);
  EXPECT_EQ(window->sends[1].key, "app-1/zhangsan");
  ASSERT_EQ(window->pauses.size(), 1u);
  EXPECT_EQ(window->pauses[0].key, "robot-2");
  EXPECT_EQ(window->pauses[0].until_ms, 1'600'000);
  EXPECT_TRUE(store_->RecentPacing(1'600'000)->pauses.empty());  // over by then

  Outcomes second;
  second.sends = {{"robot-1", 1'000'700}};
  second.forget_before_ms = 1'000'550;
  Record(*store_, second, 1001);
  window = store_->RecentPacing(0);
  ASSERT_TRUE(window.ok());
  ASSERT_EQ(window->sends.size(), 2u);
  EXPECT_EQ(window->sends[0].at_ms, 1'000'600);
  EXPECT_EQ(window->sends[1].at_ms, 1'000'700);

  // One channel's window: its own key and its persons' (`channel/person`), not a longer name's.
  Outcomes other;
  other.sends = {{"app-10", 1'000'650}, {"app-1", 1'000'660}};
  Record(*store_, other, 1000);
  window = store_->RecentPacing(1'000'100, "app-1");
  ASSERT_TRUE(window.ok());
  ASSERT_EQ(window->sends.size(), 2u);
  EXPECT_EQ(window->sends[0].key, "app-1/zhangsan");
  EXPECT_EQ(window->sends[1].key, "app-1");
  EXPECT_EQ(store_->RecentPacing(1'000'100, "robot-2")->pauses.size(), 1u);
  EXPECT_TRUE(store_->RecentPacing(1'000'100, "robot-1")->pauses.empty());
  EXPECT_EQ(store_->TakenOver(), std::vector<std::string>{}) << "no channel was read here";
}

TEST_F(StoreTest, RecordingOnAClosedStoreIsAnErrorNotASilentLoss) {
  auto a = Enqueue(*store_, "");
  store_->Close();
  Outcomes o;
  o.delivered = {a};
  auto st = store_->RecordOutcomes(o, 10);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().slug, "store_closed");
}

}  // namespace
}  // namespace dixian::store::testing
