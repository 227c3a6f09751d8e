// Households as living records and leads through the real binary over HTTP: a lead opens the
// village's verification task and ends as "no risk" or as a case linked both ways; a stale PATCH
// is 409; seed 003's type rule answers 422 and the county overrides it with a recorded comment;
// 变更监测类型 runs village -> township -> county; a revoked contact person's household goes back
// to the township at once; a member's ID number finds the household, masked.
#include "tests/e2e/e2e_world.h"

namespace dixian::e2e {
namespace {

// A valid resident ID number (GB 11643 check character computed by hand).
constexpr const char* kWangId = "532931198005120016";

class HouseholdsE2eTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    ASSERT_NO_FATAL_FAILURE(BuildWorld());
  }
  HttpResult Patch(const std::string& user, const std::string& path, const json& body) {
    return As(user)->Request("PATCH", path, body.dump());
  }
  json TasksNamed(const std::string& user, const std::string& household, const std::string& step) {
    json out = json::array();
    for (const auto& t : GetJson(user, "/api/v1/households/" + household + "/tasks"))
      if (t["step"] == step) out.push_back(t);
    return out;
  }
};

TEST_F(HouseholdsE2eTest, LeadOpensTheVillagesVerificationAndEndsAsNoRiskOrALinkedCase) {
  auto r = Post("medical1", "/api/v1/leads",
                {{"household", "H1"}, {"source", "department"}, {"indicator", "大额医疗支出"},
                 {"detail", "住院自付 4.2 万元"}});
  ASSERT_EQ(r.status, 201) << Show(r);
  const json lead = r.Json();
  EXPECT_EQ(lead["status"], "open");
  EXPECT_EQ(lead["task"]["step"], "verify");
  EXPECT_EQ(lead["task"]["org"], "v1");
  EXPECT_EQ(lead["task"]["role"], "village_clerk");
  EXPECT_EQ(lead["task"]["due_at"], "2026-03-10T00:00:00+08:00");  // 7 days: the end of Mar 9
  // The village clerk's inbox holds it; the other village's does not.
  const json inbox = GetJson("clerk1", "/api/v1/tasks");
  ASSERT_EQ(inbox.size(), 1u) << inbox.dump();
  EXPECT_EQ(inbox[0]["step"], "verify");
  EXPECT_EQ(inbox[0]["household"], "H1");
  EXPECT_EQ(inbox[0]["due_at"], "2026-03-10T00:00:00+08:00");
  EXPECT_TRUE(GetJson("clerk2", "/api/v1/tasks").empty());
  // A lead for an ID number nobody in the caller's remit holds: 422, nothing stored.
  auto unknown = Post("medical1", "/api/v1/leads",
                      {{"id_number", kWangId}, {"source", "department"}, {"indicator", "低保"}});
  EXPECT_TRUE(IsErrorBody(unknown, 422));

  // No risk: the comment is required, then the lead is resolved and the task closes.
  const std::string first = lead["id"];
  EXPECT_TRUE(IsErrorBody(Post("clerk1", "/api/v1/leads/" + first + "/resolve", {{"outcome", "no_risk"}}), 422));
  r = Post("clerk1", "/api/v1/leads/" + first + "/resolve",
           {{"outcome", "no_risk"}, {"comment", "已报销，家庭收入稳定"}});
  ASSERT_EQ(r.status, 200) << Show(r);
  EXPECT_EQ(r.Json()["status"], "resolved");
  EXPECT_EQ(r.Json()["outcome"], "no_risk");
  EXPECT_TRUE(GetJson("clerk1", "/api/v1/tasks").empty());
  EXPECT_TRUE(IsErrorBody(Post("clerk1", "/api/v1/leads/" + first + "/resolve",
                               {{"outcome", "no_risk"}, {"comment", "again"}}),
                          409));

  // A second lead ends by opening an identification case, linked both ways.
  r = Post("clerk1", "/api/v1/leads", {{"household", "H1"}, {"source", "self_report"}, {"indicator", "因病"}});
  ASSERT_EQ(r.status, 201) << Show(r);
  const std::string second = r.Json()["id"];
  r = Post("clerk1", "/api/v1/leads/" + second + "/resolve",
           {{"outcome", "identification"}, {"data", IdentificationData()}});
  ASSERT_EQ(r.status, 200) << Show(r);
  const std::string case_id = r.Json()["case"];
  ASSERT_FALSE(case_id.empty());
  EXPECT_EQ(GetJson("clerk1", "/api/v1/leads/" + second)["case"], case_id);
  const json c = GetJson("clerk1", "/api/v1/cases/" + case_id);
  EXPECT_EQ(c["workflow"], "identification");
  EXPECT_EQ(c["leads"], json::array({second}));
  // Both leads are listed as resolved for the village, oldest first.
  const json resolved = GetJson("clerk1", "/api/v1/leads?status=resolved");
  ASSERT_EQ(resolved.size(), 2u);
  EXPECT_EQ(resolved[0]["id"], first);
  EXPECT_EQ(resolved[1]["id"], second);
}

TEST_F(HouseholdsE2eTest, PatchWithAStaleVersionIs409AndChangesNothing) {
  auto r = Patch("clerk1", "/api/v1/households/H1", {{"expected_version", 1}, {"income_per_capita", 5200}});
  ASSERT_EQ(r.status, 200) << Show(r);
  EXPECT_EQ(r.Json()["version"], 2);
  r = Patch("reviewer1", "/api/v1/households/H1", {{"expected_version", 1}, {"head_name", "王建业"}});
  ASSERT_TRUE(IsErrorBody(r, 409));
  EXPECT_EQ(r.Json()["error"]["code"], "version_conflict");
  EXPECT_NE(r.Json()["error"]["message"].get<std::string>().find("已被他人修改"), std::string::npos);
  const json hh = GetJson("clerk1", "/api/v1/households/H1");
  EXPECT_EQ(hh["version"], 2);
  EXPECT_EQ(hh["head_name"], "王建国");
  EXPECT_EQ(hh["income_per_capita"], 5200);
  const json changes = GetJson("clerk1", "/api/v1/households/H1/changes");
  ASSERT_EQ(changes.size(), 2u) << changes.dump();  // created, the income
  EXPECT_EQ(changes[1]["field"], "income_per_capita");
  EXPECT_EQ(changes[1]["from"], 4800);
  EXPECT_EQ(changes[1]["to"], 5200);
}

TEST_F(HouseholdsE2eTest, TypeRuleIs422AndOnlyTheCountyOverridesItWithAComment) {
  // Seed 003: below 6,000 yuan per person a household is not 突发严重困难户 (H1: 4,800).
  json data = IdentificationData();
  data["type"] = "sudden_hardship";
  auto r = Post("clerk1", "/api/v1/cases", {{"workflow", "identification"}, {"household", "H1"}, {"data", data}});
  ASSERT_TRUE(IsErrorBody(r, 422));
  EXPECT_EQ(r.Json()["error"]["code"], "type_rule_violated");
  const std::string msg = r.Json()["error"]["message"];
  EXPECT_NE(msg.find("4800 元，低于 6000 元，不能认定为突发严重困难户"), std::string::npos) << msg;
  // Admitted as 边缘易致贫户; then 7,200 yuan does not fit it any more.
  AdmitH1();
  r = Patch("clerk1", "/api/v1/households/H1", {{"expected_version", 1}, {"income_per_capita", 7200}});
  ASSERT_TRUE(IsErrorBody(r, 422));
  EXPECT_NE(r.Json()["error"]["message"].get<std::string>().find("高于 6000 元"), std::string::npos);
  EXPECT_TRUE(IsErrorBody(Patch("clerk1", "/api/v1/households/H1",
                                {{"expected_version", 1}, {"income_per_capita", 7200}, {"override", true},
                                 {"comment", "村里认为"}}),
                          403));
  r = Patch("county1", "/api/v1/households/H1",
            {{"expected_version", 1}, {"income_per_capita", 7200}, {"override", true},
             {"comment", "一次性务工结算，次年回落"}});
  ASSERT_EQ(r.status, 200) << Show(r);
  const json changes = GetJson("county1", "/api/v1/households/H1/changes");
  ASSERT_EQ(changes.size(), 3u) << changes.dump();
  EXPECT_EQ(changes[2]["field"], "type_override");
  EXPECT_EQ(changes[2]["actor"], "county1");
  EXPECT_EQ(changes[2]["to"]["comment"], "一次性务工结算，次年回落");
}

TEST_F(HouseholdsE2eTest, TypeChangeGoesVillageTownshipCountyAndIsCountedAsAMovement) {
  AdmitH1();  // 边缘易致贫户 at 4,800 yuan
  auto r = Post("clerk1", "/api/v1/cases",
                {{"workflow", "type_change"}, {"household", "H1"},
                 {"data", {{"new_type", "unstable_former_poor"}, {"reason", "核实为脱贫户"}}}});
  ASSERT_EQ(r.status, 201) << Show(r);
  const std::string id = r.Json()["id"];
  EXPECT_EQ(r.Json()["tasks"][0]["org"], "v1");
  ASSERT_EQ(Act("clerk1", id, "submit").status, 200);
  bool at_township = false;  // beside the follow-ups the admission opened for the township
  for (const auto& t : GetJson("reviewer1", "/api/v1/tasks")) at_township |= t["case"] == id;
  ASSERT_TRUE(at_township);
  ASSERT_EQ(Act("reviewer1", id, "approve").status, 200);
  ASSERT_EQ(GetJson("county1", "/api/v1/households/H1")["monitoring"]["type"], "marginal");
  r = Act("county1", id, "approve", "审定变更");
  ASSERT_EQ(r.status, 200) << Show(r);
  EXPECT_EQ(r.Json()["state"], "changed");
  EXPECT_EQ(GetJson("county1", "/api/v1/households/H1")["monitoring"]["type"], "unstable_former_poor");
  const json m = GetJson("county1", "/api/v1/reports/movements?org=c1&from=2026-03-01&to=2026-03-31");
  EXPECT_EQ(m["movements"]["type_changed"]["households"], 1) << m.dump();
  EXPECT_EQ(m["movements"]["type_changed"]["persons"], 4);
  EXPECT_EQ(m["movements"]["type_changed"]["by"][0]["key"], "unstable_former_poor");
}

TEST_F(HouseholdsE2eTest, RevokedContactPersonsHouseholdGoesBackToTheTownshipAtOnce) {
  AdmitH1();
  ASSERT_EQ(Put("reviewer1", "/api/v1/households/H1/contact", {{"user", "contact1"}}).status, 200);
  ASSERT_TRUE(TasksNamed("reviewer1", "H1", "assign_contact").empty());
  auto r = Post("admin", "/api/v1/admin/clock", {{"advance_seconds", 3 * 86400}});
  ASSERT_EQ(r.status, 200) << Show(r);  // Thursday 2026-03-05 09:00
  ASSERT_EQ(Post("admin", "/api/v1/users/contact1/revoke", json::object()).status, 200);
  const json named = TasksNamed("reviewer1", "H1", "assign_contact");
  ASSERT_EQ(named.size(), 1u);
  EXPECT_EQ(named[0]["org"], "t1");
  EXPECT_EQ(named[0]["due_at"], "2026-03-08T00:00:00+08:00");  // 2 days from the revocation
  EXPECT_TRUE(GetJson("reviewer1", "/api/v1/households/H1")["monitoring"]["contact"].is_null());
  bool in_inbox = false;
  for (const auto& t : GetJson("reviewer1", "/api/v1/tasks")) in_inbox |= t["step"] == "assign_contact";
  EXPECT_TRUE(in_inbox);
}

TEST_F(HouseholdsE2eTest, SearchByAMembersIdNumberAnswersMasked) {
  auto r = Patch("clerk1", "/api/v1/households/H1",
                 {{"expected_version", 1},
                  {"members", json::array({{{"name", "王建国"}, {"relation", "head"}, {"id_number", kWangId},
                                            {"labour", "full"}}})}});
  ASSERT_EQ(r.status, 200) << Show(r);
  r = Post("clerk1", "/api/v1/households/search", {{"q", kWangId}});
  ASSERT_EQ(r.status, 200) << Show(r);
  ASSERT_EQ(r.Json().size(), 1u) << r.body;
  EXPECT_EQ(r.Json()[0]["id"], "H1");
  EXPECT_EQ(r.Json()[0]["matched_member"]["id_number"], "532931********0016");
  EXPECT_EQ(r.body.find(kWangId), std::string::npos);
  r = Post("clerk2", "/api/v1/households/search", {{"q", kWangId}});
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.Json().empty());
}

}  // namespace
}  // namespace dixian::e2e
