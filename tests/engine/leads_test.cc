// Leads (线索, issue 13 part 2): every source opens the village's verification task declared in
// workflows/leads.json; it ends in a case (linked both ways, an open one joined) or "no risk".
#include <gtest/gtest.h>

#include "adapters/http/json_views.h"
#include "engine/commands/leads.h"
#include "tests/support/engine_fixture.h"

namespace dixian::testing {
namespace {

using engine::ErrorCode;

constexpr const char* kLeadHead = "532931198005120016";
constexpr const char* kLeadSpouse = "532931198203150021";
constexpr const char* kLeadFarAway = "53293119550101004X";  // a member in v21 (township t2)

class LeadsTest : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    Must(&api::UpdateHousehold, Who("clerk_v11"),
         {{"expected_version", 1},
          {"members", Json::array({{{"name", "李国强"}, {"relation", "head"}, {"id_number", kLeadHead},
                                    {"labour", "full"}},
                                   {{"name", "王秀英"}, {"relation", "spouse"},
                                    {"id_number", kLeadSpouse}, {"labour", "weak"}}})}},
         "v11-1");
    Must(&api::UpdateHousehold, Who("clerk_v21"),
         {{"expected_version", 1},
          {"members", Json::array({{{"name", "张桂兰"}, {"relation", "head"},
                                    {"id_number", kLeadFarAway}, {"labour", "none"}}})}},
         "v21-1");
  }
  Json Leads(const std::string& who, const std::string& status = "") {
    auto r = engine::ListLeads(*engine_, Who(who), "", status);
    EXPECT_TRUE(r.ok());
    return r.ok() ? http::ToJson(r.value()) : Json();
  }
};

TEST_F(LeadsTest, ASelfReportOpensTheVillagesVerificationTaskWithItsDeadline) {
  auto lead = Must(&api::RecordLead, Who("clerk_v11"),
                   {{"household", "v11-1"}, {"source", "self_report"}, {"indicator", "大病住院"},
                    {"detail", "户主住院，自付医疗费 3.2 万元"}});
  EXPECT_EQ(lead["status"], "open");
  EXPECT_EQ(lead["source"], "self_report");
  EXPECT_EQ(lead["task"]["step"], "verify");
  EXPECT_EQ(lead["task"]["org"], "v11");
  EXPECT_EQ(lead["task"]["role"], "village_clerk");
  // 7 calendar days (workflows/leads.json; a local choice): opened Monday 2026-03-02.
  EXPECT_EQ(lead["task"]["due_at"], "2026-03-10T00:00:00+08:00");
  EXPECT_EQ(Audit("record_lead").size(), 1u);
  // Reminders and escalation like every task: overdue at the village, then the township.
  RunDueAt(At("2026-03-11T01:00:00+08:00"));
  bool township_told = false;
  for (const auto& m : Outbox("escalation")) township_told |= m["channel"] == "ch-t1";
  EXPECT_TRUE(township_told);
  EXPECT_EQ(Leads("rev_t1", "open").size(), 1u);
}

TEST_F(LeadsTest, ALeadByIdNumberFindsTheHouseholdAndUnknownOnesAreNamed) {
  auto lead = Must(&api::RecordLead, Who("dept_medical"),
                   {{"id_number", kLeadSpouse}, {"source", "department"}, {"indicator", "医疗自付超标"}});
  EXPECT_EQ(lead["household"], "v11-1");
  auto unknown = Run(&api::RecordLead, Who("clerk_v11"),
                     {{"id_number", "532931201009010038"}, {"source", "grassroots"},
                      {"indicator", "排查"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kUnprocessable);
  EXPECT_NE(unknown.error().message.find("id_number"), std::string::npos);
  // A member elsewhere reads exactly as an unknown one.
  auto elsewhere = Run(&api::RecordLead, Who("clerk_v11"),
                       {{"id_number", kLeadFarAway}, {"source", "grassroots"}, {"indicator", "排查"}});
  ASSERT_FALSE(elsewhere.ok());
  EXPECT_EQ(elsewhere.error().code, unknown.error().code);
  EXPECT_EQ(elsewhere.error().message.substr(0, 40), unknown.error().message.substr(0, 40));
  auto wrong = Run(&api::RecordLead, Who("clerk_v11"),
                   {{"id_number", "532931198005120017"}, {"source", "grassroots"},
                    {"indicator", "排查"}});
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("校验码"), std::string::npos);
  auto not_province = Run(&api::RecordLead, Who("clerk_v11"),
                          {{"household", "v11-1"}, {"source", "province"}, {"indicator", "x"}});
  ASSERT_FALSE(not_province.ok());
  EXPECT_EQ(not_province.error().code, ErrorCode::kForbidden);
}

TEST_F(LeadsTest, ADepartmentListMatchesByIdNumberWithoutLeakingOtherHouseholds) {
  const std::string csv = std::string("id_number,indicator,detail\n") + kLeadSpouse +
                          ",医疗自付超标,2026年2月自付 2.1 万元\n" + kLeadFarAway +
                          ",医疗自付超标,\n532931201009010038,医疗自付超标,\n";
  // The township t1's reviewer is no department; a department officer at the county sees both
  // townships, so use the county's view through a t1-only caller: rev_t1 may not import.
  auto refused = RunCsv(&api::ImportLeads, Who("rev_t1"), csv);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);
  auto r = RunCsv(&api::ImportLeads, Who("dept_medical"), csv);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)["matched"], 2);  // v11-1 and v21-1 are both in the county
  ASSERT_EQ((*r)["unmatched"].size(), 1u);
  EXPECT_EQ((*r)["unmatched"][0]["line"], 4);
  EXPECT_EQ(Leads("rev_t1").size(), 1u);  // each township sees its own
  EXPECT_EQ(Leads("rev_t2").size(), 1u);
  EXPECT_EQ(Leads("county").size(), 2u);
  EXPECT_EQ(Leads("county")[0]["source"], "department");
}

TEST_F(LeadsTest, ABrokenRowRefusesTheWholeListNamingIt) {
  const std::string csv = std::string("id_number,indicator,detail\n") + kLeadSpouse +
                          ",医疗自付超标,\n532931198005120017,医疗自付超标,\n" + kLeadHead + ",,\n";
  auto r = RunCsv(&api::ImportLeads, Who("dept_medical"), csv);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnprocessable);
  EXPECT_NE(r.error().message.find("第 3 行"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("第 4 行"), std::string::npos);
  EXPECT_NE(r.error().message.find("indicator"), std::string::npos);
  EXPECT_TRUE(Rows("SELECT id FROM leads").empty());
  EXPECT_TRUE(TasksNamed("v11-1", "verify").empty());
}

TEST_F(LeadsTest, NoRiskNeedsAReasonAndClosesTheVerification) {
  const std::string id = Must(&api::RecordLead, Who("rev_t1"),
                              {{"household", "v11-1"}, {"source", "grassroots"},
                               {"indicator", "房屋漏雨"}})["id"];
  auto bare = Run(&api::ResolveLead, Who("clerk_v11"), {{"outcome", "no_risk"}}, id);
  ASSERT_FALSE(bare.ok());
  EXPECT_NE(bare.error().message.find("comment"), std::string::npos);
  auto wrong_role = Run(&api::ResolveLead, Who("rev_t1"),
                        {{"outcome", "no_risk"}, {"comment", "已修缮"}}, id);
  ASSERT_FALSE(wrong_role.ok());
  EXPECT_EQ(wrong_role.error().code, ErrorCode::kForbidden);
  auto done = Must(&api::ResolveLead, Who("clerk_v11"),
                   {{"outcome", "no_risk"}, {"comment", "入户核实：房屋已由亲属修缮，无返贫风险"}}, id);
  EXPECT_EQ(done["status"], "resolved");
  EXPECT_EQ(done["outcome"], "no_risk");
  EXPECT_TRUE(done["task"].is_null());
  EXPECT_TRUE(TasksNamed("v11-1", "verify").empty());
  auto again = Run(&api::ResolveLead, Who("clerk_v11"),
                   {{"outcome", "no_risk"}, {"comment", "再次"}}, id);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
}

TEST_F(LeadsTest, ALeadOpensACaseLinkedBothWaysOrJoinsTheOpenOne) {
  const std::string first = Must(&api::RecordLead, Who("clerk_v11"),
                                 {{"household", "v11-1"}, {"source", "self_report"},
                                  {"indicator", "大病"}})["id"];
  const std::string second = Must(&api::RecordLead, Who("dept_medical"),
                                  {{"id_number", kLeadHead}, {"source", "department"},
                                   {"indicator", "医疗自付超标"}})["id"];
  // One verification visit for the household's open leads.
  EXPECT_EQ(TasksNamed("v11-1", "verify").size(), 1u);
  auto opened = Must(&api::ResolveLead, Who("clerk_v11"),
                     {{"outcome", "identification"},
                      {"data", {{"type", "marginal"}, {"primary_cause", "illness"},
                                {"income_per_capita", 4000}}}},
                     first);
  const std::string case_id = opened["case"];
  ASSERT_FALSE(case_id.empty());
  EXPECT_EQ(Case(case_id)["leads"], Json::array({first}));
  EXPECT_EQ(TasksNamed("v11-1", "verify").size(), 1u);  // the second lead still waits
  auto joined = Must(&api::ResolveLead, Who("clerk_v11"), {{"outcome", "identification"}}, second);
  EXPECT_EQ(joined["case"], case_id);  // no duplicate case
  EXPECT_EQ(Rows("SELECT id FROM cases WHERE household = 'v11-1'").size(), 1u);
  EXPECT_EQ(Case(case_id)["leads"], Json::array({first, second}));
  EXPECT_TRUE(TasksNamed("v11-1", "verify").empty());
  EXPECT_EQ(Audit("resolve_lead")[1]["case"], case_id);
}

}  // namespace
}  // namespace dixian::testing
