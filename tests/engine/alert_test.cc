// Alert and remedy (测补销, the seven-step method): village flags, township first review, county
// dispatches to the department owning the gap, the department remedies and applies to close,
// the county verifies and closes.
#include <gtest/gtest.h>

#include "tests/support/engine_fixture.h"

namespace dixian::testing {
namespace {

using engine::ErrorCode;

class AlertTest : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    SeedMonitored("v11-1", "marginal", "illness");
  }
  // Flags an alert on v11-1 and brings it to the county's dispatch step.
  std::string ToCounty(const std::string& item) {
    const std::string id = Open("clerk_v11", "alert", "v11-1", {{"item", item}})["id"];
    MustAct("clerk_v11", id, "submit");
    MustAct("rev_t1", id, "approve");
    return id;
  }
  std::vector<std::string> MyTaskSteps(const std::string& user) {
    std::vector<std::string> out;
    auto r = reads_.MyTasks(Who(user));
    EXPECT_TRUE(r.ok());
    if (r.ok())
      for (const auto& t : r.value()) out.push_back(t["step"].get<std::string>());
    return out;
  }
};

TEST_F(AlertTest, SevenStepLoopWithMedicalDepartment) {
  auto c = Open("clerk_v11", "alert", "v11-1", {{"item", "medical"}});
  const std::string id = c["id"];
  EXPECT_EQ(c["state"], "village_flag");
  ASSERT_EQ(c["tasks"].size(), 1u);
  EXPECT_EQ(c["tasks"][0]["due_at"], "2026-03-05T00:00:00+08:00");  // 2wd from Monday

  c = MustAct("clerk_v11", id, "submit");
  EXPECT_EQ(c["state"], "township_first_review");
  EXPECT_EQ(c["tasks"][0]["org"], "t1");
  c = MustAct("rev_t1", id, "approve");
  EXPECT_EQ(c["state"], "county_review");
  EXPECT_EQ(c["tasks"][0]["org"], "county");
  EXPECT_EQ(c["tasks"][0]["role"], "county_officer");

  c = MustAct("county", id, "approve");
  EXPECT_EQ(c["state"], "department_remedy");
  EXPECT_EQ(c["version"], 4);
  EXPECT_EQ(c["department"], "medical");
  ASSERT_EQ(c["tasks"].size(), 1u);
  EXPECT_EQ(c["tasks"][0]["department"], "medical");
  EXPECT_EQ(c["tasks"][0]["role"], "department_officer");
  EXPECT_EQ(c["tasks"][0]["due_at"], "2026-03-18T00:00:00+08:00");  // 15d: the end of Mar 17
  EXPECT_EQ(MyTaskSteps("dept_medical"), (std::vector<std::string>{"department_remedy"}));
  EXPECT_TRUE(MyTaskSteps("dept_housing").empty());

  auto other = Act("dept_housing", id, "submit");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(Case(id)["version"], 4);

  c = MustAct("dept_medical", id, "submit");
  EXPECT_EQ(c["state"], "county_close_review");
  EXPECT_EQ(c["tasks"][0]["due_at"], "2026-03-06T00:00:00+08:00");  // 3wd
  c = MustAct("county", id, "approve");
  EXPECT_EQ(c["state"], "closed");
  EXPECT_EQ(c["closed"], true);
  EXPECT_EQ(c["version"], 6);
  EXPECT_TRUE(c["tasks"].empty());

  std::vector<std::string> steps;
  for (const auto& e : History(id)) steps.push_back(e["actor"].get<std::string>() + ":" + e["to"].get<std::string>());
  EXPECT_EQ(steps, (std::vector<std::string>{"clerk_v11:village_flag", "clerk_v11:township_first_review",
                                             "rev_t1:county_review", "county:department_remedy",
                                             "dept_medical:county_close_review", "county:closed"}));
  // The department step was announced in the county's channel, naming the department's step.
  auto msgs = Outbox("new_task");
  ASSERT_EQ(msgs.size(), 5u);
  EXPECT_EQ(msgs[3]["channel"], "ch-county");
  EXPECT_EQ(msgs[3]["payload"]["step"], "department_remedy");
  EXPECT_EQ(Monitoring("v11-1")["status"], "risk_active");  // an alert does not change the status
}

TEST_F(AlertTest, DepartmentMapHousingAndIncome) {
  const std::string housing = ToCounty("housing");
  EXPECT_EQ(MustAct("county", housing, "approve")["department"], "housing");
  EXPECT_EQ(Case(housing)["tasks"][0]["department"], "housing");

  SeedMonitored("v11-2", "unstable_former_poor", "unstable_employment");
  const std::string income = Open("clerk_v11", "alert", "v11-2", {{"item", "income"}})["id"];
  MustAct("clerk_v11", income, "submit");
  MustAct("rev_t1", income, "approve");
  EXPECT_EQ(MustAct("county", income, "approve")["department"], "human_resources");
  EXPECT_EQ(MyTaskSteps("dept_hr"), (std::vector<std::string>{"department_remedy"}));
  MustAct("dept_hr", income, "submit");
}

TEST_F(AlertTest, ExplicitDepartmentOverridesTheMap) {
  const std::string id = ToCounty("medical");
  auto c = MustAct("county", id, "approve", "", {{"department", "civil_affairs"}});
  EXPECT_EQ(c["department"], "civil_affairs");
  EXPECT_EQ(c["tasks"][0]["department"], "civil_affairs");
  auto medical = Act("dept_medical", id, "submit");
  ASSERT_FALSE(medical.ok());
  EXPECT_EQ(medical.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(MustAct("dept_civil", id, "submit")["state"], "county_close_review");
}

TEST_F(AlertTest, UnknownDepartmentIsRefusedNamingTheField) {
  const std::string id = ToCounty("medical");
  auto r = Act("county", id, "approve", "", {{"department", "bank"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnprocessable);
  EXPECT_NE(r.error().message.find("data.department"), std::string::npos) << r.error().message;
  EXPECT_EQ(Case(id)["state"], "county_review");
}

TEST_F(AlertTest, DepartmentReturnsToCountyWhichRedispatches) {
  const std::string id = ToCounty("medical");
  MustAct("county", id, "approve");
  auto no_comment = Act("dept_medical", id, "return");
  ASSERT_FALSE(no_comment.ok());
  EXPECT_NE(no_comment.error().message.find("comment"), std::string::npos);
  auto c = MustAct("dept_medical", id, "return", "属于民政部门职责");
  EXPECT_EQ(c["state"], "county_review");
  EXPECT_EQ(c["tasks"][0]["org"], "county");
  EXPECT_EQ(c["tasks"][0]["role"], "county_officer");
  c = MustAct("county", id, "approve", "", {{"department", "civil_affairs"}});
  EXPECT_EQ(c["tasks"][0]["department"], "civil_affairs");
  MustAct("dept_civil", id, "submit");
  // The county may send it back to the department before closing.
  c = MustAct("county", id, "return", "补短材料不全");
  EXPECT_EQ(c["state"], "department_remedy");
  EXPECT_EQ(c["tasks"][0]["department"], "civil_affairs");
  MustAct("dept_civil", id, "submit");
  c = MustAct("county", id, "approve");
  EXPECT_EQ(c["state"], "closed");
  EXPECT_EQ(c["version"], 10);
}

TEST_F(AlertTest, TownshipRejectsAndCountyDismisses) {
  const std::string a = Open("clerk_v11", "alert", "v11-1", {{"item", "water"}})["id"];
  MustAct("clerk_v11", a, "submit");
  EXPECT_EQ(MustAct("rev_t1", a, "reject", "已通自来水")["state"], "dismissed");
  const std::string b = ToCounty("food");
  EXPECT_EQ(MustAct("county", b, "reject", "核实无缺口")["state"], "dismissed");
  EXPECT_TRUE(HouseholdTasks("v11-1").empty());
}

TEST_F(AlertTest, OnlyMonitoredHouseholdsAndKnownItems) {
  auto not_monitored = Run(&api::CreateCase, Who("clerk_v11"),
                           {{"workflow", "alert"}, {"household", "v11-3"}, {"data", {{"item", "medical"}}}});
  ASSERT_FALSE(not_monitored.ok());
  EXPECT_EQ(not_monitored.error().code, ErrorCode::kUnprocessable);
  auto bad_item = Run(&api::CreateCase, Who("clerk_v11"),
                      {{"workflow", "alert"}, {"household", "v11-1"}, {"data", {{"item", "phone"}}}});
  ASSERT_FALSE(bad_item.ok());
  EXPECT_NE(bad_item.error().message.find("data.item"), std::string::npos) << bad_item.error().message;
}

}  // namespace
}  // namespace dixian::testing
