// The console's lists beside the inbox (已办, 我发起, 抄送我), household search, and console
// sessions (issue 19 items 7 and 8), through the same renderings the API answers with.
#include <gtest/gtest.h>

#include "adapters/http/worklist_views.h"
#include "engine/commands/sessions.h"
#include "engine/commands/worklists.h"
#include "tests/support/engine_fixture.h"

namespace dixian::testing {
namespace {

using engine::ErrorCode;

class WorklistsTest : public EngineFixture {
 protected:
  Json Done(const std::string& user) {
    auto r = engine::MyDone(*engine_, Who(user), 50);
    EXPECT_TRUE(r.ok());
    return r.ok() ? http::DoneJson(r.value()) : Json();
  }
  Json Started(const std::string& user) {
    auto r = engine::MyStarted(*engine_, Who(user), 50);
    EXPECT_TRUE(r.ok());
    return r.ok() ? http::StartedJson(r.value()) : Json();
  }
  Json Copied(const std::string& user) {
    auto r = engine::MyCopied(*engine_, Who(user));
    EXPECT_TRUE(r.ok());
    return r.ok() ? http::CopiedJson(r.value()) : Json();
  }
  std::vector<std::string> Found(const std::string& user, const std::string& text) {
    auto r = engine::SearchHouseholds(*engine_, Who(user), text, 20);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    std::vector<std::string> ids;
    if (r.ok())
      for (const auto& hit : http::HitsJson(r.value())) ids.push_back(hit["id"]);
    return ids;
  }
  std::string OpenIdentification(const std::string& clerk, const std::string& household) {
    return Open(clerk, "identification", household,
                {{"type", "marginal"}, {"primary_cause", "illness"}})["id"];
  }
};

TEST_F(WorklistsTest, DoneListsWhatTheCallerDidLatestPerCaseWithTheCaseAsItStandsNow) {
  const auto a = OpenIdentification("clerk_v11", "v11-1");
  const auto b = OpenIdentification("clerk_v11", "v11-2");
  MustAct("clerk_v11", a, "submit");
  MustAct("clerk_v11", b, "submit");
  MustAct("rev_t1", a, "return", "入户核实记录不全");
  MustAct("clerk_v11", a, "submit");
  MustAct("rev_t1", a, "approve");

  const Json clerk = Done("clerk_v11");
  ASSERT_EQ(clerk.size(), 2u);  // one row per case (the latest submit), creation is not 已办
  EXPECT_EQ(clerk[0]["case"], a);
  EXPECT_EQ(clerk[0]["action"], "submit");
  EXPECT_EQ(clerk[0]["action_label"], "提交乡镇审核");
  EXPECT_EQ(clerk[0]["step_label"], "村级入户核实与民主评议");
  EXPECT_EQ(clerk[0]["state"], "county_decision");
  EXPECT_EQ(clerk[0]["state_label"], "县级审定");
  EXPECT_EQ(clerk[0]["head_name"], "户主v111");
  EXPECT_EQ(clerk[1]["case"], b);
  EXPECT_EQ(clerk[1]["state"], "township_review");

  const Json reviewer = Done("rev_t1");
  ASSERT_EQ(reviewer.size(), 1u);
  EXPECT_EQ(reviewer[0]["action"], "approve");
  EXPECT_EQ(reviewer[0]["action_label"], "通过");
  EXPECT_TRUE(Done("rev_t2").empty());

  // Follow-ups count too: the county's handover confirmation, the township's measure.
  Admit("v11-3");
  const std::string handover = TasksNamed("v11-3", "handover")[0]["id"];
  Must(&api::CompleteTask, Who("county"), Json::object(), handover);
  const Json county = Done("county");
  ASSERT_GE(county.size(), 2u);
  EXPECT_EQ(county[0]["action"], "task_done");
  EXPECT_EQ(county[0]["household"], "v11-3");
  EXPECT_TRUE(county[0]["case"].is_null());
}

TEST_F(WorklistsTest, StartedListsTheCasesTheCallerOpenedNewestFirstWithWhoMustActNow) {
  const auto a = OpenIdentification("clerk_v11", "v11-1");
  MoveTo(Now() + 60);
  const auto b = OpenIdentification("clerk_v11", "v11-2");
  MustAct("clerk_v11", b, "submit");
  OpenIdentification("clerk_v21", "v21-1");

  const Json mine = Started("clerk_v11");
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0]["case"], b);
  EXPECT_EQ(mine[0]["workflow_label"], "识别纳入");
  EXPECT_EQ(mine[0]["state_label"], "乡镇审核");
  ASSERT_EQ(mine[0]["waiting"].size(), 1u);
  EXPECT_EQ(mine[0]["waiting"][0]["org"], "t1");
  EXPECT_EQ(mine[1]["case"], a);
  EXPECT_FALSE(mine[1]["closed"].get<bool>());
  EXPECT_TRUE(Started("clerk_v12").empty());
  EXPECT_TRUE(Started("rev_t1").empty());
}

TEST_F(WorklistsTest, CopiedListsOthersTasksEscalatedToTheCallersOrgOnly) {
  OpenIdentification("clerk_v11", "v11-1");  // village_fill: 5 working days, then +1wd -> township
  EXPECT_TRUE(Copied("rev_t1").empty());
  RunDueAt(At("2026-03-09T09:00:00+08:00"));  // overdue (day 6), rung 0 only: nobody copied
  EXPECT_TRUE(Copied("rev_t1").empty());
  RunDueAt(At("2026-03-11T09:00:00+08:00"));  // past +1wd: escalated to the township
  const Json t1 = Copied("rev_t1");
  ASSERT_EQ(t1.size(), 1u);
  EXPECT_EQ(t1[0]["household"], "v11-1");
  EXPECT_EQ(t1[0]["escalated_up"], 1);
  EXPECT_EQ(t1[0]["org"], "v11");
  EXPECT_TRUE(t1[0]["overdue"].get<bool>());
  EXPECT_TRUE(Copied("rev_t2").empty());      // another township
  EXPECT_TRUE(Copied("county").empty());      // not (yet) up to the county
  EXPECT_TRUE(Copied("clerk_v11").empty());   // the holder's own task is in 我的待办
  RunDueAt(At("2026-03-16T09:00:00+08:00"));  // past +3wd: up 2, the county
  const Json county = Copied("county");
  ASSERT_EQ(county.size(), 1u);
  EXPECT_EQ(county[0]["escalated_up"], 2);
  EXPECT_EQ(county[0]["org_name"], "东一村");
  EXPECT_EQ(Copied("rev_t1").size(), 1u);  // once copied, the township keeps it in view
}

TEST_F(WorklistsTest, ATownshipStepEscalatedPastTheCountyStaysCopiedToIt) {
  const auto a = OpenIdentification("clerk_v11", "v11-1");
  MustAct("clerk_v11", a, "submit");  // township_review: 3wd, then +1wd -> county, +3wd -> city
  ASSERT_TRUE(reads_.AdvanceClock(Admin(), 20 * 86400).ok());
  const Json county = Copied("county");
  ASSERT_EQ(county.size(), 1u);
  EXPECT_EQ(county[0]["step"], "township_review");
  EXPECT_EQ(county[0]["escalated_up"], 1);
  EXPECT_EQ(Copied("sup_city").size(), 1u);
  EXPECT_TRUE(Copied("sup_prov").empty());
}

TEST_F(WorklistsTest, SearchFindsHouseholdsByNumberOrHeadNameInsideTheCallersRemit) {
  EXPECT_EQ(Found("county", "v11-1"), (std::vector<std::string>{"v11-1"}));
  EXPECT_EQ(Found("county", "户主v21"),
            (std::vector<std::string>{"v21-1", "v21-2", "v21-3", "v21-4"}));
  EXPECT_EQ(Found("rev_t1", "户主v111"), (std::vector<std::string>{"v11-1"}));
  EXPECT_TRUE(Found("rev_t1", "v21-1").empty());  // another township's household reads as absent
  EXPECT_TRUE(Found("clerk_v12", "户主v11").empty());
  EXPECT_TRUE(Found("county", "%").empty());  // no pattern characters
  auto empty = engine::SearchHouseholds(*engine_, Who("county"), "", 20);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kUnprocessable);
}

class SessionsTest : public EngineFixture {
 protected:
  std::string NewUser(const std::string& id) {
    return Must(&api::CreateUser, Admin(),
                {{"id", id},
                 {"name", "会话测试"},
                 {"role", "township_reviewer"},
                 {"org", "t1"},
                 {"mobile", "13900000009"}})["token"];
  }
};

TEST_F(SessionsTest, ATokenBecomesASessionForAWorkingDay) {
  const std::string token = NewUser("rev_s");
  auto who = engine_->Authenticate(token);
  ASSERT_TRUE(who.ok());
  auto s = engine::StartSession(*engine_, who.value(), token);
  ASSERT_TRUE(s.ok());
  const Json j = http::SessionJson(s.value());
  EXPECT_EQ(j["expires_at"], "2026-03-02T21:00:00+08:00");
  EXPECT_EQ(j["me"]["id"], "rev_s");
  const std::string session = j["session"];
  EXPECT_EQ(session.find(token), std::string::npos);  // the user token is not in it
  auto by_session = engine_->Authenticate(session);
  ASSERT_TRUE(by_session.ok());
  EXPECT_EQ(by_session.value().user.id, "rev_s");

  // A session does not make another; the admin token makes none.
  auto again = engine::StartSession(*engine_, by_session.value(), session);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kUnprocessable);
  auto admin = engine::StartSession(*engine_, Admin(), "whatever");
  ASSERT_FALSE(admin.ok());
  EXPECT_EQ(admin.error().code, ErrorCode::kForbidden);

  MoveTo(At("2026-03-02T20:59:59+08:00"));
  EXPECT_TRUE(engine_->Authenticate(session).ok());
  MoveTo(At("2026-03-02T21:00:00+08:00"));
  auto late = engine_->Authenticate(session);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(SessionsTest, ForgedReissuedOrRevokedSessionsAreRefused) {
  const std::string token = NewUser("rev_s");
  auto s = engine::StartSession(*engine_, engine_->Authenticate(token).value(), token);
  ASSERT_TRUE(s.ok());
  const std::string session = s.value().token;
  // Another user's id or a later expiry under the same MAC.
  std::string other = session.substr(0, session.rfind('_') + 1) + "rev_t1";
  EXPECT_FALSE(engine_->Authenticate(other).ok());
  std::string later = session;
  later[5] = later[5] == '9' ? '8' : '9';
  EXPECT_FALSE(engine_->Authenticate(later).ok());
  EXPECT_FALSE(engine_->Authenticate("dxs1_garbage").ok());

  Must(&api::ReissueToken, Admin(), Json::object(), "rev_s");  // the old token's sessions end
  EXPECT_FALSE(engine_->Authenticate(session).ok());

  auto signed_in = engine::StartSessionFor(*engine_, "rev_t1");  // a chat platform's sign-in
  ASSERT_TRUE(signed_in.ok());
  EXPECT_EQ(engine_->Authenticate(signed_in.value().token).value().user.id, "rev_t1");
  Must(&api::RevokeUser, Admin(), Json::object(), "rev_t1");
  auto revoked = engine_->Authenticate(signed_in.value().token);
  ASSERT_FALSE(revoked.ok());
  EXPECT_EQ(revoked.error().code, ErrorCode::kUnauthenticated);
  EXPECT_FALSE(engine::StartSessionFor(*engine_, "rev_t1").ok());
  EXPECT_FALSE(engine::StartSessionFor(*engine_, "nobody").ok());
}

}  // namespace
}  // namespace dixian::testing
