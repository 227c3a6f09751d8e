#include "tests/store/store_fixture.h"
#include "adapters/store/sql/write_tx.h"

#include <map>

namespace dixian::store::testing {
namespace {

// The groupings the monitoring report derives from CountMonitoring's type x status x cause rows
// (removed objects, 清退, count by status only), in key order.
enum Grouping { ByType, ByStatus, ByTypeAndCause };
std::vector<engine::CountRow> GroupMonitoring(const std::vector<engine::CountRow>& rows, Grouping g) {
  std::map<std::pair<std::string, std::string>, engine::CountRow> groups;
  for (const auto& r : rows) {
    if (g != ByStatus && r.key2 == "removed") continue;
    const std::string key = g == ByStatus ? r.key2 : r.key, key2 = g == ByTypeAndCause ? r.key3 : "";
    auto& to = groups[{key, key2}];
    to.key = key, to.key2 = key2;
    to.households += r.households, to.persons += r.persons;
  }
  std::vector<engine::CountRow> out;
  for (auto& [_, r] : groups) out.push_back(std::move(r));
  return out;
}

// 52 province / 5201 county / 520101 + 520102 townships / villages below them.
class QueriesTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    province_ = MakeOrg("52", "province");
    county_ = MakeOrg("5201", "county", &province_);
    town_a_ = MakeOrg("520101", "township", &county_);
    town_b_ = MakeOrg("520102", "township", &county_);
    village_a_ = MakeOrg("520101001", "village", &town_a_);
    village_b_ = MakeOrg("520102001", "village", &town_b_);
    // A sibling whose path is a string prefix of town_a_'s would be wrong; "5201010" is not below
    // "520101/" because paths end with '/'.
    town_c_ = MakeOrg("5201010", "township", &county_);
    MustWrite(*store_, [&](WriteTx& tx) {
      for (const auto* o : {&province_, &county_, &town_a_, &town_b_, &village_a_, &village_b_,
                            &town_c_})
        ASSERT_TRUE(tx.InsertOrg(*o).ok());
    });
  }

  void AddMonitored(WriteTx& tx, const std::string& id, const engine::Org& village, int members,
                    const std::string& type, const std::string& status,
                    const std::string& cause) {
    ASSERT_TRUE(tx.InsertHousehold(MakeHousehold(id, village, members)).ok());
    engine::MonitoringObject m;
    m.household = id;
    m.type = engine::Parse<engine::MonitoringType>(type).value();
    m.status = engine::Parse<engine::MonitoringStatus>(status).value();
    m.primary_cause = engine::Parse<engine::Cause>(cause).value();
    m.causes = {*m.primary_cause, engine::Cause::kOther};
    tx.UpsertMonitoring(m);
  }

  engine::Org province_, county_, town_a_, town_b_, town_c_, village_a_, village_b_;
};

TEST_F(QueriesTest, OrgsAndChildren) {
  auto view = store_->Read();
  auto county = view->FindOrg("5201");
  ASSERT_TRUE(county.has_value());
  EXPECT_EQ(county->path, "/52/5201/");
  EXPECT_EQ(county->parent, "52");
  auto children = view->ChildOrgs("5201");
  ASSERT_EQ(children.size(), 3u);
  EXPECT_EQ(children[0].code, "520101");
  EXPECT_EQ(view->FindOrg("52")->parent, "");
  auto dup = store_->Run([&](WriteTx& tx) -> Result<Json> {
    auto st = tx.InsertOrg(county_);
    if (!st) return st.error();
    return Json();
  });
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, engine::ErrorCode::kConflict);
}

TEST_F(QueriesTest, UsersAndTokens) {
  engine::User u;
  u.id = "u1";
  u.name = "张三";
  u.role = engine::Role::kVillageClerk;
  u.org = village_a_.code;
  u.org_path = village_a_.path;
  u.mobile = "13800001234";
  engine::User admin;
  admin.id = "admin";
  admin.role = engine::Role::kAdmin;
  admin.name = "管理员";
  MustWrite(*store_, [&](WriteTx& tx) {
    ASSERT_TRUE(tx.InsertUser(u, "hash-1").ok());
    ASSERT_TRUE(tx.InsertUser(admin, "").ok());
  });
  auto view = store_->Read();
  EXPECT_EQ(view->FindUserByTokenHash("hash-1")->id, "u1");
  EXPECT_FALSE(view->FindUserByTokenHash("").has_value());
  EXPECT_EQ(view->FindUser("u1")->mobile, "13800001234");
  EXPECT_EQ(view->UsersAt(village_a_.code, engine::Role::kVillageClerk).size(), 1u);
  EXPECT_TRUE(view->UsersAt(village_a_.code, engine::Role::kTownshipReviewer).empty());
}

TEST_F(QueriesTest, SubtreeQueriesExcludeSiblings) {
  MustWrite(*store_, [&](WriteTx& tx) {
    tx.InsertTask(MakeTask("h1", village_a_.path, "village_clerk"));
    tx.InsertTask(MakeTask("h2", town_a_.path, "township_reviewer"));
    tx.InsertTask(MakeTask("h3", town_b_.path, "township_reviewer"));
    tx.InsertTask(MakeTask("h4", town_c_.path, "township_reviewer"));
    auto assigned = MakeTask("h5", town_b_.path, "contact_person");
    assigned.assignee = "u9";
    tx.InsertTask(assigned);
    auto dept = MakeTask("h6", county_.path, "department_officer");
    dept.department = engine::Department::kMedical;
    tx.InsertTask(dept);
    auto done = MakeTask("h7", town_a_.path, "township_reviewer");
    done.status = engine::TaskStatus::kDone;
    tx.InsertTask(done);
  });
  auto view = store_->Read();
  auto in_a = view->OpenTasksInSubtree(town_a_.path, {}, std::nullopt, "", 100);
  ASSERT_EQ(in_a.size(), 2u);  // h1 and h2; not the sibling 5201010, not the done task
  EXPECT_EQ(view->OpenTasksInSubtree(town_a_.path, {engine::Role::kTownshipReviewer}, std::nullopt, "", 100).size(), 1u);
  EXPECT_EQ(view->OpenTasksInSubtree(town_a_.path, {}, std::nullopt, "u9", 100).size(), 3u);
  EXPECT_EQ(view->OpenTasksInSubtree(county_.path, {}, engine::Department::kMedical, "", 100).size(), 1u);
  EXPECT_EQ(view->OpenTasksInSubtree(province_.path, {}, std::nullopt, "", 100).size(), 6u);
  EXPECT_EQ(view->OpenTasksInSubtree(province_.path, {}, std::nullopt, "", 2).size(), 2u);
  EXPECT_EQ(view->CountOpenTasks(), 6);
  EXPECT_EQ(view->CountOverdueTasks(2000), 6);
  EXPECT_EQ(view->CountOverdueTasks(1999), 0);
  EXPECT_EQ(view->OpenTasksOfHousehold("h1").size(), 1u);
  EXPECT_EQ(view->OpenTasksOfCase("C1").size(), 6u);
}

TEST_F(QueriesTest, TaskRoundTripAndTimers) {
  std::int64_t early = 0, late = 0;
  MustWrite(*store_, [&](WriteTx& tx) {
    auto t = MakeTask("h1", village_a_.path, "village_clerk");
    t.next_fire_at = 500;
    t.period = "2026-03";
    early = tx.InsertTask(t);
    t.next_fire_at = 300;
    late = tx.InsertTask(t);
    t.next_fire_at.reset();
    tx.InsertTask(t);
    EXPECT_EQ(tx.NextFireAt(), std::optional<engine::Instant>(300));
    auto due = tx.DueTasks(400, 10);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].id, late);
    EXPECT_EQ(tx.DueTasks(1000, 10).size(), 2u);
    EXPECT_EQ(tx.DueTasks(1000, 10)[0].id, late);  // earliest first

    auto task = *tx.FindTask(late);
    EXPECT_EQ(task.period, "2026-03");
    task.next_fire_at.reset();
    task.status = engine::TaskStatus::kDone;
    task.closed_at = 450;
    tx.UpdateTask(task);
    EXPECT_EQ(tx.NextFireAt(), std::optional<engine::Instant>(500));
    EXPECT_EQ(tx.FindTask(late)->closed_at, 450);
  });
  EXPECT_GT(early, 0);
}


// The narrow updates the engine uses on the hot paths write only their own columns.
TEST_F(QueriesTest, NarrowTaskUpdatesWriteOnlyTheirColumns) {
  MustWrite(*store_, [&](WriteTx& tx) {
    auto t = MakeTask("h1", village_a_.path, "village_clerk");
    t.next_fire_at = 500;
    t.id = tx.InsertTask(t);

    auto fired = t;
    fired.fire_index = 2;
    fired.next_fire_at = 900;
    fired.step = "ignored by UpdateTaskTimer";
    tx.UpdateTaskTimer(fired);
    auto read = *tx.FindTask(t.id);
    EXPECT_EQ(read.fire_index, 2);
    EXPECT_EQ(read.next_fire_at, std::optional<engine::Instant>(900));
    EXPECT_EQ(read.step, t.step);
    EXPECT_EQ(read.status, engine::TaskStatus::kOpen);

    auto closed = read;
    closed.status = engine::TaskStatus::kDone;
    closed.closed_at = 700;
    tx.UpdateTaskClosed(closed);
    read = *tx.FindTask(t.id);
    EXPECT_EQ(read.status, engine::TaskStatus::kDone);
    EXPECT_EQ(read.closed_at, 700);
    EXPECT_FALSE(read.next_fire_at.has_value());  // a closed task never keeps a timer
    EXPECT_EQ(read.fire_index, 2);

    tx.UpdateTaskTimer(fired);  // a late timer update cannot revive a closed task's timer
    EXPECT_FALSE(tx.FindTask(t.id)->next_fire_at.has_value());
    EXPECT_FALSE(tx.NextFireAt().has_value());
  });
  // Closing counts the task out of its group once: closing it again (another status) writes the
  // row, not the counter; a second open task of the group keeps it at one.
  auto open_in_group = [this] {
    std::int64_t open = 0;
    for (const auto& g : store_->Read()->OpenTaskGroups("/", 0)) open += g.open;
    return open;
  };
  std::int64_t second = 0, first = 0;
  MustWrite(*store_, [&](WriteTx& tx) {
    first = tx.InsertTask(MakeTask("h1", village_a_.path, "village_clerk"));
    second = tx.InsertTask(MakeTask("h1", village_a_.path, "village_clerk"));
  });
  EXPECT_EQ(open_in_group(), 2);
  for (const auto status : {engine::TaskStatus::kDone, engine::TaskStatus::kCancelled}) {
    MustWrite(*store_, [&](WriteTx& tx) {
      auto task = *tx.FindTask(first);
      task.status = status;
      task.closed_at = 800;
      tx.UpdateTaskClosed(task);
      EXPECT_EQ(tx.FindTask(first)->status, status);
    });
    EXPECT_EQ(open_in_group(), 1);
  }
  EXPECT_EQ(store_->Read()->FindTask(second)->status, engine::TaskStatus::kOpen);
}
TEST_F(QueriesTest, TimerQueriesUseThePartialIndex) {
  if (dixian::testing::OnPostgres()) GTEST_SKIP() << "SQLite's query plan";
  auto conn = SqliteConnection::Open(path_, true, false, 1000);
  ASSERT_TRUE(conn.ok());
  // The claim query itself (DIXIAN_DUE_TASKS_WHERE): a seek in tasks_timer, no sort, no scan.
  auto st = (*conn)->Prepare("EXPLAIN QUERY PLAN SELECT id" DIXIAN_DUE_TASKS_WHERE);
  st.Bind(1, std::int64_t{5}).Bind(2, std::int64_t{10});
  std::string plan;
  while (st.Step()) plan += st.Text(3) + "\n";
  EXPECT_NE(plan.find("SEARCH tasks USING INDEX tasks_timer (next_fire_at>? AND next_fire_at<?)"),
            std::string::npos) << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("SCAN"), std::string::npos) << plan;
}

TEST_F(QueriesTest, OutboxReadsUseThePendingIndex) {
  if (dixian::testing::OnPostgres()) GTEST_SKIP() << "SQLite's query plan";
  auto conn = SqliteConnection::Open(path_, true, false, 1000);
  ASSERT_TRUE(conn.ok());
  for (const char* sql :
       {"EXPLAIN QUERY PLAN SELECT channel_id FROM outbox INDEXED BY outbox_pending_channel WHERE status = 'pending'"
        " AND channel_id > 'a' ORDER BY channel_id LIMIT 1",
        "EXPLAIN QUERY PLAN SELECT id FROM outbox INDEXED BY outbox_pending_channel WHERE status = 'pending'"
        " AND channel_id = 'a' AND next_attempt_at <= 5 ORDER BY id LIMIT 200"}) {
    auto st = (*conn)->Prepare(sql);
    std::string plan;
    while (st.Step()) plan += st.Text(3) + "\n";
    EXPECT_NE(plan.find("outbox_pending_channel"), std::string::npos) << sql << "\n" << plan;
    EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;  // no sort of the backlog
  }
}

TEST_F(QueriesTest, CasesAndIds) {
  MustWrite(*store_, [&](WriteTx& tx) {
    ASSERT_TRUE(tx.InsertHousehold(MakeHousehold("h1", village_a_, 3)).ok());
    EXPECT_EQ(tx.NextCaseId(), "C00000001");
    EXPECT_EQ(tx.NextCaseId(), "C00000002");
    engine::Case c;
    c.id = "C00000002";
    c.workflow = "identification";
    c.workflow_version = 1;
    c.household = "h1";
    c.state = "draft";
    c.version = 1;
    c.org_path = village_a_.path;
    c.data = {{"type", "marginal"}};
    tx.InsertCase(c);
    c.state = "township_review";
    c.version = 2;
    tx.UpdateCase(c);
  });
  auto view = store_->Read();
  auto c = view->FindCase("C00000002");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->state, "township_review");
  EXPECT_EQ(c->data["type"], "marginal");
  EXPECT_EQ(view->OpenCasesOf("h1").size(), 1u);
  auto next = store_->Run([](WriteTx& tx) -> Result<Json> { return Json(tx.NextCaseId()); });
  EXPECT_EQ(*next, Json("C00000003"));
  // UpdateCase writes what a move changes; `closed` both ways (an open case's statement leaves
  // the column out, so reopening takes the other one).
  for (const bool closed : {true, false}) {
    MustWrite(*store_, [&](WriteTx& tx) {
      auto moved = tx.FindCase("C00000002");
      ASSERT_TRUE(moved.has_value());
      moved->state = closed ? "done" : "county_review";
      moved->version += 1;
      moved->closed = closed;
      moved->data["reason"] = closed ? "x" : "y";
      moved->department = engine::Department::kCivilAffairs;
      moved->threshold_warning = closed ? "w" : "";
      moved->last_actor = "u2";
      moved->last_from = "township_review";
      moved->updated_at = 77;
      tx.UpdateCase(*moved);
    });
    auto after = store_->Read()->FindCase("C00000002");
    ASSERT_TRUE(after.has_value());
    EXPECT_EQ(after->closed, closed);
    EXPECT_EQ(after->state, closed ? "done" : "county_review");
    EXPECT_EQ(after->data["reason"], closed ? "x" : "y");
    EXPECT_EQ(after->data["type"], "marginal");
    EXPECT_EQ(after->department, engine::Department::kCivilAffairs);
    EXPECT_EQ(after->threshold_warning, closed ? "w" : "");
    EXPECT_EQ(after->last_actor, "u2");
    EXPECT_EQ(after->last_from, "township_review");
    EXPECT_EQ(after->updated_at, 77);
    EXPECT_EQ(after->household, "h1");
    EXPECT_EQ(after->workflow, "identification");
    EXPECT_EQ(after->org_path, village_a_.path);
    EXPECT_EQ(store_->Read()->OpenCasesOf("h1").size(), closed ? 0u : 1u);
  }
}

TEST_F(QueriesTest, AuditIsAppendOnly) {
  MustWrite(*store_, [&](WriteTx& tx) {
    EXPECT_EQ(tx.LastAuditHash(), "");
    engine::AuditEvent e;
    e.at = 100;
    e.case_id = "C1";
    e.actor = "u1";
    e.action = "submit";
    e.hash = "h-1";
    EXPECT_EQ(tx.AppendAudit(e), 1);
    e.prev_hash = "h-1";
    e.hash = "h-2";
    EXPECT_EQ(tx.AppendAudit(e), 2);
    EXPECT_EQ(tx.LastAuditHash(), "h-2");
  });
  auto conn = OpenConnectionOrDie(path_);
  ASSERT_NE(conn, nullptr);
  auto update = conn->Exec("UPDATE audit SET comment = 'x' WHERE seq = 1");
  ASSERT_FALSE(update.ok());
  // The trigger's refusal (SQLite: SQLITE_CONSTRAINT_TRIGGER 1811; PostgreSQL: SQLSTATE 23001),
  // not another constraint.
  EXPECT_EQ(update.error().slug, "constraint_violation");
  EXPECT_NE(update.error().message.find(dixian::testing::OnPostgres() ? "23001" : "1811"),
            std::string::npos)
      << update.error().message;
  EXPECT_FALSE(conn->Exec("DELETE FROM audit").ok());
  if (dixian::testing::OnPostgres()) { EXPECT_FALSE(conn->Exec("TRUNCATE audit").ok()); }
  auto view = store_->Read();
  EXPECT_EQ(view->History("C1").size(), 2u);
  auto page = view->AuditPage(1, 10);
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].prev_hash, "h-1");
}

TEST_F(QueriesTest, ReportCounts) {
  MustWrite(*store_, [&](WriteTx& tx) {
    AddMonitored(tx, "a1", village_a_, 3, "marginal", "risk_active", "illness");
    AddMonitored(tx, "a2", village_a_, 4, "marginal", "risk_eliminated", "illness");
    AddMonitored(tx, "a3", village_a_, 2, "unstable_former_poor", "risk_active", "disability");
    AddMonitored(tx, "a4", village_a_, 5, "marginal", "removed", "illness");
    AddMonitored(tx, "b1", village_b_, 6, "sudden_hardship", "risk_active", "disaster");
    ASSERT_TRUE(tx.InsertHousehold(MakeHousehold("b2", village_b_, 9)).ok());  // not monitored
    for (const char* h : {"a1", "a1", "a2", "b1"}) {
      engine::Measure m;
      m.household = h;
      m.kind = "medical_aid";
      tx.InsertMeasure(m);
    }
    engine::Measure job;
    job.household = "a3";
    job.kind = "employment";
    tx.InsertMeasure(job);
  });
  auto view = store_->Read();
  auto by_type = GroupMonitoring(view->CountMonitoring(town_a_.path), ByType);
  ASSERT_EQ(by_type.size(), 2u);
  EXPECT_EQ(by_type[0].key, "marginal");
  EXPECT_EQ(by_type[0].households, 2);
  EXPECT_EQ(by_type[0].persons, 7);
  EXPECT_EQ(by_type[1].key, "unstable_former_poor");
  EXPECT_EQ(by_type[1].persons, 2);

  auto by_status = GroupMonitoring(view->CountMonitoring(county_.path), ByStatus);
  ASSERT_EQ(by_status.size(), 3u);
  EXPECT_EQ(by_status[0].key, "removed");
  EXPECT_EQ(by_status[1].key, "risk_active");
  EXPECT_EQ(by_status[1].households, 3);
  EXPECT_EQ(by_status[1].persons, 11);

  auto by_cause = GroupMonitoring(view->CountMonitoring(province_.path), ByTypeAndCause);
  ASSERT_EQ(by_cause.size(), 3u);
  EXPECT_EQ(by_cause[0].key, "marginal");
  EXPECT_EQ(by_cause[0].key2, "illness");
  EXPECT_EQ(by_cause[0].households, 2);

  auto coverage = view->MeasureCoverage(county_.path);
  ASSERT_EQ(coverage.size(), 3u);
  EXPECT_EQ(coverage[0].kind, "employment");
  EXPECT_EQ(coverage[1].kind, "medical_aid");
  EXPECT_EQ(coverage[1].type, "marginal");
  EXPECT_EQ(coverage[1].households, 2);  // a1 twice counts once
  EXPECT_EQ(coverage[2].type, "sudden_hardship");

  EXPECT_TRUE(view->CountMonitoring(town_c_.path).empty());
  auto m = view->FindMonitoring("a1");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->causes, (std::vector<engine::Cause>{engine::Cause::kIllness, engine::Cause::kOther}));
  EXPECT_EQ(view->MeasuresOf("a1").size(), 2u);
}

TEST_F(QueriesTest, VisitsChannelsSchedulesIdempotency) {
  MustWrite(*store_, [&](WriteTx& tx) {
    ASSERT_TRUE(tx.InsertHousehold(MakeHousehold("h1", village_a_, 3)).ok());
    engine::Visit v;
    v.household = "h1";
    v.mode = engine::VisitMode::kHome;
    v.user = "u1";
    v.at = 10;
    EXPECT_GT(tx.InsertVisit(v), 0);
    engine::Channel c;
    c.id = "ch1";
    c.org = county_.code;
    c.kind = "dingtalk";
    c.url = "https://example.invalid/hook";
    c.quiet_start_hour = 22;
    c.quiet_end_hour = 7;
    ASSERT_TRUE(tx.InsertChannel(c).ok());
    EXPECT_FALSE(tx.ScheduleNext("digest").has_value());
    tx.SetScheduleNext("digest", 100);
    tx.SetScheduleNext("digest", 200);
    EXPECT_EQ(tx.ScheduleNext("digest"), std::optional<engine::Instant>(200));
    tx.SaveIdempotent("u1", "POST /a", "k1", {"bh", 201, "{\"id\":\"C1\"}", 50});
    tx.SaveIdempotent("u1", "POST /b", "k1", {"bh", 201, "{}", 150});
    EXPECT_EQ(tx.PruneIdempotent(100, 10), 1);  // only the answer stored before 100
  });
  auto view = store_->Read();
  EXPECT_EQ(view->VisitsOf("h1").size(), 1u);
  ASSERT_EQ(view->ChannelsOf(county_.code).size(), 1u);
  EXPECT_EQ(view->ChannelsOf(county_.code)[0].quiet_start_hour, 22);
  auto channel = store_->FindChannel("ch1");
  ASSERT_TRUE(channel.ok() && channel->has_value());
  EXPECT_EQ((*channel)->url, "https://example.invalid/hook");
  EXPECT_FALSE(view->FindIdempotent("u1", "POST /a", "k1").has_value());
  auto reply = view->FindIdempotent("u1", "POST /b", "k1");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 201);
  EXPECT_EQ(reply->body_hash, "bh");
  EXPECT_EQ(reply->created_at, 150);
  EXPECT_FALSE(view->FindIdempotent("u2", "POST /b", "k1").has_value());
}

TEST_F(QueriesTest, ForeignKeysAreEnforced) {
  auto r = store_->Run([](WriteTx& tx) -> Result<Json> {
    engine::Visit v;
    v.household = "nobody";
    v.mode = engine::VisitMode::kHome;
    v.user = "u1";
    tx.InsertVisit(v);
    return Json();
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, engine::ErrorCode::kConflict);
}

}  // namespace
}  // namespace dixian::store::testing
