// Seed 003's rule on the monitoring type against the household's figures (它们在 003 里是：不存在
// 家庭年人均纯收入高于6000元错误分类为脱贫不稳定户和边缘易致贫户，家庭人均纯收入低于6000元错误分类为
// 突发严重困难户的情况; 边缘易致贫户 are not registered poor), the county's recorded override, and the
// 变更监测类型 chain (village -> township -> county; 003: 变更监测类型4户17人) as data.
#include <gtest/gtest.h>

#include "adapters/http/json_views.h"
#include "engine/commands/households.h"
#include "tests/support/engine_fixture.h"

namespace dixian::testing {
namespace {

using engine::ErrorCode;

class TypeRuleTest : public EngineFixture {
 protected:
  engine::Result<Json> OpenIdentification(const std::string& household, const std::string& type) {
    return Run(&api::CreateCase, Who("clerk_v11"),
               {{"workflow", "identification"},
                {"household", household},
                {"data", {{"type", type}, {"primary_cause", "illness"}}}});
  }
  static void ExpectViolation(const engine::Result<Json>& r, const std::vector<std::string>& words) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kUnprocessable);
    EXPECT_EQ(r.error().slug, "type_rule_violated");
    for (const auto& w : words) EXPECT_NE(r.error().message.find(w), std::string::npos) << r.error().message;
  }
  Json TypeChanged() {
    auto r = reads_.MovementsReport(Admin(), "county", "2026-03-01", "2026-12-31");
    EXPECT_TRUE(r.ok());
    return r.ok() ? r.value()["movements"]["type_changed"] : Json();
  }
};

TEST_F(TypeRuleTest, IncomeAboveSixThousandIsNotMarginalNorUnstable) {
  PatchHousehold("v11-1", {{"income_per_capita", 6500}});
  ExpectViolation(OpenIdentification("v11-1", "marginal"),
                  {"类型与收入", "6500 元", "高于 6000 元", "边缘易致贫户"});
  ExpectViolation(OpenIdentification("v11-1", "unstable_former_poor"),
                  {"6500 元", "高于 6000 元", "脱贫不稳定户"});
  EXPECT_TRUE(Rows("SELECT id FROM cases").empty());
  EXPECT_TRUE(OpenIdentification("v11-1", "sudden_hardship").ok());
}

TEST_F(TypeRuleTest, IncomeBelowSixThousandIsNotSuddenHardship) {
  // The fixture's households have 4,000 yuan per person.
  ExpectViolation(OpenIdentification("v11-1", "sudden_hardship"),
                  {"4000 元", "低于 6000 元", "突发严重困难户"});
  EXPECT_TRUE(Rows("SELECT id FROM cases").empty());
  // Exactly 6,000 is neither above nor below the line: every type fits it.
  PatchHousehold("v11-2", {{"income_per_capita", 6000}});
  EXPECT_TRUE(OpenIdentification("v11-2", "sudden_hardship").ok());
  PatchHousehold("v11-3", {{"income_per_capita", 6000}});
  EXPECT_TRUE(OpenIdentification("v11-3", "marginal").ok());
}

TEST_F(TypeRuleTest, MarginalHouseholdsAreNotRegisteredPoor) {
  PatchHousehold("v11-1", {{"registered_poor", true}});
  ExpectViolation(OpenIdentification("v11-1", "marginal"), {"建档立卡", "边缘易致贫户"});
  EXPECT_TRUE(OpenIdentification("v11-1", "unstable_former_poor").ok());
}

TEST_F(TypeRuleTest, OnlyTheCountyOverridesWithARecordedComment) {
  // The village names 边缘易致贫户 (fits 4,000 yuan); the county decides 突发严重困难户 anyway.
  const std::string id = Open("clerk_v11", "identification", "v11-1",
                              {{"type", "marginal"}, {"primary_cause", "accident"}})["id"];
  MustAct("clerk_v11", id, "submit");
  // The township may not change the type against the rule, override or not.
  auto by_township = Run(&api::ApplyAction, Who("rev_t1"),
                         {{"action", "approve"}, {"expected_version", 2}, {"override", true},
                          {"comment", "乡镇认为"}, {"data", {{"type", "sudden_hardship"}}}},
                         id);
  ASSERT_FALSE(by_township.ok());
  EXPECT_EQ(by_township.error().code, ErrorCode::kForbidden);
  MustAct("rev_t1", id, "approve");
  auto plain = Act("county", id, "approve", "", {{"type", "sudden_hardship"}});
  ExpectViolation(plain, {"4000 元", "低于 6000 元", "突发严重困难户"});
  auto no_comment = Run(&api::ApplyAction, Who("county"),
                        {{"action", "approve"}, {"expected_version", 3}, {"override", true},
                         {"data", {{"type", "sudden_hardship"}}}},
                        id);
  ASSERT_FALSE(no_comment.ok());
  EXPECT_NE(no_comment.error().message.find("comment"), std::string::npos);
  EXPECT_TRUE(Monitoring("v11-1").is_null());
  Must(&api::ApplyAction, Who("county"),
       {{"action", "approve"}, {"expected_version", 3}, {"override", true},
        {"comment", "车祸致家庭支出骤增，县级研究认定"}, {"data", {{"type", "sudden_hardship"}}}},
       id);
  EXPECT_EQ(Monitoring("v11-1")["type"], "sudden_hardship");
  const Json last = History(id).back();
  EXPECT_EQ(last["action"], "approve");
  EXPECT_EQ(last["comment"], "车祸致家庭支出骤增，县级研究认定");
  EXPECT_EQ(last["data"]["type_override"]["comment"], "车祸致家庭支出骤增，县级研究认定");
  EXPECT_NE(last["data"]["type_override"]["rule"].get<std::string>().find("低于 6000 元"),
            std::string::npos);
  EXPECT_EQ(Rows("SELECT action FROM audit WHERE case_id = '" + id +
                 "' AND data LIKE '%type_override%'"),
            Json::parse(R"([{"action":"approve"}])"));
}

TEST_F(TypeRuleTest, NewFiguresMustStillFitTheTypeUnlessTheCountyOverrides) {
  Admit("v11-1", "marginal");  // at 4,000 yuan
  auto up = Run(&api::UpdateHousehold, Who("clerk_v11"),
                {{"expected_version", 1}, {"income_per_capita", 7200}}, "v11-1");
  ExpectViolation(up, {"7200 元", "高于 6000 元", "边缘易致贫户"});
  auto flag = Run(&api::UpdateHousehold, Who("clerk_v11"),
                  {{"expected_version", 1}, {"registered_poor", true}}, "v11-1");
  ExpectViolation(flag, {"建档立卡"});
  auto clerk_override = Run(&api::UpdateHousehold, Who("clerk_v11"),
                            {{"expected_version", 1}, {"income_per_capita", 7200}, {"override", true},
                             {"comment", "村里认为"}},
                            "v11-1");
  ASSERT_FALSE(clerk_override.ok());
  EXPECT_EQ(clerk_override.error().code, ErrorCode::kForbidden);
  auto hh = Must(&api::UpdateHousehold, Who("county"),
                 {{"expected_version", 1}, {"income_per_capita", 7200}, {"override", true},
                  {"comment", "务工收入一次性结算，次年回落"}},
                 "v11-1");
  EXPECT_EQ(hh["version"], 2);
  EXPECT_EQ(hh["income_per_capita"], 7200);
  auto changes = engine::HouseholdChanges(*engine_, Admin(), "v11-1");
  ASSERT_TRUE(changes.ok());
  const Json c = http::ToJson(changes.value());
  ASSERT_EQ(c.size(), 3u);  // created, income, the override
  EXPECT_EQ(c[1]["field"], "income_per_capita");
  EXPECT_EQ(c[2]["field"], "type_override");
  EXPECT_EQ(c[2]["to"]["comment"], "务工收入一次性结算，次年回落");
  EXPECT_EQ(c[2]["actor"], "county");
  // A change that keeps the type fitting needs no override.
  EXPECT_EQ(Must(&api::UpdateHousehold, Who("clerk_v11"), {{"expected_version", 2}, {"head_name", "新户主"}},
                 "v11-1")["version"],
            3);
}

TEST_F(TypeRuleTest, TypeChangeRunsVillageTownshipCountyAndIsAMovement) {
  Admit("v11-1", "marginal");
  Exec("UPDATE households SET members = 4 WHERE id = 'v11-1'");
  // To 突发严重困难户 at 4,000 yuan: the rule refuses it at once.
  auto wrong = Run(&api::CreateCase, Who("clerk_v11"),
                   {{"workflow", "type_change"}, {"household", "v11-1"},
                    {"data", {{"new_type", "sudden_hardship"}, {"reason", "突发车祸"}}}});
  ExpectViolation(wrong, {"4000 元", "突发严重困难户"});
  const Json opened = Open("clerk_v11", "type_change", "v11-1",
                           {{"new_type", "unstable_former_poor"}, {"reason", "核实为脱贫户"}});
  EXPECT_EQ(opened["state"], "village_fill");
  const std::string id = opened["id"];
  MustAct("clerk_v11", id, "submit");
  EXPECT_EQ(Case(id)["state"], "township_review");
  MustAct("rev_t1", id, "approve");
  EXPECT_EQ(Case(id)["state"], "county_decision");
  EXPECT_EQ(Monitoring("v11-1")["type"], "marginal");
  EXPECT_EQ(TypeChanged()["households"], 0);
  MustAct("county", id, "approve");
  EXPECT_EQ(Case(id)["state"], "changed");
  EXPECT_EQ(Monitoring("v11-1")["type"], "unstable_former_poor");
  EXPECT_EQ(Monitoring("v11-1")["status"], "risk_active");
  const Json moved = TypeChanged();
  EXPECT_EQ(moved["households"], 1);
  EXPECT_EQ(moved["persons"], 4);
  EXPECT_EQ(moved["by"], Json::parse(R"([{"key":"unstable_former_poor","label":"脱贫不稳定户","households":1,"persons":4}])"));
}

TEST_F(TypeRuleTest, TypeChangeNeedsAMonitoredHouseholdAndTheCountysDecision) {
  auto none = Run(&api::CreateCase, Who("clerk_v11"),
                  {{"workflow", "type_change"}, {"household", "v11-2"},
                   {"data", {{"new_type", "marginal"}, {"reason", "x"}}}});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().slug, "household_status_not_allowed");
  Admit("v11-1", "marginal");
  const std::string id = Open("clerk_v11", "type_change", "v11-1",
                              {{"new_type", "unstable_former_poor"}, {"reason", "核实"}})["id"];
  MustAct("clerk_v11", id, "submit");
  MustAct("rev_t1", id, "approve");
  MustAct("county", id, "reject", "材料不足");
  EXPECT_EQ(Case(id)["state"], "rejected");
  EXPECT_EQ(Monitoring("v11-1")["type"], "marginal");
  EXPECT_EQ(TypeChanged()["households"], 0);
}

}  // namespace
}  // namespace dixian::testing
