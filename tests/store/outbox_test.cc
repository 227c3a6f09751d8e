#include "tests/store/store_fixture.h"

namespace dixian::store::testing {
namespace {

std::int64_t Enqueue(SqliteStore& store, const std::string& message_id, engine::Instant at = 0) {
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

TEST_F(StoreTest, OutboxMessageIdIsStable) {
  auto id = Enqueue(*store_, "");
  auto given = Enqueue(*store_, "custom-1");
  auto ready = store_->Ready(100, 10);
  ASSERT_EQ(ready.size(), 2u);
  EXPECT_EQ(ready[0].id, id);
  EXPECT_EQ(ready[0].message_id, "msg-" + std::to_string(id));
  EXPECT_EQ(ready[1].id, given);
  EXPECT_EQ(ready[1].message_id, "custom-1");
  EXPECT_EQ(ready[0].payload["mobiles"][0], "13800001234");
  store_->MarkRetry(id, 500, "timeout");
  auto again = store_->Ready(600, 10);
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
  const auto ready = store_->Ready(100, 500);
  ASSERT_FALSE(ready.empty());
  EXPECT_EQ(ready.back().channel_id, "quiet");  // the newest row, behind 599 of another robot
  EXPECT_LE(ready.size(), 500u);
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
  EXPECT_EQ(store_->Ready(100, 10).size(), 4u);
  const auto ready = store_->Ready(100, 10, {"busy", "other"});
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].channel_id, "quiet");
  EXPECT_EQ(store_->Ready(100, 10, {"it's \"odd\""}).size(), 4u);  // names travel as JSON
}

TEST_F(StoreTest, OutboxReadyRetryDeadRedrive) {
  auto a = Enqueue(*store_, "");
  auto b = Enqueue(*store_, "");
  auto c = Enqueue(*store_, "", 1000);  // not yet due
  EXPECT_EQ(store_->PendingCount(), 3);
  EXPECT_EQ(store_->Ready(100, 10).size(), 2u);
  EXPECT_EQ(store_->Ready(100, 1).size(), 1u);

  store_->MarkRetry(a, 300, "HTTP 502");
  auto ready = store_->Ready(100, 10);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].id, b);
  EXPECT_EQ(store_->Ready(300, 10).size(), 2u);

  store_->MarkDelivered({b}, 120);
  store_->MarkDead(a, "HTTP 400: bad payload");
  EXPECT_EQ(store_->PendingCount(), 1);
  auto dead = store_->Dead(10);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].id, a);
  EXPECT_EQ(dead[0].attempts, 2);
  EXPECT_EQ(dead[0].last_error, "HTTP 400: bad payload");

  EXPECT_EQ(store_->Redrive({a}, 2000), 1);
  EXPECT_TRUE(store_->Dead(10).empty());
  auto redriven = store_->Ready(2000, 10);
  ASSERT_EQ(redriven.size(), 2u);  // a again, and c now due
  EXPECT_EQ(redriven[0].id, a);
  EXPECT_EQ(redriven[0].attempts, 0);
  EXPECT_EQ(redriven[1].id, c);
}

TEST_F(StoreTest, RedriveWithoutIdsTakesEveryDeadMessage) {
  auto a = Enqueue(*store_, "");
  auto b = Enqueue(*store_, "");
  Enqueue(*store_, "");
  store_->MarkDead(a, "x");
  store_->MarkDead(b, "y");
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

}  // namespace
}  // namespace dixian::store::testing
