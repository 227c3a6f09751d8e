// The identification chain through the real binary over HTTP: set-up by the admin, the village
// fills in, the township reviews, the county decides; then the follow-up tasks, each role's
// inbox, the reports and the audit chain.
#include <set>
#include <tuple>
#include <vector>

#include "tests/e2e/e2e_world.h"

namespace dixian::e2e {
namespace {

class ChainTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    ASSERT_NO_FATAL_FAILURE(BuildWorld());
  }

  // The set of "step" names in a task list.
  static std::set<std::string> Steps(const json& tasks) {
    std::set<std::string> out;
    for (const auto& t : tasks) out.insert(t.value("step", ""));
    return out;
  }

  HttpResult ActAt(const std::string& user, const std::string& id, const std::string& action, int version,
                   const std::string& comment = "") {
    if (auto_evidence_) AttachRequired(user, GetJson("admin", "/api/v1/cases/" + id), action);
    return Post(user, "/api/v1/cases/" + id + "/actions",
                {{"action", action}, {"comment", comment}, {"expected_version", version}});
  }
};

TEST_F(ChainTest, HealthzNeedsNoToken) {
  auto r = server_->Client()->Request("GET", "/healthz");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Json(), json({{"status", "ok"}}));
}

TEST_F(ChainTest, IdentificationFromVillageToCountyAdmitsTheHousehold) {
  // Village clerk opens the case: 201 with the contract's fields and the first open task.
  const json created = NewCase();
  const std::string id = created.value("id", "");
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(created["workflow"], "identification");
  EXPECT_EQ(created["state"], "village_fill");
  EXPECT_EQ(created["version"], 1);
  EXPECT_EQ(created["household"], "H1");
  ASSERT_EQ(created["tasks"].size(), 1u);
  EXPECT_EQ(created["tasks"][0]["step"], "village_fill");
  EXPECT_EQ(created["tasks"][0]["role"], "village_clerk");
  EXPECT_EQ(created["tasks"][0]["org"], "v1");

  auto r = ActAt("clerk1", id, "submit", 1);
  ASSERT_EQ(r.status, 200) << Show(r);
  EXPECT_EQ(r.Json()["state"], "township_review");
  EXPECT_EQ(r.Json()["version"], 2);

  // The township reviewer sees it in the inbox; the other township's reviewer does not.
  const json inbox1 = GetJson("reviewer1", "/api/v1/tasks");
  ASSERT_EQ(inbox1.size(), 1u) << inbox1.dump();
  EXPECT_EQ(inbox1[0]["case"], id);
  EXPECT_EQ(inbox1[0]["step"], "township_review");
  EXPECT_EQ(inbox1[0]["overdue"], false);
  for (const char* field : {"id", "case", "household", "step", "org", "role", "due_at", "overdue"})
    EXPECT_TRUE(inbox1[0].contains(field)) << field;
  EXPECT_TRUE(GetJson("reviewer2", "/api/v1/tasks").empty());

  r = ActAt("reviewer1", id, "approve", 2, "材料齐全，同意");
  ASSERT_EQ(r.status, 200) << Show(r);
  EXPECT_EQ(r.Json()["state"], "county_decision");
  r = ActAt("county1", id, "approve", 3, "审定纳入");
  ASSERT_EQ(r.status, 200) << Show(r);
  EXPECT_EQ(r.Json()["state"], "admitted");
  EXPECT_EQ(r.Json()["version"], 4);

  // GET the case: final state, no open task.
  const json c = GetJson("county1", "/api/v1/cases/" + id);
  EXPECT_EQ(c["state"], "admitted");
  EXPECT_TRUE(c["tasks"].empty()) << c.dump();

  // History: every event, oldest first, with the contract's fields.
  const json history = GetJson("clerk1", "/api/v1/cases/" + id + "/history");
  ASSERT_EQ(history.size(), 4u) << history.dump();
  const std::vector<std::tuple<std::string, std::string, std::string, std::string>> want = {
      {"create", "clerk1", "", "village_fill"},
      {"submit", "clerk1", "village_fill", "township_review"},
      {"approve", "reviewer1", "township_review", "county_decision"},
      {"approve", "county1", "county_decision", "admitted"}};
  for (size_t i = 0; i < want.size(); ++i) {
    const json& e = history[i];
    for (const char* field : {"seq", "at", "actor", "action", "from", "to", "comment"})
      EXPECT_TRUE(e.contains(field)) << i << " lacks " << field;
    if (i > 0) {
      EXPECT_GT(e["seq"].get<long long>(), history[i - 1]["seq"].get<long long>());
    }
    EXPECT_EQ(e["action"], std::get<0>(want[i]));
    EXPECT_EQ(e["actor"], std::get<1>(want[i]));
    if (!std::get<2>(want[i]).empty()) {
      EXPECT_EQ(e["from"], std::get<2>(want[i]));
    }
    EXPECT_EQ(e["to"], std::get<3>(want[i]));
    EXPECT_EQ(e["at"], kStart);  // the fake clock has not moved
  }
  EXPECT_EQ(history[2]["comment"], "材料齐全，同意");
  EXPECT_EQ(history[3]["comment"], "审定纳入");

  // The household is now a monitoring object.
  const json hh = GetJson("reviewer1", "/api/v1/households/H1");
  ASSERT_TRUE(hh.contains("monitoring")) << hh.dump();
  const json& m = hh["monitoring"];
  EXPECT_EQ(m["type"], "marginal");
  EXPECT_EQ(m["status"], "risk_active");
  EXPECT_EQ(m["primary_cause"], "illness");
  EXPECT_EQ(m["causes"], json({"illness", "no_labour"}));
  EXPECT_EQ(m["admitted_at"], kStart);
  EXPECT_TRUE(m.contains("contact"));
  EXPECT_TRUE(m["measures"].is_array());

  // Follow-up tasks, none of them on a case.
  const json tasks = GetJson("clerk1", "/api/v1/households/H1/tasks");
  EXPECT_EQ(Steps(tasks), (std::set<std::string>{"handover", "assign_contact", "measures", "national_entry", "visit"})) << tasks.dump();
  for (const auto& t : tasks) {
    EXPECT_TRUE(t["case"].is_null()) << t.dump();
    if (t["step"] == "measures") {
      EXPECT_EQ(t["due_at"], "2026-03-13T00:00:00+08:00");  // 10 days after admission
    }
  }
}

TEST_F(ChainTest, EachRoleSeesOnlyItsOwnTasks) {
  AdmitH1();
  EXPECT_EQ(Steps(GetJson("county1", "/api/v1/tasks")), std::set<std::string>{"handover"});
  EXPECT_EQ(Steps(GetJson("reviewer1", "/api/v1/tasks")), (std::set<std::string>{"assign_contact", "measures", "national_entry"}));
  for (const char* user : {"reviewer2", "clerk1", "clerk2", "medical1", "contact1"})
    EXPECT_TRUE(GetJson(user, "/api/v1/tasks").empty()) << user;

  // Naming the contact person closes assign_contact and gives the visit to that person.
  auto r = Put("reviewer1", "/api/v1/households/H1/contact", {{"user", "contact1"}});
  ASSERT_EQ(r.status, 200) << Show(r);
  EXPECT_EQ(Steps(GetJson("reviewer1", "/api/v1/tasks")), (std::set<std::string>{"measures", "national_entry"}));
  EXPECT_EQ(Steps(GetJson("contact1", "/api/v1/tasks")), std::set<std::string>{"visit"});
  const json contact = GetJson("county1", "/api/v1/households/H1")["monitoring"]["contact"];
  EXPECT_NE(contact.dump().find("contact1"), std::string::npos) << contact.dump();

  // A measure closes "measures"; a visit by the contact person closes the month's visit.
  r = Post("contact1", "/api/v1/households/H1/measures",
           {{"kind", "medical"}, {"description", "落实医疗保障，大病补充保险报销"}, {"department", "medical"}});
  ASSERT_EQ(r.status, 201) << Show(r);
  r = Post("contact1", "/api/v1/households/H1/visits", {{"mode", "home"}, {"note", "入户走访，了解就医情况"}});
  ASSERT_EQ(r.status, 201) << Show(r);
  EXPECT_EQ(Steps(GetJson("reviewer1", "/api/v1/tasks")), std::set<std::string>{"national_entry"});
  EXPECT_EQ(GetJson("county1", "/api/v1/households/H1")["monitoring"]["measures"].size(), 1u);

  // Only the household's contact person logs visits.
  EXPECT_TRUE(IsErrorBody(Post("reviewer1", "/api/v1/households/H1/visits", {{"mode", "phone"}, {"note", "电话"}}), 403));
}

TEST_F(ChainTest, ReportsDownloadAsCsvAndXlsx) {
  AdmitH1();
  auto xlsx = Get("county1", "/api/v1/reports/monitoring?org=c1&format=xlsx");
  ASSERT_EQ(xlsx.status, 200) << xlsx.body;
  EXPECT_EQ(xlsx.Header("content-type"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_EQ(xlsx.Header("content-disposition"), "attachment; filename=\"monitoring-c1.xlsx\"");
  EXPECT_EQ(xlsx.body.rfind("PK\x03\x04", 0), 0u);
  auto csv = Get("county1", "/api/v1/reports/movements?org=c1&from=2026-03-01&to=2026-03-31&format=csv");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.body.rfind("\xEF\xBB\xBF变动情况\r\n变动类别,细分,户数,人数\r\n新识别,合计,1,4\r\n", 0), 0u) << csv.body;
  EXPECT_EQ(Get("county1", "/api/v1/reports/movements?org=c1&from=2026-03-01&to=2026-03-31")
                .Json()["movements"]["admitted"]["households"],
            1);
  EXPECT_TRUE(IsErrorBody(Get("county1", "/api/v1/reports/overdue?org=c1&format=pdf"), 422));
  EXPECT_TRUE(IsErrorBody(Get("clerk1", "/api/v1/reports/overdue?org=c1&format=xlsx"), 403));
}

TEST_F(ChainTest, ReportsCountTheAdmittedHousehold) {
  AdmitH1();
  const json rep = GetJson("county1", "/api/v1/reports/monitoring?org=c1");
  EXPECT_EQ(rep["households"], 1);
  EXPECT_EQ(rep["persons"], 4);
  ASSERT_EQ(rep["by_type"].size(), 1u) << rep.dump();
  EXPECT_EQ(rep["by_type"][0]["type"], "marginal");
  EXPECT_EQ(rep["by_type"][0]["households"], 1);
  EXPECT_EQ(rep["by_type"][0]["persons"], 4);
  ASSERT_EQ(rep["by_status"].size(), 1u);
  EXPECT_EQ(rep["by_status"][0]["status"], "risk_active");
  ASSERT_EQ(rep["by_type_cause"].size(), 1u);
  EXPECT_EQ(rep["by_type_cause"][0]["cause"], "illness");
  // The other township's subtree is empty.
  EXPECT_EQ(GetJson("admin", "/api/v1/reports/monitoring?org=t2")["households"], 0);

  const json over = GetJson("supervisor1", "/api/v1/reports/overdue?org=c1");
  EXPECT_EQ(over["open"], 5) << over.dump();  // handover, assign_contact, measures, visit, national_entry
  EXPECT_EQ(over["overdue"], 0);
  EXPECT_TRUE(over.contains("by_org"));
  EXPECT_TRUE(over.contains("by_assignee"));

  const json audit = GetJson("admin", "/api/v1/audit/verify");
  EXPECT_EQ(audit["ok"], true) << audit.dump();
  EXPECT_GE(audit["events"].get<long long>(), 4);
}

TEST_F(ChainTest, ReturnGoesBackOneLevelWithTheReason) {
  const std::string id = NewCase().value("id", "");
  ASSERT_EQ(ActAt("clerk1", id, "submit", 1).status, 200);
  auto r = ActAt("reviewer1", id, "return", 2, "评议记录不全，请补充");
  ASSERT_EQ(r.status, 200) << Show(r);
  EXPECT_EQ(r.Json()["state"], "village_fill");
  const json history = GetJson("reviewer1", "/api/v1/cases/" + id + "/history");
  EXPECT_EQ(history.back()["action"], "return");
  EXPECT_EQ(history.back()["comment"], "评议记录不全，请补充");
  EXPECT_EQ(Steps(GetJson("clerk1", "/api/v1/tasks")), std::set<std::string>{"village_fill"});
}

}  // namespace
}  // namespace dixian::e2e
