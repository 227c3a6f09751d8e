// The township rates counties file: measures within 10 days of admission and monthly visits, per
// child org; and type x status in the monitoring report.
#include <gtest/gtest.h>

#include "adapters/http/report_export.h"
#include "engine/commands/reports.h"
#include "tests/support/engine_fixture.h"

namespace dixian::testing {
namespace {

class TimelinessTest : public EngineFixture {
 protected:
  void Measure(const std::string& household, const std::string& reviewer) {
    Must(&api::RecordMeasure, Who(reviewer), {{"kind", "medical"}, {"description", "大病医保倾斜"}, {"department", "medical"}},
         household);
  }
};

TEST_F(TimelinessTest, MeasuresWithinTenDaysAndMonthlyVisitsPerTownship) {
  Admit("v11-1");  // Monday 2026-03-02 09:00
  Admit("v11-2");
  Admit("v21-1");
  Must(&api::AssignContact, Who("rev_t1"), {{"user", "contact_a"}}, "v11-1");
  SetNow("2026-03-05T10:00:00+08:00");
  Measure("v11-1", "rev_t1");
  SetNow("2026-03-12T23:59:59+08:00");  // the last second of the 10th day: still in time
  Measure("v11-2", "rev_t1");
  Measure("v11-2", "rev_t1");
  SetNow("2026-03-13T00:00:00+08:00");
  Measure("v21-1", "rev_t2");  // a second late
  Must(&api::LogVisit, Who("contact_a"), {{"mode", "home"}, {"note", "入户走访"}}, "v11-1");
  SetNow("2026-03-25T10:00:00+08:00");
  auto r = reads_.TimelinessReport(Who("county"), "county", "2026-03");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value()["month"], "2026-03");
  EXPECT_EQ(r.value()["by_org"],
            Json::parse(R"([{"org":"t1","org_name":"东乡镇","admitted":2,"measured_in_time":2,"measures_rate":1.0,
                             "active":2,"visited":1,"visit_rate":0.5},
                            {"org":"t2","org_name":"西乡镇","admitted":1,"measured_in_time":0,"measures_rate":0.0,
                             "active":1,"visited":0,"visit_rate":0.0}])"));
  EXPECT_EQ(r.value()["total"]["measured_in_time"], 2);
  EXPECT_EQ(r.value()["total"]["visited"], 1);
  // April: nobody visited yet; the default month is the clock's.
  auto april = reads_.TimelinessReport(Who("rev_t1"), "t1", "2026-04");
  ASSERT_TRUE(april.ok());
  EXPECT_EQ(april.value()["total"]["visited"], 0);
  EXPECT_EQ(april.value()["total"]["active"], 2);
  EXPECT_EQ(april.value()["by_org"][0]["org"], "v11");
  EXPECT_EQ(reads_.TimelinessReport(Who("rev_t1"), "t1", "").value()["month"], "2026-03");
  auto bad = reads_.TimelinessReport(Who("rev_t1"), "t1", "2026-13");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, engine::ErrorCode::kUnprocessable);
  // Before the 10th day ends nobody is counted yet.
  SetNow("2026-03-12T23:59:59+08:00");
  EXPECT_EQ(reads_.TimelinessReport(Who("county"), "county", "2026-03").value()["total"]["admitted"], 0);
  SetNow("2026-03-13T00:00:00+08:00");
  EXPECT_EQ(reads_.TimelinessReport(Who("county"), "county", "2026-03").value()["total"]["admitted"], 3);
  // The workbook's rows: per township and the total.
  SetNow("2026-03-25T10:00:00+08:00");
  auto typed = engine::ReportTimeliness(*engine_, Who("county"), "county", "2026-03");
  ASSERT_TRUE(typed.ok());
  const std::string csv = http::ToCsv(http::TablesOf(typed.value()));
  EXPECT_NE(csv.find("东乡镇,2,2,1,2,1,0.5\r\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("合计（示范县）,3,2,0.666667,3,1,0.333333\r\n"), std::string::npos) << csv;
}

TEST_F(TimelinessTest, MonitoringReportCountsTypeByStatusAndMeasuresPerMeasure) {
  Admit("v11-1", "marginal");
  Admit("v11-2", "marginal");
  Admit("v12-1", "unstable_former_poor");
  Exec("UPDATE monitoring SET status = 'risk_eliminated' WHERE household = 'v11-2'");
  Measure("v11-1", "rev_t1");
  Measure("v11-1", "rev_t1");
  Measure("v12-1", "rev_t1");
  auto r = reads_.MonitoringReport(Admin(), "county");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value()["by_type_status"],
            Json::parse(R"([{"type":"marginal","type_label":"边缘易致贫户","status":"risk_active","status_label":"风险未消除","households":1,"persons":3},
                            {"type":"marginal","type_label":"边缘易致贫户","status":"risk_eliminated","status_label":"风险已消除","households":1,"persons":3},
                            {"type":"unstable_former_poor","type_label":"脱贫不稳定户","status":"risk_active","status_label":"风险未消除","households":1,"persons":3}])"));
  ASSERT_EQ(r.value()["measures"].size(), 1u);
  EXPECT_EQ(r.value()["measures"][0]["count"], 3);       // 条
  EXPECT_EQ(r.value()["measures"][0]["households"], 2);  // 户
}

}  // namespace
}  // namespace dixian::testing
