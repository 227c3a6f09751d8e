// The weekly progress report (每周进展, seed 004: 每周五) through the real binary on the default
// store: a county's DingTalk robot (a local fake that checks the signature and the limits), the
// server's clock advanced to Friday at the configured hour, the report arriving once in the
// county's channel as a short markdown message with a link; that link's report downloading as a
// real workbook for a signed-in county officer; a later advance within the week sends nothing.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "tests/e2e/e2e_world.h"
#include "tests/support/fake_platform.h"
#include "tests/support/test_db.h"

namespace dixian::e2e {
namespace {

using namespace std::chrono_literals;

constexpr const char* kWeeklyTitle = "【防返贫监测·每周进展】示范县";

std::vector<testing::FakeReceived> WeeklyMessages(const testing::FakePlatform& robot) {
  std::vector<testing::FakeReceived> out;
  for (auto& r : robot.Received())
    if (r.body.is_object() && r.body.contains("markdown") && r.body["markdown"].value("title", "") == kWeeklyTitle)
      out.push_back(r);
  return out;
}

// Every member of a zip file, inflated, one after the other (`unzip -p`).
std::string Unzipped(const std::string& bytes, const std::string& dir) {
  const std::string path = dir + "/weekly.xlsx";
  std::ofstream(path, std::ios::binary) << bytes;
  std::string out;
  if (FILE* p = popen(("unzip -p " + path).c_str(), "r")) {
    char buf[4096];
    for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    pclose(p);
  }
  return out;
}

class WeeklyReportTest : public E2eTest {
 protected:
  json Advance(long long seconds) {
    auto r = Post("admin", "/api/v1/admin/clock", {{"advance_seconds", seconds}});
    EXPECT_EQ(r.status, 200) << Show(r);
    return r.Json();
  }
  std::string Scalar(const std::string& sql) { return testing::ScalarDb(server_->db_path(), sql); }
  // Waits (bounded) until the outbox holds nothing pending: every message was sent and recorded.
  bool AllDelivered() {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (Scalar("SELECT count(*) FROM outbox WHERE status = 'pending'") != "0") {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(10ms);  // polling a condition, bounded: not ordering events
    }
    return true;
  }
};

TEST_F(WeeklyReportTest, FridayOnceToTheCountysRobotWithALinkToTheWorkbook) {
  if (testing::OnPostgres()) GTEST_SKIP() << "the SQLite default (PostgreSQL: pg.multinode)";
  testing::FakePlatform robot("dingtalk", "SECweekly");
  BuildWorld();
  auto ch = Post("admin", "/api/v1/channels", {{"org", "c1"}, {"kind", "dingtalk"}, {"url", robot.Url()},
                                               {"secret", "SECweekly"}});
  ASSERT_EQ(ch.status, 201) << Show(ch);
  AdmitH1();  // Monday 2026-03-02: one new monitoring object this week

  // Monday 09:00 -> Friday 17:00 China time (schedules.json: weekly_report_hour 17).
  EXPECT_EQ(Advance(4 * 86400 + 8 * 3600 - 1).value("now", ""), "2026-03-06T16:59:59+08:00");
  ASSERT_TRUE(AllDelivered());
  EXPECT_EQ(WeeklyMessages(robot).size(), 0u) << "not before the hour";
  EXPECT_EQ(Advance(1).value("now", ""), "2026-03-06T17:00:00+08:00");
  ASSERT_TRUE(robot.WaitForReceived(1, 20s));
  ASSERT_TRUE(AllDelivered());
  auto weekly = WeeklyMessages(robot);
  ASSERT_EQ(weekly.size(), 1u);
  const auto& m = weekly[0];
  EXPECT_TRUE(m.accepted) << "signature and limits as DingTalk checks them: " << m.raw_body;
  EXPECT_EQ(m.body.value("msgtype", ""), "markdown");
  const std::string text = m.body["markdown"].value("text", "");
  EXPECT_NE(text.find("示范县本周（2月28日至3月6日）：新识别监测对象1户"), std::string::npos) << text;
  EXPECT_LT(text.size(), 1000u) << "a short message, the figures are in the workbook: " << text;
  const std::string path = "/#/reports/weekly?org=c1&week=2026-03-06";
  const auto at = text.find(path);
  ASSERT_NE(at, std::string::npos) << text;
  EXPECT_EQ(Scalar("SELECT count(*) FROM outbox WHERE kind = 'weekly_report'"), "1");

  // The link's report as a workbook: for a signed-in county officer, not for a stranger.
  const std::string api = "/api/v1/reports/weekly?org=c1&week=2026-03-06&format=xlsx";
  EXPECT_TRUE(IsErrorBody(server_->Client()->Request("GET", api), 401));
  EXPECT_TRUE(IsErrorBody(server_->Client("not-a-token-0123456789")->Request("GET", api), 401));
  auto book = Get("county1", api);
  ASSERT_EQ(book.status, 200) << Show(book);
  EXPECT_EQ(book.Header("content-type"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  ASSERT_EQ(book.body.rfind("PK\x03\x04", 0), 0u);
  const std::string sheets = Unzipped(book.body, server_->dir().path());
  for (const char* heading : {"本周进展", "统计期间", "新识别监测对象", "变动情况"})
    EXPECT_NE(sheets.find(heading), std::string::npos) << heading;

  // Later the same Friday (and into the night): nothing more.
  Advance(3600);
  Advance(5 * 3600);
  ASSERT_TRUE(AllDelivered());
  EXPECT_EQ(WeeklyMessages(robot).size(), 1u);
  EXPECT_EQ(Scalar("SELECT count(*) FROM outbox WHERE kind = 'weekly_report'"), "1");
}

}  // namespace
}  // namespace dixian::e2e
