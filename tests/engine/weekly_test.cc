// The weekly progress report (每周进展, seed 004: 每周五): each county's channel gets the week's
// figures on Fridays at the configured hour, once per week even across restarts; the same figures
// come as a report with a workbook.
#include <gtest/gtest.h>

#include "adapters/http/json_views.h"
#include "adapters/http/report_export.h"
#include "engine/commands/reports.h"
#include "tests/support/engine_fixture.h"

namespace dixian::testing {
namespace {

class WeeklyTest : public EngineFixture {
 protected:
  Json Weekly() { return Outbox("weekly_report"); }
  Json Report(const std::string& week) {
    auto r = engine::ReportWeekly(*engine_, Who("county"), "county", week);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? http::ToJson(r.value()) : Json::object();
  }
};

TEST_F(WeeklyTest, EveryFridayAtTheHourToTheCountysChannelOnly) {
  Admit("v11-1", "marginal");  // Monday 2026-03-02, 3 persons each
  Admit("v21-1", "unstable_former_poor");
  RunDueAt(At("2026-03-06T16:59:59+08:00"));
  EXPECT_EQ(Weekly().size(), 0u);
  RunDueAt(At("2026-03-06T17:00:00+08:00"));
  Json sent = Weekly();
  ASSERT_EQ(sent.size(), 1u) << sent.dump(2);
  EXPECT_EQ(sent[0]["channel"], "ch-county");
  const Json& p = sent[0]["payload"];
  EXPECT_EQ(p["org_name"], "示范县");
  EXPECT_EQ(p["link"], "http://127.0.0.1:8080/#/reports/weekly?org=county&week=2026-03-06");
  const Json overdue = reads_.OverdueReport(Admin(), "county").value();
  EXPECT_EQ(p["text"], "示范县本周（2月28日至3月6日）：新识别监测对象2户6人，标注风险消除0户0人；在办事项" +
                           overdue["open"].dump() + "项，其中逾期" + overdue["overdue"].dump() +
                           "项；暂无纳入满10日的监测对象。");
  // The report route answers the same figures.
  const Json report = Report("2026-03-04");
  EXPECT_EQ(report["from"], "2026-02-28");
  EXPECT_EQ(report["to"], "2026-03-06");
  EXPECT_EQ(report["text"], p["text"]);
  EXPECT_EQ(report["admitted"], Json({{"households", 2}, {"persons", 6}}));
}

TEST_F(WeeklyTest, OncePerWeekAcrossRestartsWithTheMeasuresRate) {
  RunDue();  // as the scheduler does when it starts: the schedule row is written
  Admit("v11-1", "marginal");
  Admit("v21-1", "unstable_former_poor");
  Must(&api::RecordMeasure, Who("rev_t1"), {{"kind", "medical"}, {"description", "医疗救助"}}, "v11-1");
  RunDueAt(At("2026-03-06T17:00:00+08:00"));
  RunDueAt(At("2026-03-06T18:00:00+08:00"));
  ASSERT_EQ(Weekly().size(), 1u);
  // The schedule is a row in the store: a restart (or a crash after the commit) sends no second.
  CloseEngine();
  OpenEngine();
  RunDueAt(At("2026-03-07T09:00:00+08:00"));
  ASSERT_EQ(Weekly().size(), 1u);
  // Down over the next Friday: it goes once, late, for the week it was due.
  CloseEngine();
  MoveTo(At("2026-03-14T10:00:00+08:00"));
  OpenEngine();
  RunDue();
  RunDue();
  const Json sent = Weekly();
  ASSERT_EQ(sent.size(), 2u) << sent.dump(2);
  const std::string text = sent[1]["payload"]["text"];
  EXPECT_EQ(text.rfind("示范县本周（3月7日至3月13日）：新识别监测对象0户0人，", 0), 0u) << text;
  // Both admitted on 03-02: the 10-day deadline ended at 03-13 00:00; one had its measure.
  EXPECT_NE(text.find("纳入10日内落实帮扶措施率50.0%（1/2户）。"), std::string::npos) << text;
  EXPECT_EQ(sent[1]["payload"]["link"], "http://127.0.0.1:8080/#/reports/weekly?org=county&week=2026-03-13");
  RunDueAt(At("2026-03-20T17:00:00+08:00"));
  EXPECT_EQ(Weekly().size(), 3u);
}

TEST_F(WeeklyTest, WorkbookHasTheWeekThenTheOtherReports) {
  Admit("v11-1", "marginal");
  auto r = engine::ReportWeekly(*engine_, Who("county"), "county", "2026-03-02");
  ASSERT_TRUE(r.ok());
  const auto tables = http::TablesOf(r.value());
  ASSERT_GE(tables.size(), 4u);
  EXPECT_EQ(tables[0].title, "本周进展");
  EXPECT_EQ(tables[1].title, "变动情况");
  EXPECT_EQ(tables[2].title, "措施与走访2026-03");
  EXPECT_EQ(tables[3].title, "按单位");
  const std::string csv = http::ToCsv(tables);
  EXPECT_NE(csv.find("统计期间,2026-02-28 至 2026-03-06,\r\n新识别监测对象,1,3\r\n"), std::string::npos) << csv;
  auto book = http::ToXlsx(tables);
  ASSERT_TRUE(book.ok());
  auto bad = engine::ReportWeekly(*engine_, Who("county"), "county", "2026-13-01");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("week"), std::string::npos);
  auto outside = engine::ReportWeekly(*engine_, Who("rev_t2"), "t1", "");
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().code, engine::ErrorCode::kNotFound);
}

}  // namespace
}  // namespace dixian::testing
