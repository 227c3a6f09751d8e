// Reports reproduce the officials' own tables exactly: the 000 county's 边缘易致贫户 by cause,
// the 003 figures by status and type, and the overdue report per child org and per person.
#include <gtest/gtest.h>

#include "tests/support/engine_fixture.h"

namespace dixian::testing {
namespace {

struct Block {
  std::string type;
  std::string cause;
  std::string status;
  int households;
  int persons;
};

class ReportsTest : public EngineFixture {
 protected:
  // Writes households and monitoring objects straight through the store in one job. Persons are
  // spread so that each block's members add up to `persons` exactly.
  void Load(const std::vector<Block>& blocks) {
    const char* villages[] = {"v11", "v12", "v21", "v22"};
    const std::string paths[] = {"/prov/city/county/t1/v11/", "/prov/city/county/t1/v12/",
                                 "/prov/city/county/t2/v21/", "/prov/city/county/t2/v22/"};
    auto r = store_->Run([&](engine::WriteTx& tx) -> engine::Result<Json> {
      int n = 0;
      for (const auto& b : blocks) {
        for (int i = 0; i < b.households; ++i, ++n) {
          engine::Household h;
          h.id = "R" + std::to_string(100000 + n);
          h.village = villages[n % 4];
          h.village_path = paths[n % 4];
          h.head_name = "户主" + std::to_string(n);
          h.members = b.persons / b.households + (i < b.persons % b.households ? 1 : 0);
          h.income_per_capita = 5000;
          if (auto st = tx.InsertHousehold(h); !st.ok()) return st.error();
          engine::MonitoringObject m;
          m.household = h.id;
          m.type = engine::Parse<engine::MonitoringType>(b.type).value();
          m.status = engine::Parse<engine::MonitoringStatus>(b.status).value();
          m.primary_cause = engine::Parse<engine::Cause>(b.cause).value();
          m.causes = {*m.primary_cause};
          tx.UpsertMonitoring(m);
        }
      }
      return Json(n);
    });
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  Json Report(const std::string& org) {
    auto r = reads_.MonitoringReport(Admin(), org);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r.value() : Json::object();
  }
};

Json Row(const std::string& key_name, const std::string& key, const std::string& label, int households, int persons) {
  return {{key_name, key}, {"label", label}, {"households", households}, {"persons", persons}};
}

TEST_F(ReportsTest, County000MarginalHouseholdsByCause) {
  const std::vector<Block> blocks = {
      {"marginal", "illness", "risk_active", 457, 1088},           // 因大病
      {"marginal", "disability", "risk_active", 161, 347},         // 因残
      {"marginal", "unstable_employment", "risk_active", 22, 51},  // 因就业不稳
      {"marginal", "business_failure", "risk_active", 5, 9},       // 因产业失败
      {"marginal", "accident", "risk_active", 17, 37},             // 因突发事件
      {"marginal", "schooling", "risk_active", 2, 7},              // 因学
      {"marginal", "epidemic", "risk_active", 31, 89},             // 因疫情
      {"marginal", "disaster", "risk_active", 235, 439},           // 因灾
      {"marginal", "other", "risk_active", 56, 106},               // 其他
  };
  Load(blocks);
  const auto report = Report("county");
  EXPECT_EQ(report["households"], 986);
  EXPECT_EQ(report["persons"], 2173);
  EXPECT_EQ(report["by_type"], Json::array({Row("type", "marginal", "边缘易致贫户", 986, 2173)}));
  auto cause = [](const std::string& c, const std::string& label, int h, int p) {
    return Json{{"type", "marginal"}, {"type_label", "边缘易致贫户"}, {"cause", c}, {"cause_label", label},
                {"households", h}, {"persons", p}};
  };
  EXPECT_EQ(report["by_type_cause"],
            Json::array({cause("accident", "因意外事故", 17, 37), cause("business_failure", "因产业项目失败", 5, 9),
                         cause("disability", "因残", 161, 347), cause("disaster", "因灾", 235, 439),
                         cause("epidemic", "因疫情", 31, 89), cause("illness", "因病", 457, 1088),
                         cause("other", "其他", 56, 106), cause("schooling", "因学", 2, 7),
                         cause("unstable_employment", "因务工就业不稳", 22, 51)}));
  EXPECT_EQ(report["by_status"], Json::array({Row("status", "risk_active", "风险未消除", 986, 2173)}));
  // A township sees its own share only; the other township's share makes up the rest.
  const auto t1 = Report("t1"), t2 = Report("t2");
  EXPECT_EQ(t1["households"].get<int>() + t2["households"].get<int>(), 986);
  EXPECT_EQ(t1["persons"].get<int>() + t2["persons"].get<int>(), 2173);
}

TEST_F(ReportsTest, County003ByStatusAndType) {
  Load({
      {"unstable_former_poor", "illness", "risk_eliminated", 200, 600},
      {"unstable_former_poor", "disability", "risk_active", 76, 190},
      {"marginal", "illness", "risk_eliminated", 230, 610},
      {"marginal", "disaster", "risk_active", 64, 150},
      {"sudden_hardship", "accident", "risk_eliminated", 28, 70},
      {"sudden_hardship", "disaster", "risk_active", 16, 41},
      {"marginal", "other", "removed", 3, 9},  // 清退: not counted as under monitoring
  });
  const auto report = Report("county");
  EXPECT_EQ(report["households"], 614);
  EXPECT_EQ(report["persons"], 600 + 190 + 610 + 150 + 70 + 41);
  EXPECT_EQ(report["by_status"], Json::array({Row("status", "removed", "已清退", 3, 9),
                                              Row("status", "risk_active", "风险未消除", 156, 381),
                                              Row("status", "risk_eliminated", "风险已消除", 458, 1280)}));
  EXPECT_EQ(report["by_type"], Json::array({Row("type", "marginal", "边缘易致贫户", 294, 760),
                                            Row("type", "sudden_hardship", "突发严重困难户", 44, 111),
                                            Row("type", "unstable_former_poor", "脱贫不稳定户", 276, 790)}));
}

TEST_F(ReportsTest, MeasuresByKindWithTheHouseholdsTheyCover) {
  Admit("v11-1", "marginal", "illness");
  Admit("v11-2", "unstable_former_poor", "disability");
  Must(&api::RecordMeasure, Who("rev_t1"), {{"kind", "medical"}, {"description", "医疗保障"}}, "v11-1");
  Must(&api::RecordMeasure, Who("rev_t1"), {{"kind", "medical"}, {"description", "二次报销"}}, "v11-1");
  Must(&api::RecordMeasure, Who("dept_medical"), {{"kind", "medical"}, {"description", "医疗救助"}}, "v11-2");
  Must(&api::RecordMeasure, Who("rev_t1"), {{"kind", "disability_allowance"}, {"description", "残补"}}, "v11-2");
  const auto m = Report("county")["measures"];
  ASSERT_EQ(m.size(), 2u) << m.dump(2);
  EXPECT_EQ(m[0]["kind"], "disability_allowance");
  EXPECT_EQ(m[0]["households"], 1);
  EXPECT_EQ(m[1]["kind"], "medical");
  EXPECT_EQ(m[1]["label"], "医疗保障");
  EXPECT_EQ(m[1]["households"], 2);  // households covered, not measures recorded
  EXPECT_EQ(m[1]["by_type"], Json({{"marginal", 1}, {"unstable_former_poor", 1}}));
}

TEST_F(ReportsTest, OverduePerChildOrgAndPerAssignee) {
  Admit("v11-1");
  Admit("v12-1");
  Admit("v21-1");
  Must(&api::AssignContact, Who("rev_t1"), {{"user", "contact_a"}}, "v11-1");
  Must(&api::RecordMeasure, Who("rev_t2"), {{"kind", "employment"}, {"description", "公益岗"}}, "v21-1");
  auto foreign = Run(&api::CreateCase, Who("clerk_v21"),
                     {{"workflow", "identification"}, {"household", "v22-1"},
                      {"data", {{"type", "marginal"}, {"primary_cause", "illness"}}}});
  ASSERT_FALSE(foreign.ok());  // clerk_v21 may not propose a v22 household
  const std::string pending = Open("clerk_v21", "identification", "v21-2",
                                   {{"type", "marginal"}, {"primary_cause", "illness"}})["id"];
  MustAct("clerk_v21", pending, "submit");
  // Open now: 3 handovers (county, due Mar 5); t1: v11-1 measures + visit, v12-1 assign_contact +
  // measures + visit; t2: v21-1 assign_contact + visit, v21-2 township_review (due Mar 6 00:00);
  // a national_entry for each admitted household (t1: 2, t2: 1; due Mar 13 00:00).
  SetNow("2026-03-10T12:00:00+08:00");
  auto r = reads_.OverdueReport(Admin(), "county");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& report = r.value();
  EXPECT_EQ(report["open"], 14);
  EXPECT_EQ(report["overdue"], 6);
  EXPECT_EQ(report["by_org"],
            Json::array({{{"org", "t1"}, {"org_name", "东乡镇"}, {"open", 7}, {"overdue", 1}, {"max_days_late", 6}},
                         {{"org", "t2"}, {"org_name", "西乡镇"}, {"open", 4}, {"overdue", 2}, {"max_days_late", 6}}}));
  std::map<std::string, std::vector<int>> people;  // who -> open, overdue, max_days_late
  for (const auto& p : report["by_assignee"])
    people[p["user"].is_null() ? p["org"].get<std::string>() + "/" + p["role"].get<std::string>()
                               : p["user"].get<std::string>()] = {p["open"].get<int>(), p["overdue"].get<int>(), p["max_days_late"].get<int>()};
  EXPECT_EQ(people, (std::map<std::string, std::vector<int>>{{"county/county_officer", {3, 3, 6}},
                                                             {"t1/township_reviewer", {5, 1, 6}},
                                                             {"t2/township_reviewer", {3, 2, 6}},
                                                             {"contact_a", {1, 0, 0}},
                                                             {"v12/contact_person", {1, 0, 0}},
                                                             {"v21/contact_person", {1, 0, 0}}}));
  EXPECT_EQ(report["by_assignee"][0]["name"], "示范县（县级审定人员）");
  EXPECT_EQ(report["tasks"].size(), 6u);
  EXPECT_EQ(report["tasks"][0]["days_late"], 6);

  // The township's own view: 7 open, 1 late; per village only the villages' own tasks (visits),
  // since a task belongs to the org that must act.
  auto t1 = reads_.OverdueReport(Who("rev_t1"), "t1");
  ASSERT_TRUE(t1.ok());
  EXPECT_EQ(t1.value()["open"], 7);
  EXPECT_EQ(t1.value()["overdue"], 1);
  EXPECT_EQ(t1.value()["by_org"],
            Json::array({{{"org", "v11"}, {"org_name", "东一村"}, {"open", 1}, {"overdue", 0}, {"max_days_late", 0}},
                         {{"org", "v12"}, {"org_name", "东二村"}, {"open", 1}, {"overdue", 0}, {"max_days_late", 0}}}));
  // A sibling township is outside rev_t1's remit: it reads as absent.
  auto other = reads_.OverdueReport(Who("rev_t1"), "t2");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, engine::ErrorCode::kNotFound);
}

}  // namespace
}  // namespace dixian::testing
