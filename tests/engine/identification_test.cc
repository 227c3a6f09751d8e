// Identification (识别纳入): every path through the chain on the real engine and store.
#include <gtest/gtest.h>

#include "tests/support/engine_fixture.h"

namespace dixian::testing {
namespace {

using engine::ErrorCode;

class IdentificationTest : public EngineFixture {
 protected:
  Json NewCase(const std::string& household = "v11-1", Json data = {{"type", "marginal"},
                                                                     {"primary_cause", "illness"},
                                                                     {"causes", {"illness", "disability"}},
                                                                     {"income_per_capita", 4000}}) {
    return Open("clerk_v11", "identification", household, data);
  }
  std::vector<std::string> Actions(const std::string& case_id) {
    std::vector<std::string> out;
    for (const auto& e : History(case_id)) out.push_back(e["action"].get<std::string>() + ":" + e["from"].get<std::string>() + ">" + e["to"].get<std::string>());
    return out;
  }
  // Channels of the new_task messages, oldest first.
  std::vector<std::string> NewTaskChannels() {
    std::vector<std::string> out;
    for (const auto& m : Outbox("new_task")) out.push_back(m["channel"].get<std::string>() + ":" + m["payload"]["step"].get<std::string>());
    return out;
  }
};

void ExpectOneTask(const Json& c, const std::string& step, const std::string& org, const std::string& role,
                   const std::string& due) {
  ASSERT_EQ(c["tasks"].size(), 1u) << c.dump(2);
  const auto& t = c["tasks"][0];
  EXPECT_EQ(t["step"], step);
  EXPECT_EQ(t["org"], org);
  EXPECT_EQ(t["role"], role);
  EXPECT_EQ(t["due_at"], due);
}

TEST_F(IdentificationTest, SubmitApproveApproveAdmitsAndOpensFollowUps) {
  const auto created = NewCase();
  const std::string id = created["id"];
  EXPECT_EQ(created["state"], "village_fill");
  EXPECT_EQ(created["version"], 1);
  // 5 working days from Monday 2026-03-02: Mar 3,4,5,6,9 -> the end of Mar 9.
  ExpectOneTask(created, "village_fill", "v11", "village_clerk", "2026-03-10T00:00:00+08:00");

  auto c = MustAct("clerk_v11", id, "submit");
  EXPECT_EQ(c["state"], "township_review");
  EXPECT_EQ(c["version"], 2);
  ExpectOneTask(c, "township_review", "t1", "township_reviewer", "2026-03-06T00:00:00+08:00");  // 3wd

  c = MustAct("rev_t1", id, "approve");
  EXPECT_EQ(c["state"], "county_decision");
  EXPECT_EQ(c["version"], 3);
  ExpectOneTask(c, "county_decision", "county", "county_officer", "2026-03-10T00:00:00+08:00");  // 5wd

  c = MustAct("county", id, "approve");
  EXPECT_EQ(c["state"], "admitted");
  EXPECT_EQ(c["version"], 4);
  EXPECT_EQ(c["closed"], true);
  EXPECT_TRUE(c["tasks"].empty());

  const auto m = Monitoring("v11-1");
  EXPECT_EQ(m["type"], "marginal");
  EXPECT_EQ(m["status"], "risk_active");
  EXPECT_EQ(m["primary_cause"], "illness");
  EXPECT_EQ(m["causes"], Json({"illness", "disability"}));
  EXPECT_EQ(m["admitted_at"], "2026-03-02T09:00:00+08:00");
  EXPECT_TRUE(m["contact"].is_null());

  EXPECT_EQ(OpenSteps("v11-1"), (std::vector<std::string>{"assign_contact", "handover", "measures", "national_entry", "visit"}));
  EXPECT_EQ(TasksNamed("v11-1", "handover")[0]["org"], "county");
  EXPECT_EQ(TasksNamed("v11-1", "handover")[0]["due_at"], "2026-03-05T00:00:00+08:00");  // 2d
  EXPECT_EQ(TasksNamed("v11-1", "assign_contact")[0]["org"], "t1");
  EXPECT_EQ(TasksNamed("v11-1", "measures")[0]["due_at"], "2026-03-13T00:00:00+08:00");  // 10d
  const auto visit = TasksNamed("v11-1", "visit")[0];
  EXPECT_EQ(visit["org"], "v11");
  EXPECT_EQ(visit["role"], "contact_person");
  EXPECT_EQ(visit["period"], "2026-03");
  EXPECT_EQ(visit["due_at"], "2026-04-01T00:00:00+08:00");
  EXPECT_TRUE(visit["case"].is_null());

  EXPECT_EQ(Actions(id), (std::vector<std::string>{"create:>village_fill", "submit:village_fill>township_review",
                                                   "approve:township_review>county_decision",
                                                   "approve:county_decision>admitted"}));
  const auto history = History(id);
  EXPECT_EQ(history[1]["actor"], "clerk_v11");
  EXPECT_EQ(history[2]["actor"], "rev_t1");
  EXPECT_EQ(history[3]["actor"], "county");
  EXPECT_EQ(NewTaskChannels(),
            (std::vector<std::string>{"ch-v11:village_fill", "ch-t1:township_review", "ch-county:county_decision",
                                      "ch-county:handover", "ch-t1:assign_contact", "ch-t1:measures", "ch-v11:visit", "ch-t1:national_entry"}));
  EXPECT_TRUE(Outbox("overdue").empty());
}

TEST_F(IdentificationTest, ReturnAtTownshipAndResubmit) {
  const std::string id = NewCase()["id"];
  MustAct("clerk_v11", id, "submit");
  auto c = MustAct("rev_t1", id, "return", "缺少民主评议记录");
  EXPECT_EQ(c["state"], "village_fill");
  EXPECT_EQ(c["version"], 3);
  ExpectOneTask(c, "village_fill", "v11", "village_clerk", "2026-03-10T00:00:00+08:00");
  EXPECT_EQ(History(id)[2]["comment"], "缺少民主评议记录");
  c = MustAct("clerk_v11", id, "submit");
  EXPECT_EQ(c["state"], "township_review");
  EXPECT_EQ(c["version"], 4);
  MustAct("rev_t1", id, "approve");
  c = MustAct("county", id, "approve");
  EXPECT_EQ(c["state"], "admitted");
  EXPECT_EQ(c["version"], 6);
  EXPECT_EQ(Monitoring("v11-1")["status"], "risk_active");
}

TEST_F(IdentificationTest, ReturnAtCountyAndResubmit) {
  const std::string id = NewCase()["id"];
  MustAct("clerk_v11", id, "submit");
  MustAct("rev_t1", id, "approve");
  auto c = MustAct("county", id, "return", "收入核算有误");
  EXPECT_EQ(c["state"], "township_review");
  EXPECT_EQ(c["version"], 4);
  ExpectOneTask(c, "township_review", "t1", "township_reviewer", "2026-03-06T00:00:00+08:00");
  EXPECT_TRUE(Monitoring("v11-1").is_null());
  MustAct("rev_t1", id, "approve");
  c = MustAct("county", id, "approve");
  EXPECT_EQ(c["state"], "admitted");
  EXPECT_EQ(c["version"], 6);
  EXPECT_EQ(Actions(id).back(), "approve:county_decision>admitted");
}

TEST_F(IdentificationTest, RejectAtTownship) {
  const std::string id = NewCase()["id"];
  MustAct("clerk_v11", id, "submit");
  auto c = MustAct("rev_t1", id, "reject", "家庭有财政供养人员");
  EXPECT_EQ(c["state"], "rejected");
  EXPECT_EQ(c["closed"], true);
  EXPECT_EQ(c["version"], 3);
  EXPECT_TRUE(c["tasks"].empty());
  EXPECT_TRUE(Monitoring("v11-1").is_null());
  EXPECT_TRUE(HouseholdTasks("v11-1").empty());
  EXPECT_EQ(Rows("SELECT status FROM tasks WHERE case_id = '" + id + "' AND status = 'open'").size(), 0u);
  // A closed case takes no more actions.
  auto again = Act("rev_t1", id, "approve");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kUnprocessable);
}

TEST_F(IdentificationTest, RejectAtCounty) {
  const std::string id = NewCase()["id"];
  MustAct("clerk_v11", id, "submit");
  MustAct("rev_t1", id, "approve");
  auto c = MustAct("county", id, "reject", "不符合纳入标准");
  EXPECT_EQ(c["state"], "rejected");
  EXPECT_EQ(c["version"], 4);
  EXPECT_TRUE(Monitoring("v11-1").is_null());
  EXPECT_TRUE(HouseholdTasks("v11-1").empty());
  // The household may be proposed again once the case is closed.
  EXPECT_EQ(NewCase()["state"], "village_fill");
}

TEST_F(IdentificationTest, WithdrawBySubmitterOnly) {
  const std::string id = NewCase()["id"];
  MustAct("clerk_v11", id, "submit");
  auto other = Act("rev_t1", id, "withdraw");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(Case(id)["version"], 2);
  auto c = MustAct("clerk_v11", id, "withdraw");
  EXPECT_EQ(c["state"], "village_fill");
  EXPECT_EQ(c["version"], 3);
  ExpectOneTask(c, "village_fill", "v11", "village_clerk", "2026-03-10T00:00:00+08:00");
  // From the county step the township reviewer who approved may withdraw, the clerk may not.
  MustAct("clerk_v11", id, "submit");
  MustAct("rev_t1", id, "approve");
  auto clerk = Act("clerk_v11", id, "withdraw");
  ASSERT_FALSE(clerk.ok());
  EXPECT_EQ(clerk.error().code, ErrorCode::kForbidden);
  c = MustAct("rev_t1", id, "withdraw");
  EXPECT_EQ(c["state"], "township_review");
  EXPECT_EQ(Actions(id).back(), "withdraw:county_decision>township_review");
}

// my_actions (MyActions asks WhyNot for every action of the state, CanAct words the refusals).
TEST_F(IdentificationTest, RepliesListTheCallersActions) {
  const std::string id = NewCase()["id"];
  auto c = MustAct("clerk_v11", id, "submit");
  EXPECT_EQ(c["my_actions"], Json::array({"withdraw"}));
  auto reviewer = reads_.GetCase(Who("rev_t1"), id);
  ASSERT_TRUE(reviewer.ok());
  EXPECT_EQ((*reviewer)["my_actions"], Json::array({"approve", "reject", "return"}));
  c = MustAct("rev_t1", id, "approve");
  EXPECT_EQ(c["my_actions"], Json::array({"withdraw"}));
  auto clerk = reads_.GetCase(Who("clerk_v11"), id);
  ASSERT_TRUE(clerk.ok());
  EXPECT_EQ((*clerk)["my_actions"], Json::array());
  auto refused = Act("clerk_v11", id, "approve");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);
  EXPECT_NE(refused.error().message.find("您的角色是"), std::string::npos) << refused.error().message;
}

TEST_F(IdentificationTest, WithdrawOnlyUndoesOwnForwardStep) {
  const std::string id = NewCase()["id"];
  MustAct("clerk_v11", id, "submit");
  MustAct("rev_t1", id, "approve");
  MustAct("county", id, "return", "请补充收入佐证");
  // The county moved the case into township_review by returning it: "withdraw" from here would
  // send it further down to the village, which is not undoing anything. Refused.
  auto county = Act("county", id, "withdraw");
  ASSERT_FALSE(county.ok());
  EXPECT_EQ(county.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(Case(id)["state"], "township_review");
  EXPECT_EQ(Case(id)["version"], 4);
}

TEST_F(IdentificationTest, FastTrackAdmitsAtOnceAndPaperworkFollows) {
  const std::string id = NewCase()["id"];
  auto refused = Act("rev_t1", id, "fast_track");  // only the county may fast-track
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);

  auto c = MustAct("county", id, "fast_track", "", {{"fast_track", true}});
  EXPECT_EQ(c["state"], "fast_tracked");
  EXPECT_EQ(c["version"], 2);
  EXPECT_EQ(c["closed"], false);
  ExpectOneTask(c, "fast_tracked", "v11", "village_clerk", "2026-03-13T00:00:00+08:00");  // 10d
  EXPECT_EQ(Monitoring("v11-1")["status"], "risk_active");
  EXPECT_EQ(Monitoring("v11-1")["admitted_at"], "2026-03-02T09:00:00+08:00");
  EXPECT_EQ(OpenSteps("v11-1"),
            (std::vector<std::string>{"assign_contact", "fast_tracked", "handover", "measures", "visit"}));

  SetNow("2026-03-04T10:00:00+08:00");  // Wednesday
  c = MustAct("clerk_v11", id, "submit");
  ExpectOneTask(c, "paperwork_township_review", "t1", "township_reviewer", "2026-03-10T00:00:00+08:00");  // 3wd
  c = MustAct("rev_t1", id, "approve");
  ExpectOneTask(c, "paperwork_county_confirm", "county", "county_officer", "2026-03-10T00:00:00+08:00");
  c = MustAct("county", id, "approve");
  EXPECT_EQ(c["state"], "admitted_after_relief");
  EXPECT_EQ(c["closed"], true);
  EXPECT_EQ(c["version"], 5);
  // Admission is not repeated: same admission time, one set of follow-ups.
  EXPECT_EQ(Monitoring("v11-1")["admitted_at"], "2026-03-02T09:00:00+08:00");
  EXPECT_EQ(OpenSteps("v11-1"), (std::vector<std::string>{"assign_contact", "handover", "measures", "national_entry", "visit"}));
}

TEST_F(IdentificationTest, FastTrackFromTownshipReview) {
  const std::string id = NewCase()["id"];
  MustAct("clerk_v11", id, "submit");
  auto c = MustAct("county", id, "fast_track");
  EXPECT_EQ(c["state"], "fast_tracked");
  EXPECT_EQ(Monitoring("v11-1")["status"], "risk_active");
}

TEST_F(IdentificationTest, ThresholdWarningRecordedWhenFiguresMissTheCriteria) {
  const auto warned = NewCase("v11-2", {{"type", "marginal"}, {"primary_cause", "illness"}, {"income_per_capita", 8000}});
  const std::string warning = warned.value("threshold_warning", "");
  EXPECT_NE(warning.find("8000"), std::string::npos) << warning;
  EXPECT_NE(warning.find("6000"), std::string::npos) << warning;  // config/thresholds.json income_line
  EXPECT_EQ(History(warned["id"])[0]["data"]["threshold_warning"], warning);
  // Below the line, a rigid-spending case and a sharp income drop give no warning.
  EXPECT_FALSE(NewCase("v11-3").contains("threshold_warning"));
  EXPECT_FALSE(NewCase("v11-4", {{"type", "marginal"}, {"primary_cause", "illness"}, {"income_per_capita", 9000},
                                 {"rigid_spending", 50000}, {"last_year_income", 30000}})
                   .contains("threshold_warning"));
  EXPECT_FALSE(Open("clerk_v12", "identification", "v12-1",
                    {{"type", "marginal"}, {"primary_cause", "accident"}, {"income_per_capita", 9000},
                     {"income_drop_ratio", 0.5}})
                   .contains("threshold_warning"));
}

TEST_F(IdentificationTest, MissingOrUnknownDataIsRefusedNamingTheField) {
  auto missing = Run(&api::CreateCase, Who("clerk_v11"),
                     {{"workflow", "identification"}, {"household", "v11-1"}, {"data", {{"type", "marginal"}}}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kUnprocessable);
  EXPECT_NE(missing.error().message.find("data.primary_cause"), std::string::npos) << missing.error().message;
  auto unknown = Run(&api::CreateCase, Who("clerk_v11"),
                     {{"workflow", "identification"}, {"household", "v11-1"},
                      {"data", {{"type", "rich"}, {"primary_cause", "illness"}}}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("data.type"), std::string::npos) << unknown.error().message;
  // An already monitored household cannot be identified again.
  Admit("v11-1");
  auto again = Run(&api::CreateCase, Who("clerk_v11"),
                   {{"workflow", "identification"}, {"household", "v11-1"},
                    {"data", {{"type", "marginal"}, {"primary_cause", "illness"}}}});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kUnprocessable);
}

}  // namespace
}  // namespace dixian::testing
