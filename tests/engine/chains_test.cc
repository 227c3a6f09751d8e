// Risk elimination (village > township > county > province files), removal (清退) and re-flag
// (风险消除回退): states, monitoring status and the follow-ups each final state changes.
#include <gtest/gtest.h>

#include "tests/support/engine_fixture.h"

namespace dixian::testing {
namespace {

using engine::ErrorCode;

class ChainsTest : public EngineFixture {
 protected:
  // An admitted household with its contact person, handover confirmed and a measure recorded.
  void Assisted(const std::string& household) {
    Admit(household);
    Must(&api::AssignContact, Who("rev_t1"), {{"user", "contact_a"}}, household);
    Must(&api::CompleteTask, Who("county"), Json::object(), TasksNamed(household, "handover")[0]["id"]);
    Must(&api::RecordMeasure, Who("rev_t1"), {{"kind", "medical"}, {"description", "大病医保倾斜"}, {"department", "medical"}},
         household);
  }
  std::string EliminateRisk(const std::string& household) {
    const std::string id = Open("clerk_v11", "risk_elimination", household)["id"];
    MustAct("clerk_v11", id, "submit");
    MustAct("rev_t1", id, "approve");
    MustAct("county", id, "approve");
    MustAct("prov", id, "approve");
    return id;
  }
};

TEST_F(ChainsTest, RiskEliminatedOnlyOnceTheProvinceFiles) {
  Assisted("v11-1");
  EXPECT_EQ(OpenSteps("v11-1"), (std::vector<std::string>{"national_entry", "visit"}));
  const std::string id = Open("clerk_v11", "risk_elimination", "v11-1")["id"];
  auto c = MustAct("clerk_v11", id, "submit");
  EXPECT_EQ(c["state"], "township_review");
  EXPECT_EQ(Monitoring("v11-1")["status"], "risk_active");
  c = MustAct("rev_t1", id, "approve");
  EXPECT_EQ(c["state"], "county_review");
  EXPECT_EQ(Monitoring("v11-1")["status"], "risk_active");
  c = MustAct("county", id, "approve");
  EXPECT_EQ(c["state"], "province_filing");
  ASSERT_EQ(c["tasks"].size(), 1u);
  EXPECT_EQ(c["tasks"][0]["org"], "prov");
  EXPECT_EQ(c["tasks"][0]["role"], "province_officer");
  // 10 working days from Monday 2026-03-02: Mar 3..6, 9..13, 16 -> the end of Mar 16.
  EXPECT_EQ(c["tasks"][0]["due_at"], "2026-03-17T00:00:00+08:00");
  EXPECT_EQ(Monitoring("v11-1")["status"], "risk_active");  // the county's approval is not enough
  auto county = Act("county", id, "approve");
  ASSERT_FALSE(county.ok());
  EXPECT_EQ(county.error().code, ErrorCode::kForbidden);

  c = MustAct("prov", id, "approve");
  EXPECT_EQ(c["state"], "done");
  EXPECT_EQ(c["closed"], true);
  EXPECT_EQ(c["version"], 5);
  EXPECT_EQ(Monitoring("v11-1")["status"], "risk_eliminated");
  // Monthly visits stop, quarterly visits start, still with the same contact person.
  EXPECT_EQ(OpenSteps("v11-1"), (std::vector<std::string>{"national_entry", "visit_quarterly"}));
  const auto q = TasksNamed("v11-1", "visit_quarterly")[0];
  EXPECT_EQ(q["period"], "2026-Q1");
  EXPECT_EQ(q["due_at"], "2026-04-01T00:00:00+08:00");
  EXPECT_EQ(q["assignee"], "contact_a");
  EXPECT_EQ(Rows("SELECT status FROM tasks WHERE step = 'visit'")[0]["status"], "cancelled");
  // A visit closes the quarter and opens the next one.
  SetNow("2026-03-20T10:00:00+08:00");
  Must(&api::LogVisit, Who("contact_a"), {{"mode", "home"}, {"note", "季度走访"}}, "v11-1");
  EXPECT_EQ(TasksNamed("v11-1", "visit_quarterly")[0]["period"], "2026-Q2");
  EXPECT_EQ(TasksNamed("v11-1", "visit_quarterly")[0]["due_at"], "2026-07-01T00:00:00+08:00");
}

TEST_F(ChainsTest, ProvinceReturnsToCounty) {
  Assisted("v11-1");
  const std::string id = Open("clerk_v11", "risk_elimination", "v11-1")["id"];
  MustAct("clerk_v11", id, "submit");
  MustAct("rev_t1", id, "approve");
  MustAct("county", id, "approve");
  auto c = MustAct("prov", id, "return", "收入佐证不足");
  EXPECT_EQ(c["state"], "county_review");
  EXPECT_EQ(Monitoring("v11-1")["status"], "risk_active");
  MustAct("county", id, "approve");
  EXPECT_EQ(MustAct("prov", id, "approve")["state"], "done");
  EXPECT_EQ(Monitoring("v11-1")["status"], "risk_eliminated");
}

TEST_F(ChainsTest, RemovalWithAReasonRemovesAndCancelsFollowUps) {
  Admit("v11-1");
  auto missing = Run(&api::CreateCase, Who("clerk_v11"), {{"workflow", "removal"}, {"household", "v11-1"}});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("data.reason"), std::string::npos) << missing.error().message;
  const std::string id = Open("clerk_v11", "removal", "v11-1", {{"reason", "car"}})["id"];
  MustAct("clerk_v11", id, "submit");
  EXPECT_EQ(MustAct("rev_t1", id, "approve")["state"], "public_notice");
  RunDueAt(At("2026-03-10T00:00:00+08:00"));  // the township notice's 7 days pass
  EXPECT_EQ(Monitoring("v11-1")["status"], "risk_active");
  auto c = MustAct("county", id, "approve");
  EXPECT_EQ(c["state"], "done");
  EXPECT_EQ(c["data"]["reason"], "car");
  EXPECT_EQ(Monitoring("v11-1")["status"], "removed");
  EXPECT_TRUE(HouseholdTasks("v11-1").empty());
  EXPECT_EQ(Rows("SELECT COUNT(*) AS n FROM tasks WHERE household = 'v11-1' AND case_id = '' AND status = 'cancelled'")[0]["n"],
            5);
  // A removed household is no longer a monitoring object for visits and measures.
  auto measure = Run(&api::RecordMeasure, Who("rev_t1"), {{"kind", "medical"}, {"description", "x"}}, "v11-1");
  ASSERT_FALSE(measure.ok());
  EXPECT_EQ(measure.error().code, ErrorCode::kUnprocessable);
}

TEST_F(ChainsTest, ReflagBringsBackMonthlyVisitsAndMeasures) {
  Assisted("v11-1");
  EliminateRisk("v11-1");
  SetNow("2026-04-08T10:00:00+08:00");
  auto not_allowed = Run(&api::CreateCase, Who("clerk_v11"), {{"workflow", "reflag"}, {"household", "v11-2"}});
  ASSERT_FALSE(not_allowed.ok());  // not a risk-eliminated object
  EXPECT_EQ(not_allowed.error().code, ErrorCode::kUnprocessable);
  const std::string id = Open("clerk_v11", "reflag", "v11-1", {{"primary_cause", "disaster"}})["id"];
  MustAct("clerk_v11", id, "submit");
  MustAct("rev_t1", id, "approve");
  EXPECT_EQ(Monitoring("v11-1")["status"], "risk_eliminated");
  auto c = MustAct("county", id, "approve");
  EXPECT_EQ(c["state"], "done");
  const auto m = Monitoring("v11-1");
  EXPECT_EQ(m["status"], "risk_active");
  EXPECT_EQ(m["primary_cause"], "disaster");
  EXPECT_EQ(OpenSteps("v11-1"), (std::vector<std::string>{"measures", "national_entry", "visit"}));
  const auto visit = TasksNamed("v11-1", "visit")[0];
  EXPECT_EQ(visit["period"], "2026-04");
  EXPECT_EQ(visit["due_at"], "2026-05-01T00:00:00+08:00");
  EXPECT_EQ(visit["assignee"], "contact_a");
  EXPECT_EQ(TasksNamed("v11-1", "measures")[0]["due_at"], "2026-04-19T00:00:00+08:00");  // 10d
  EXPECT_EQ(Rows("SELECT status FROM tasks WHERE step = 'visit_quarterly' ORDER BY id DESC LIMIT 1")[0]["status"],
            "cancelled");
}

TEST_F(ChainsTest, ReflagRefusesAnUnknownCause) {
  SeedMonitored("v11-1", "marginal", "illness", "risk_eliminated");
  auto r = Run(&api::CreateCase, Who("clerk_v11"),
               {{"workflow", "reflag"}, {"household", "v11-1"}, {"data", {{"primary_cause", "bad_luck"}}}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnprocessable);
  EXPECT_NE(r.error().message.find("data.primary_cause"), std::string::npos) << r.error().message;
}

TEST_F(ChainsTest, OneOpenCasePerWorkflowAndHousehold) {
  Admit("v11-1");
  Open("clerk_v11", "alert", "v11-1", {{"item", "medical"}});
  auto dup = Run(&api::CreateCase, Who("clerk_v11"),
                 {{"workflow", "alert"}, {"household", "v11-1"}, {"data", {{"item", "housing"}}}});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kConflict);
  // Another chain on the same household is fine.
  EXPECT_EQ(Open("clerk_v11", "risk_elimination", "v11-1")["state"], "village_fill");
}

}  // namespace
}  // namespace dixian::testing
