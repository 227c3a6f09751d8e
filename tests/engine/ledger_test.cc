// The ledger (台账) of monitoring objects: every filter, paging, persons from the member list,
// ID numbers masked, and the same rows as CSV and xlsx.
#include <gtest/gtest.h>

#include <algorithm>

#include "adapters/http/report_export.h"
#include "engine/commands/reports.h"
#include "tests/support/engine_fixture.h"

namespace dixian::testing {
namespace {

Json LedgerMember(const std::string& name, const std::string& relation, const std::string& id) {
  return {{"name", name}, {"relation", relation}, {"id_number", id}, {"labour", "full"}};
}

class LedgerTest : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    // A household with a member list of four: persons come from the list (the count says 3).
    Must(&api::CreateHousehold, Who("clerk_v11"),
         {{"id", "v11-9"}, {"village", "v11"}, {"head_name", "李国强"},
          {"members", Json::array({LedgerMember("李国强", "head", "532931198005120016"),
                                   LedgerMember("王秀英", "spouse", "532931198203150021"),
                                   LedgerMember("李小明", "child", "532931201009010038"),
                                   LedgerMember("张桂兰", "parent", "53293119550101004X")})},
          {"income_per_capita", 5200}});
    Admit("v11-9", "marginal", "illness");                 // 2026-03-02
    Admit("v21-1", "unstable_former_poor", "disability");  // 2026-03-02
    Must(&api::RecordMeasure, Who("rev_t1"), {{"kind", "medical"}, {"description", "医疗救助"}}, "v11-9");
    Must(&api::RecordMeasure, Who("rev_t1"), {{"kind", "medical"}, {"description", "二次报销"}}, "v11-9");
    SetNow("2026-03-20T10:00:00+08:00");
    Admit("v11-2", "sudden_hardship", "disaster");  // 2026-03-20
    SeedMonitored("v12-1", "marginal", "illness", "risk_eliminated");  // 2026-03-20, no chain
  }
  Json Ledger(engine::LedgerQuery q, const std::string& who = "county") {
    auto r = reads_.LedgerReport(Who(who), q);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r.value() : Json::object();
  }
  static std::vector<std::string> Ids(const Json& ledger) {
    std::vector<std::string> out;
    for (const auto& h : ledger["households"]) out.push_back(h["household"]);
    return out;
  }
  engine::Error Refused(engine::LedgerQuery q) {
    auto r = engine::ReportLedger(*engine_, Who("county"), q);
    EXPECT_FALSE(r.ok());
    return r.ok() ? engine::Error{} : r.error();
  }
};

using IdList = std::vector<std::string>;

TEST_F(LedgerTest, RowsOfTheSubtreeWithPersonsFromTheMemberListAndMaskedIds) {
  const Json all = Ledger({});
  EXPECT_EQ(all["org"], "county");
  EXPECT_EQ(all["total"], 4);
  EXPECT_EQ(all["page"], 1);
  EXPECT_EQ(all["page_size"], 50);
  EXPECT_EQ(Ids(all), (IdList{"v11-2", "v11-9", "v12-1", "v21-1"}));  // by village, then id
  const Json& row = all["households"][1];
  EXPECT_EQ(row["head_name"], "李国强");
  EXPECT_EQ(row["head_id_number"], "532931********0016");
  EXPECT_EQ(row["persons"], 4);
  EXPECT_EQ(row["township_name"], "东乡镇");
  EXPECT_EQ(row["village_name"], "东一村");
  EXPECT_EQ(row["type"], "marginal");
  EXPECT_EQ(row["type_label"], "边缘易致贫户");
  EXPECT_EQ(row["status_label"], "风险未消除");
  EXPECT_EQ(row["primary_cause_label"], "因病");
  EXPECT_EQ(row["identified_on"], "2026-03-02");
  EXPECT_EQ(row["measures"], 2);
  EXPECT_EQ(all["households"][3]["persons"], 3);  // no member list: the count
  EXPECT_EQ(all["households"][3]["head_id_number"], "");
  EXPECT_EQ(all.dump().find("198005120016"), std::string::npos);  // never whole
  // A township officer sees its own subtree only; another township reads as absent.
  EXPECT_EQ(Ids(Ledger({}, "rev_t2")), (IdList{"v21-1"}));
  auto other = reads_.LedgerReport(Who("rev_t2"), {.org = "t1"});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, engine::ErrorCode::kNotFound);
}

TEST_F(LedgerTest, EveryFilterNarrowsTheRows) {
  EXPECT_EQ(Ids(Ledger({.township = "t1"})), (IdList{"v11-2", "v11-9", "v12-1"}));
  EXPECT_EQ(Ids(Ledger({.village = "v12"})), (IdList{"v12-1"}));
  EXPECT_EQ(Ids(Ledger({.type = "marginal"})), (IdList{"v11-9", "v12-1"}));
  EXPECT_EQ(Ids(Ledger({.status = "risk_active"})), (IdList{"v11-2", "v11-9", "v21-1"}));
  EXPECT_EQ(Ids(Ledger({.risk_eliminated = "true"})), (IdList{"v12-1"}));
  EXPECT_EQ(Ids(Ledger({.risk_eliminated = "false"})), (IdList{"v11-2", "v11-9", "v21-1"}));
  // Identified between two China dates, both included.
  EXPECT_EQ(Ids(Ledger({.identified_from = "2026-03-02", .identified_to = "2026-03-02"})),
            (IdList{"v11-9", "v21-1"}));
  EXPECT_EQ(Ids(Ledger({.identified_from = "2026-03-03"})), (IdList{"v11-2", "v12-1"}));
  EXPECT_EQ(Ids(Ledger({.identified_to = "2026-03-19"})), (IdList{"v11-9", "v21-1"}));
  // Overdue: v21-1 has had no measure for 18 days (due within 10); lm-1 has its measures.
  const Json late = Ledger({.overdue = "true"});
  for (const auto& h : late["households"]) EXPECT_GT(h["overdue_tasks"].get<int>(), 0) << h.dump();
  const IdList late_ids = Ids(late);
  EXPECT_NE(std::find(late_ids.begin(), late_ids.end(), "v21-1"), late_ids.end()) << late.dump();
  const Json on_time = Ledger({.overdue = "false"});
  for (const auto& h : on_time["households"]) EXPECT_EQ(h["overdue_tasks"], 0) << h.dump();
  EXPECT_EQ(late["total"].get<int>() + on_time["total"].get<int>(), 4);
  // Filters combine.
  EXPECT_EQ(Ids(Ledger({.township = "t1", .status = "risk_active", .identified_from = "2026-03-10"})),
            (IdList{"v11-2"}));
}

TEST_F(LedgerTest, PagesAndBadFiltersNamingTheField) {
  const Json p2 = Ledger({.page = "2", .page_size = "3"});
  EXPECT_EQ(p2["total"], 4);
  EXPECT_EQ(Ids(p2), (IdList{"v21-1"}));
  EXPECT_EQ(Ids(Ledger({.page = "3", .page_size = "3"})), IdList{});
  auto named = [&](engine::LedgerQuery q, const std::string& field) {
    const auto e = Refused(q);
    EXPECT_EQ(e.code, engine::ErrorCode::kUnprocessable) << field;
    EXPECT_NE(e.message.find(field), std::string::npos) << e.message;
  };
  named({.type = "poor"}, "type");
  named({.status = "gone"}, "status");
  named({.risk_eliminated = "yes"}, "risk_eliminated");
  named({.overdue = "2"}, "overdue");
  named({.identified_from = "2026-02-30"}, "identified_from");
  named({.identified_from = "2026-03-05", .identified_to = "2026-03-04"}, "identified_to");
  named({.page = "0"}, "page");
  named({.page_size = "5001"}, "page_size");
  named({.township = "v11"}, "township");  // a village is not a township
  EXPECT_EQ(Refused({.org = "t2", .village = "v11"}).code, engine::ErrorCode::kNotFound);
}

TEST_F(LedgerTest, CsvAndWorkbookCarryTheSameRows) {
  auto r = engine::ReportLedger(*engine_, Who("county"), {.township = "t1"});
  ASSERT_TRUE(r.ok());
  const std::string csv = http::ToCsv(http::TablesOf(r.value()));
  EXPECT_EQ(csv.rfind("\xEF\xBB\xBF监测对象台账\r\n户编号,乡镇,村,户主,户主身份证号,人数,监测类型,", 0), 0u) << csv;
  EXPECT_NE(csv.find("v11-9,东乡镇,东一村,李国强,532931********0016,4,边缘易致贫户,风险未消除,因病,2026-03-02,"),
            std::string::npos)
      << csv;
  EXPECT_EQ(csv.find("v21-1"), std::string::npos);
  auto book = http::ToXlsx(http::TablesOf(r.value()));
  ASSERT_TRUE(book.ok());
  EXPECT_EQ(book.value().rfind("PK\x03\x04", 0), 0u);
}

}  // namespace
}  // namespace dixian::testing
