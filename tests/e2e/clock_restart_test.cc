// The test clock (--fake-clock and POST /api/v1/admin/clock), crash and restart on the same
// database, graceful stop, and what the server writes to its log.
#include <atomic>
#include <thread>
#include <vector>

#include "tests/e2e/e2e_world.h"

namespace dixian::e2e {
namespace {

constexpr long long kDay = 86400;

class ClockTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    ASSERT_NO_FATAL_FAILURE(BuildWorld());
  }
  HttpResult Advance(long long seconds) { return Post("admin", "/api/v1/admin/clock", {{"advance_seconds", seconds}}); }
  static json Find(const json& tasks, const std::string& step) {
    for (const auto& t : tasks)
      if (t.value("step", "") == step) return t;
    return nullptr;
  }
};

TEST_F(ClockTest, AdvancingPastADeadlineMakesTheTaskOverdue) {
  AdmitH1();  // assign_contact is due 2 days after admission: 2026-03-05T00:00+08:00
  json before = Find(GetJson("reviewer1", "/api/v1/tasks"), "assign_contact");
  ASSERT_FALSE(before.is_null());
  EXPECT_EQ(before["overdue"], false);
  EXPECT_EQ(before["due_at"], "2026-03-05T00:00:00+08:00");
  EXPECT_EQ(GetJson("admin", "/api/v1/reports/overdue?org=c1")["overdue"], 0);

  auto r = Advance(kDay);
  ASSERT_EQ(r.status, 200) << Show(r);
  EXPECT_EQ(r.Json(), json({{"now", "2026-03-03T09:00:00+08:00"}}));
  EXPECT_EQ(Find(GetJson("reviewer1", "/api/v1/tasks"), "assign_contact")["overdue"], false);

  r = Advance(3 * kDay);
  ASSERT_EQ(r.status, 200) << Show(r);
  EXPECT_EQ(r.Json()["now"], "2026-03-06T09:00:00+08:00");
  const json after = Find(GetJson("reviewer1", "/api/v1/tasks"), "assign_contact");
  EXPECT_EQ(after["overdue"], true) << after.dump();
  EXPECT_EQ(Find(GetJson("reviewer1", "/api/v1/tasks"), "measures")["overdue"], false);  // due 03-13
  EXPECT_EQ(Find(GetJson("clerk1", "/api/v1/households/H1/tasks"), "assign_contact")["overdue"], true);

  const json report = GetJson("supervisor1", "/api/v1/reports/overdue?org=c1");
  EXPECT_EQ(report["overdue"], 2) << report.dump();  // handover (county) and assign_contact (t1)
  bool township_counted = false;
  for (const auto& row : report["by_org"])
    if (row["org"] == "t1") township_counted = row["overdue"] == 1;
  EXPECT_TRUE(township_counted) << report.dump();
  // New events are stamped with the engine clock.
  EXPECT_EQ(Put("reviewer1", "/api/v1/households/H1/contact", {{"user", "contact1"}}).status, 200);
  EXPECT_EQ(GetJson("admin", "/api/v1/audit/verify")["ok"], true);
}

TEST_F(ClockTest, TheClockCallIsAdminOnlyAndValidatesItsBody) {
  EXPECT_TRUE(IsErrorBody(Post("county1", "/api/v1/admin/clock", {{"advance_seconds", 60}}), 403));
  EXPECT_TRUE(IsErrorBody(server_->Client()->Request("POST", "/api/v1/admin/clock", R"({"advance_seconds":60})"), 401));
  EXPECT_TRUE(IsErrorBody(Advance(-5), 422));
  auto r = Post("admin", "/api/v1/admin/clock", json::object());
  EXPECT_TRUE(IsErrorBody(r, 422));
  EXPECT_NE(r.body.find("advance_seconds"), std::string::npos) << r.body;
  r = Advance(0);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["now"], kStart);
}

class SystemClockTest : public E2eTest {
 protected:
  ServerProcessOptions Options() override {
    auto o = E2eTest::Options();
    o.fake_clock.clear();
    return o;
  }
};

TEST_F(SystemClockTest, ClockCallIs404WithoutFakeClock) {
  EXPECT_TRUE(IsErrorBody(Post("admin", "/api/v1/admin/clock", {{"advance_seconds", 60}}), 404));
}

class RestartTest : public ClockTest {};

TEST_F(RestartTest, AcknowledgedActionSurvivesSigkill) {
  const std::string id = NewCase().value("id", "");
  auto r = Act("clerk1", id, "submit");
  ASSERT_EQ(r.status, 200) << Show(r);  // acknowledged: durable from here on
  r = Act("reviewer1", id, "approve", "同意");
  ASSERT_EQ(r.status, 200) << Show(r);

  server_->Kill();
  ASSERT_TRUE(server_->Restart()) << server_->error();

  // Tokens, the case, its history and the audit chain are all there.
  const json c = GetJson("county1", "/api/v1/cases/" + id);
  EXPECT_EQ(c["state"], "county_decision");
  EXPECT_EQ(c["version"], 3);
  ASSERT_EQ(c["tasks"].size(), 1u);
  const json history = GetJson("county1", "/api/v1/cases/" + id + "/history");
  ASSERT_EQ(history.size(), 3u) << history.dump();
  EXPECT_EQ(history[2]["action"], "approve");
  EXPECT_EQ(history[2]["comment"], "同意");
  const json audit = GetJson("admin", "/api/v1/audit/verify");
  EXPECT_EQ(audit["ok"], true) << audit.dump();

  // Work goes on after the restart.
  r = Act("county1", id, "approve", "审定纳入");
  ASSERT_EQ(r.status, 200) << Show(r);
  EXPECT_EQ(r.Json()["state"], "admitted");
  EXPECT_EQ(GetJson("clerk1", "/api/v1/households/H1")["monitoring"]["status"], "risk_active");
}

TEST_F(RestartTest, FakeClockRestartsAtTheGivenTimeAndDueTimersStillFire) {
  AdmitH1();
  ASSERT_EQ(Advance(kDay).status, 200);
  server_->Kill();
  ASSERT_TRUE(server_->Restart()) << server_->error();
  // The clock starts again at --fake-clock; the due times on record are unchanged.
  EXPECT_EQ(Advance(0).Json()["now"], kStart);
  ASSERT_EQ(Advance(4 * kDay).status, 200);
  EXPECT_EQ(Find(GetJson("reviewer1", "/api/v1/tasks"), "assign_contact")["overdue"], true);
  EXPECT_EQ(GetJson("admin", "/api/v1/audit/verify")["ok"], true);
}

TEST_F(RestartTest, SigtermStopsCleanlyAndDataSurvives) {
  const std::string id = NewCase().value("id", "");
  ASSERT_EQ(Act("clerk1", id, "submit").status, 200);
  EXPECT_EQ(server_->Stop(), 0) << server_->Log();
  EXPECT_FALSE(server_->running());
  ASSERT_TRUE(server_->Restart()) << server_->error();
  EXPECT_EQ(GetJson("reviewer1", "/api/v1/cases/" + id)["state"], "township_review");
  EXPECT_EQ(server_->Stop(), 0);
}

TEST_F(RestartTest, SigtermDuringRequestsKeepsEveryAcknowledgedWrite) {
  std::string csv = "id,village,head_name,members,income_per_capita\n";
  constexpr int kCases = 24;
  for (int i = 0; i < kCases; ++i) csv += "HC" + std::to_string(i) + ",v1,户主" + std::to_string(i) + ",3,4000\n";
  ASSERT_EQ(As("admin")->Request("POST", "/api/v1/households/import", csv, {{"Content-Type", "text/csv"}}).status, 200);

  std::vector<int> status(kCases, 0);
  std::vector<std::string> ids(kCases);
  std::atomic<int> answered{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      auto client = As("clerk1");
      for (int i = t; i < kCases; i += 4) {
        const json body = {{"workflow", "identification"}, {"household", "HC" + std::to_string(i)}, {"data", IdentificationData()}};
        auto r = client->Request("POST", "/api/v1/cases", body.dump());
        status[i] = r.status;
        if (r.status == 201) ids[i] = r.Json().value("id", "");
        ++answered;
      }
    });
  }
  while (answered.load() < 4) std::this_thread::yield();  // some writes are through, others in flight
  EXPECT_EQ(server_->Stop(), 0) << server_->Log();
  for (auto& c : clients) c.join();

  ASSERT_TRUE(server_->Restart()) << server_->error();
  int acknowledged = 0;
  for (int i = 0; i < kCases; ++i) {
    EXPECT_TRUE(status[i] == 201 || status[i] == 0 || status[i] == 503) << i << ": " << status[i];
    if (status[i] != 201) continue;
    ++acknowledged;
    const json c = GetJson("clerk1", "/api/v1/cases/" + ids[i]);
    EXPECT_EQ(c["household"], "HC" + std::to_string(i));
    EXPECT_EQ(c["state"], "village_fill");
  }
  EXPECT_GE(acknowledged, 4);
  EXPECT_EQ(GetJson("admin", "/api/v1/audit/verify")["ok"], true);
}

TEST_F(RestartTest, LogHasNoTokensOrFullMobileNumbers) {
  AdmitH1();
  ASSERT_EQ(Put("reviewer1", "/api/v1/households/H1/contact", {{"user", "contact1"}}).status, 200);
  ASSERT_EQ(Advance(5 * kDay).status, 200);  // reminders and escalations fire and are logged
  EXPECT_EQ(server_->Stop(), 0);
  const std::string log = server_->Log();
  EXPECT_NE(log.find("listening on"), std::string::npos);
  EXPECT_EQ(log.find(server_->admin_token()), std::string::npos);
  for (const auto& [user, token] : tokens_) EXPECT_EQ(log.find(token), std::string::npos) << user;
  EXPECT_EQ(log.find("13812345678"), std::string::npos);  // every user's mobile in BuildWorld
}

}  // namespace
}  // namespace dixian::e2e
