// Movements over a period (新识别 by type, 风险消除, 清退 by reason, 回退): recorded by the
// workflows' `record_movement` effects as the engine moves cases, counted per org subtree and
// China-time period (both days included), exported as CSV (BOM) and a real xlsx workbook.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "adapters/http/report_export.h"
#include "engine/commands/reports.h"
#include "tests/support/engine_fixture.h"

namespace dixian::testing {
namespace {

class MovementsTest : public EngineFixture {
 protected:
  void Remove(const std::string& household, const std::string& reason) {
    const std::string id = Open("clerk_v11", "removal", household, {{"reason", reason}})["id"];
    MustAct("clerk_v11", id, "submit");
    MustAct("rev_t1", id, "approve");
    RunDueAt(Now() + 8 * 86400);  // the notice passes
    MustAct("county", id, "approve");
  }
  void Eliminate(const std::string& household) {
    const std::string id = Open("clerk_v11", "risk_elimination", household)["id"];
    MustAct("clerk_v11", id, "submit");
    MustAct("rev_t1", id, "approve");
    MustAct("county", id, "approve");
    MustAct("prov", id, "approve");
  }
  Json Movements(const std::string& org, const std::string& from, const std::string& to) {
    auto r = reads_.MovementsReport(Admin(), org, from, to);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? r.value()["movements"] : Json();
  }
};

TEST_F(MovementsTest, EveryKindCountedByDetailInThePeriod) {
  Admit("v11-1", "marginal");  // 2026-03-02, 3 members each
  Admit("v11-2", "unstable_former_poor");
  Exec("UPDATE households SET members = 5 WHERE id = 'v11-3'");
  Admit("v11-3", "marginal");
  Admit("v21-1", "sudden_hardship");
  SetNow("2026-04-01T10:00:00+08:00");
  Remove("v11-1", "car");
  SetNow("2026-05-06T10:00:00+08:00");
  Eliminate("v11-2");
  const Json m = Movements("county", "2026-03-01", "2026-12-31");
  EXPECT_EQ(m["admitted"]["label"], "新识别");
  EXPECT_EQ(m["admitted"]["households"], 4);
  EXPECT_EQ(m["admitted"]["persons"], 14);
  EXPECT_EQ(m["admitted"]["by"],
            Json::parse(R"([{"key":"marginal","label":"边缘易致贫户","households":2,"persons":8},
                            {"key":"sudden_hardship","label":"突发严重困难户","households":1,"persons":3},
                            {"key":"unstable_former_poor","label":"脱贫不稳定户","households":1,"persons":3}])"));
  EXPECT_EQ(m["removed"]["households"], 1);
  EXPECT_EQ(m["removed"]["by"],
            Json::parse(R"([{"key":"car","label":"购买消费型汽车","households":1,"persons":3}])"));
  EXPECT_EQ(m["risk_eliminated"]["households"], 1);
  EXPECT_EQ(m["risk_eliminated"]["persons"], 3);
  EXPECT_EQ(m["reflagged"]["households"], 0);
  EXPECT_EQ(m["type_changed"]["households"], 0);
  // The township's subtree, and the period's ends: China days, both included.
  EXPECT_EQ(Movements("t2", "2026-03-01", "2026-12-31")["admitted"]["households"], 1);
  EXPECT_EQ(Movements("t2", "2026-03-01", "2026-12-31")["removed"]["households"], 0);
  EXPECT_EQ(Movements("county", "2026-03-02", "2026-03-02")["admitted"]["households"], 4);
  EXPECT_EQ(Movements("county", "2026-03-03", "2026-05-05")["admitted"]["households"], 0);
  EXPECT_EQ(Movements("county", "2026-03-03", "2026-05-05")["removed"]["households"], 1);
  EXPECT_EQ(Movements("county", "2026-05-06", "2026-05-06")["risk_eliminated"]["households"], 1);
}

TEST_F(MovementsTest, ReflagIsAMovementAndBadPeriodsAreRefused) {
  Admit("v11-1");
  Eliminate("v11-1");
  SetNow("2026-04-08T10:00:00+08:00");
  const std::string id = Open("clerk_v11", "reflag", "v11-1", {{"primary_cause", "disaster"}})["id"];
  MustAct("clerk_v11", id, "submit");
  MustAct("rev_t1", id, "approve");
  MustAct("county", id, "approve");
  EXPECT_EQ(Movements("county", "2026-04-08", "2026-04-08")["reflagged"]["households"], 1);
  auto bad = reads_.MovementsReport(Admin(), "county", "2026-04-31", "2026-05-01");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, engine::ErrorCode::kUnprocessable);
  EXPECT_NE(bad.error().message.find("from"), std::string::npos);
  auto backwards = reads_.MovementsReport(Admin(), "county", "2026-05-01", "2026-04-01");
  ASSERT_FALSE(backwards.ok());
  EXPECT_EQ(backwards.error().code, engine::ErrorCode::kUnprocessable);
  auto outside = reads_.MovementsReport(Who("rev_t2"), "t1", "2026-01-01", "2026-12-31");
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().code, engine::ErrorCode::kNotFound);
}

std::string Unzip(const std::string& bytes, const std::string& member, const std::string& dir) {
  const std::string path = dir + "/book.xlsx";
  std::ofstream(path, std::ios::binary) << bytes;
  std::string out;
  if (FILE* p = popen(("unzip -p " + path + " " + member).c_str(), "r")) {
    char buf[4096];
    for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    pclose(p);
  }
  return out;
}

TEST_F(MovementsTest, CsvWithBomAndARealWorkbookWithNeutralisedCells) {
  Admit("v11-1", "marginal");
  auto r = engine::ReportMovements(*engine_, Admin(), "county", "2026-03-01", "2026-03-31");
  ASSERT_TRUE(r.ok());
  auto tables = http::TablesOf(r.value());
  const std::string csv = http::ToCsv(tables);
  EXPECT_EQ(csv.rfind("\xEF\xBB\xBF变动情况\r\n变动类别,细分,户数,人数\r\n新识别,合计,1,3\r\n", 0), 0u) << csv;
  EXPECT_NE(csv.find("新识别,边缘易致贫户,1,3\r\n"), std::string::npos);
  EXPECT_NE(csv.find("清退,合计,0,0\r\n"), std::string::npos);
  // Text a user typed never becomes a formula, in CSV or xlsx.
  tables[0].rows.push_back({{"=HYPERLINK(\"http://x\")", std::nullopt}, {"-1+2", std::nullopt}, {"", 1}, {"", 2}});
  const std::string evil = http::ToCsv(tables);
  EXPECT_NE(evil.find("\"'=HYPERLINK(\"\"http://x\"\")\",'-1+2,1,2\r\n"), std::string::npos) << evil;
  auto book = http::ToXlsx(tables);
  ASSERT_TRUE(book.ok());
  EXPECT_EQ(book.value().rfind("PK\x03\x04", 0), 0u);
  const std::string sheet = Unzip(book.value(), "xl/worksheets/sheet1.xml", dir_.path());
  EXPECT_NE(sheet.find("<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"),
            std::string::npos)
      << sheet;
  EXPECT_NE(sheet.find("<col min=\"2\" max=\"2\" width=\"22.7"), std::string::npos) << sheet;
  const std::string strings = Unzip(book.value(), "xl/sharedStrings.xml", dir_.path());
  EXPECT_NE(strings.find("<t>变动类别</t>"), std::string::npos) << strings;
  EXPECT_NE(strings.find("<t>边缘易致贫户</t>"), std::string::npos);
  EXPECT_NE(strings.find("<t>'=HYPERLINK("), std::string::npos) << strings;
  EXPECT_EQ(strings.find("<t>=HYPERLINK"), std::string::npos);
  const std::string workbook = Unzip(book.value(), "xl/workbook.xml", dir_.path());
  EXPECT_NE(workbook.find("name=\"变动情况\""), std::string::npos) << workbook;
}

}  // namespace
}  // namespace dixian::testing
