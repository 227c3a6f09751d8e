// What only the PostgreSQL store has: several processes on one database (one write lock, one
// audit chain, channel leases), and its own schema versioning. The PostgreSQL run of the suite
// runs these; the SQLite run skips all but the first.
#include <thread>

#include "adapters/store/postgres/pg_migrations.h"
#include "adapters/store/postgres/pg_store.h"
#include "adapters/store/sqlite/migrations.h"
#include "tests/store/store_fixture.h"

namespace dixian::store::testing {
namespace {

TEST(BothStores, MigrationsHaveTheSameNumbers) {
  std::vector<int> sqlite, postgres;
  for (const auto& m : Migrations()) sqlite.push_back(m.version);
  for (const auto& m : PgMigrations()) postgres.push_back(m.version);
  EXPECT_EQ(sqlite, postgres);
  EXPECT_EQ(LatestSchemaVersion(), PgLatestSchemaVersion());
}

class PostgresStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    if (!dixian::testing::OnPostgres()) GTEST_SKIP() << "PostgreSQL run only";
    StoreTest::SetUp();
  }
  // Another process's store on the same database.
  std::unique_ptr<PgStore> Other(PgOptions options = {}) {
    auto other = PgStore::Open(path_, options);
    EXPECT_TRUE(other.ok()) << other.error().message;
    return other ? std::move(other.value()) : nullptr;
  }
};

engine::OutboxMessage Message(const std::string& channel, const std::string& id) {
  engine::OutboxMessage m;
  m.message_id = id;
  m.channel_id = channel;
  m.kind = "new_task";
  m.payload = {{"task_id", "7"}};
  return m;
}

std::vector<std::string> ReadyIds(Database& store) {
  auto ready = store.Ready(1'000'000, 100, {});
  EXPECT_TRUE(ready.ok()) << ready.error().message;
  std::vector<std::string> ids;
  if (ready.ok())
    for (const auto& m : ready.value()) ids.push_back(m.message_id);
  return ids;
}

TEST_F(PostgresStoreTest, OneProcessAtATimeSendsAChannelAndADeadOnesChannelsAreTakenOver) {
  MustWrite(*store_, [](WriteTx& tx) {
    tx.InsertOutbox(Message("robot-a", "a1"));
    tx.InsertOutbox(Message("robot-a", "a2"));
    tx.InsertOutbox(Message("robot-b", "b1"));
  });
  auto second = Other();
  ASSERT_NE(second, nullptr);
  // The first process to read a channel's rows holds it; the other sees the rest only.
  EXPECT_EQ(ReadyIds(*store_), (std::vector<std::string>{"a1", "a2", "b1"}));
  EXPECT_EQ(ReadyIds(*second), std::vector<std::string>{});
  MustWrite(*second, [](WriteTx& tx) { tx.InsertOutbox(Message("robot-c", "c1")); });
  EXPECT_EQ(ReadyIds(*second), std::vector<std::string>{"c1"});
  EXPECT_EQ(ReadyIds(*store_), (std::vector<std::string>{"a1", "a2", "b1"})) << "renewed, kept";
  // Each channel is new to its first holder (its window is read), and a renewal is not news.
  EXPECT_EQ(store_->TakenOver(), (std::vector<std::string>{"robot-a", "robot-b"}));
  EXPECT_EQ(second->TakenOver(), std::vector<std::string>{"robot-c"});
  EXPECT_EQ(ReadyIds(*store_), (std::vector<std::string>{"a1", "a2", "b1"}));
  EXPECT_EQ(store_->TakenOver(), std::vector<std::string>{});
  // A busy channel (skipped: its sends are under way) keeps its lease too.
  ASSERT_TRUE(store_->Ready(1'000'000, 100, {"robot-a", "robot-b"}).ok());
  EXPECT_EQ(dixian::testing::ScalarDb(path_, "SELECT count(*) FROM outbox_leases WHERE channel_id = 'robot-a'"
                                             " AND until_ms > CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) + 10000"),
            "1");

  // A process whose leases have run out (as a killed one's do): the next reader takes them.
  PgOptions expired;
  expired.channel_lease_ms = -1;  // every lease it takes is over at once
  auto third = Other(expired);
  ASSERT_NE(third, nullptr);
  store_.reset();  // the first process dies holding robot-a and robot-b ...
  EXPECT_EQ(ReadyIds(*second), std::vector<std::string>{"c1"}) << "... whose leases still run";
  ASSERT_TRUE(dixian::testing::TryExecDb(path_, "UPDATE outbox_leases SET until_ms = 0"
                                                " WHERE channel_id <> 'robot-c'"));  // ... and end
  EXPECT_EQ(ReadyIds(*third), (std::vector<std::string>{"a1", "a2", "b1"}));
  EXPECT_EQ(third->TakenOver(), (std::vector<std::string>{"robot-a", "robot-b"})) << "from the dead one";
  EXPECT_EQ(ReadyIds(*second), (std::vector<std::string>{"a1", "a2", "b1", "c1"}))
      << "the third process's own leases end at once";
  EXPECT_EQ(second->TakenOver(), (std::vector<std::string>{"robot-a", "robot-b"}));
}

TEST_F(PostgresStoreTest, WritersOfTwoProcessesKeepOneAuditChainWithoutGaps) {
  auto second = Other();
  ASSERT_NE(second, nullptr);
  auto append = [](Database& store, const std::string& actor) {
    for (int i = 0; i < 40; ++i) {
      auto r = store.Run([&](WriteTx& tx) -> Result<Json> {
        engine::AuditEvent e;
        e.at = i;
        e.actor = actor;
        e.action = "note";
        e.prev_hash = tx.LastAuditHash();
        e.hash = actor + std::to_string(i);
        return Json(tx.AppendAudit(e));
      });
      EXPECT_TRUE(r.ok()) << r.error().message;
    }
  };
  std::thread a([&] { append(*store_, "a"); });
  std::thread b([&] { append(*second, "b"); });
  a.join();
  b.join();
  auto view = store_->Read();
  auto events = view->AuditPage(0, 1000);
  ASSERT_EQ(events.size(), 80u);
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].seq, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(events[i].prev_hash, i == 0 ? "" : events[i - 1].hash) << "seq " << events[i].seq;
  }
}

TEST_F(PostgresStoreTest, ADatabaseFromANewerBuildIsRefused) {
  store_.reset();
  ASSERT_TRUE(dixian::testing::TryExecDb(path_, "UPDATE schema_version SET version = 999"));
  auto reopened = OpenDatabase(path_);
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.error().slug, "schema_too_new");
  EXPECT_NE(reopened.error().message.find("999"), std::string::npos) << reopened.error().message;
}

TEST_F(PostgresStoreTest, TextWithANulCharacterIsRefusedNotCutShort) {
  auto r = store_->Run([](WriteTx& tx) -> Result<Json> {
    auto st = tx.InsertOrg(MakeOrg(std::string("bad\0code", 8), "province"));
    if (!st) return st.error();
    return Json::object();
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().slug, "invalid_value");
  EXPECT_FALSE(store_->Read()->FindOrg("bad").has_value());
}

}  // namespace
}  // namespace dixian::store::testing
