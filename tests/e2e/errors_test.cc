// Every error status of the contract, from the real binary, with the exact body
// {"error":{"code","message"}}; and Idempotency-Key replays.
#include "tests/e2e/e2e_world.h"

namespace dixian::e2e {
namespace {

class ErrorsTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    ASSERT_NO_FATAL_FAILURE(BuildWorld());
  }

  static std::string Message(const HttpResult& r) { return r.Json()["error"].value("message", ""); }
  static std::string Code(const HttpResult& r) { return r.Json()["error"].value("code", ""); }

  // A case for H1 submitted to the township (version 2).
  std::string SubmittedCase() {
    const std::string id = NewCase().value("id", "");
    EXPECT_EQ(Act("clerk1", id, "submit").status, 200);
    return id;
  }
};

TEST_F(ErrorsTest, NoTokenOrForgedTokenIs401) {
  auto anonymous = server_->Client();
  EXPECT_TRUE(IsErrorBody(anonymous->Request("GET", "/api/v1/tasks"), 401));
  EXPECT_TRUE(IsErrorBody(anonymous->Request("POST", "/api/v1/orgs", R"({"code":"x"})"), 401));
  auto forged = server_->Client("dx_0000000000000000000000000000000000000000deadbeef");
  EXPECT_TRUE(IsErrorBody(forged->Request("GET", "/api/v1/tasks"), 401));
  EXPECT_TRUE(IsErrorBody(forged->Request("GET", "/api/v1/cases/C00000001"), 401));
  // A real user's token with one character changed.
  std::string token = tokens_.at("clerk1");
  token.back() = token.back() == '0' ? '1' : '0';
  EXPECT_TRUE(IsErrorBody(server_->Client(token)->Request("GET", "/api/v1/me"), 401));
  // Not a bearer scheme.
  EXPECT_TRUE(IsErrorBody(anonymous->Request("GET", "/api/v1/tasks", "", {{"Authorization", "Basic YWRtaW46YWRtaW4="}}), 401));
}

TEST_F(ErrorsTest, RevokedTokenIs401AndReissuedTokenWorks) {
  const std::string old_token = tokens_.at("clerk1");
  ASSERT_EQ(server_->Client(old_token)->Request("GET", "/api/v1/me").status, 200);
  EXPECT_TRUE(IsErrorBody(Post("clerk2", "/api/v1/users/clerk1/revoke", json::object()), 403));
  auto revoked = Post("admin", "/api/v1/users/clerk1/revoke", json::object());
  ASSERT_EQ(revoked.status, 200) << Show(revoked);
  EXPECT_TRUE(IsErrorBody(server_->Client(old_token)->Request("GET", "/api/v1/me"), 401));
  auto reissued = Post("admin", "/api/v1/users/clerk1/token", json::object());
  ASSERT_EQ(reissued.status, 200) << Show(reissued);
  const std::string new_token = reissued.Json()["token"].get<std::string>();
  EXPECT_EQ(server_->Client(new_token)->Request("GET", "/api/v1/me").status, 200);
  EXPECT_TRUE(IsErrorBody(server_->Client(old_token)->Request("GET", "/api/v1/me"), 401));
  EXPECT_TRUE(IsErrorBody(Post("admin", "/api/v1/users/nobody/revoke", json::object()), 404));
}

TEST_F(ErrorsTest, AnotherTownshipIs404AnotherRoleIs403) {
  const std::string id = SubmittedCase();
  // For the other township's reviewer a case outside its subtree reads as absent.
  auto r = Act("reviewer2", id, "approve");
  EXPECT_TRUE(IsErrorBody(r, 404));
  EXPECT_TRUE(IsErrorBody(Get("reviewer2", "/api/v1/cases/" + id), 404));
  // Right org, wrong role: the village clerk and the county officer may not approve at the township step.
  EXPECT_TRUE(IsErrorBody(Act("clerk1", id, "approve"), 403));
  EXPECT_TRUE(IsErrorBody(Act("county1", id, "approve"), 403));
  // Admin-only calls by a user; a case for a household of another village.
  EXPECT_TRUE(IsErrorBody(Post("clerk1", "/api/v1/orgs", {{"code", "v9"}, {"name", "新村"}, {"level", "village"}, {"parent", "t1"}}), 403));
  EXPECT_TRUE(IsErrorBody(Post("clerk2", "/api/v1/cases", {{"workflow", "identification"}, {"household", "H1"}, {"data", IdentificationData()}}), 422));
  EXPECT_TRUE(IsErrorBody(Post("clerk1", "/api/v1/admin/clock", {{"advance_seconds", 1}}), 403));
  // Nothing moved.
  EXPECT_EQ(GetJson("admin", "/api/v1/cases/" + id)["state"], "township_review");
}

TEST_F(ErrorsTest, UnknownCaseOrHouseholdIs404) {
  EXPECT_TRUE(IsErrorBody(Get("admin", "/api/v1/cases/C99999999"), 404));
  EXPECT_TRUE(IsErrorBody(Get("admin", "/api/v1/cases/C99999999/history"), 404));
  EXPECT_TRUE(IsErrorBody(Post("county1", "/api/v1/cases/C99999999/actions", {{"action", "approve"}, {"expected_version", 1}}), 404));
  EXPECT_TRUE(IsErrorBody(Get("admin", "/api/v1/households/NOPE"), 404));
  EXPECT_TRUE(IsErrorBody(Get("admin", "/api/v1/households/NOPE/tasks"), 404));
  EXPECT_TRUE(IsErrorBody(Put("reviewer1", "/api/v1/households/NOPE/contact", {{"user", "contact1"}}), 404));
  EXPECT_TRUE(IsErrorBody(Get("admin", "/api/v1/no-such-route"), 404));
}

TEST_F(ErrorsTest, StaleVersionAndDuplicatesAre409) {
  const std::string id = SubmittedCase();
  auto r = Post("reviewer1", "/api/v1/cases/" + id + "/actions", {{"action", "approve"}, {"comment", ""}, {"expected_version", 1}});
  EXPECT_TRUE(IsErrorBody(r, 409));
  EXPECT_EQ(Code(r), "version_conflict");
  EXPECT_EQ(GetJson("admin", "/api/v1/cases/" + id)["version"], 2);  // unchanged

  r = Post("admin", "/api/v1/households", {{"id", "H1"}, {"village", "v1"}, {"head_name", "李四"}, {"members", 2}, {"income_per_capita", 3000}});
  EXPECT_TRUE(IsErrorBody(r, 409));
  EXPECT_EQ(GetJson("admin", "/api/v1/households/H1")["head_name"], "王建国");  // not overwritten
  EXPECT_TRUE(IsErrorBody(Post("admin", "/api/v1/orgs", {{"code", "t1"}, {"name", "重复"}, {"level", "township"}, {"parent", "c1"}}), 409));
}

TEST_F(ErrorsTest, BodyOverTheLimitIs413) {
  const std::string big = R"({"id":"H3","village":"v1","head_name":")" + std::string(1100 * 1024, 'x') + R"("})";
  auto r = As("admin")->Request("POST", "/api/v1/households", big);
  EXPECT_TRUE(IsErrorBody(r, 413));
  EXPECT_TRUE(IsErrorBody(Get("admin", "/api/v1/households/H3"), 404));
  EXPECT_EQ(Get("admin", "/healthz").status, 200);  // the server is fine
}

TEST_F(ErrorsTest, UnacceptableValuesAre422NamingTheField) {
  const std::string id = SubmittedCase();
  auto r = Post("reviewer1", "/api/v1/cases/" + id + "/actions", {{"action", "return"}, {"expected_version", 2}});
  EXPECT_TRUE(IsErrorBody(r, 422));
  EXPECT_NE(Message(r).find("comment"), std::string::npos) << r.body;
  r = Post("reviewer1", "/api/v1/cases/" + id + "/actions", {{"action", "reject"}, {"comment", ""}, {"expected_version", 2}});
  EXPECT_TRUE(IsErrorBody(r, 422));
  EXPECT_NE(Message(r).find("comment"), std::string::npos) << r.body;

  r = Post("clerk2", "/api/v1/cases", {{"workflow", "no_such_chain"}, {"household", "H2"}, {"data", IdentificationData()}});
  EXPECT_TRUE(IsErrorBody(r, 422));
  EXPECT_NE(Message(r).find("workflow"), std::string::npos) << r.body;

  json data = IdentificationData();
  data["type"] = "rich";
  r = Post("clerk2", "/api/v1/cases", {{"workflow", "identification"}, {"household", "H2"}, {"data", data}});
  EXPECT_TRUE(IsErrorBody(r, 422));
  EXPECT_NE(Message(r).find("type"), std::string::npos) << r.body;

  data.erase("type");
  r = Post("clerk2", "/api/v1/cases", {{"workflow", "identification"}, {"household", "H2"}, {"data", data}});
  EXPECT_TRUE(IsErrorBody(r, 422));
  EXPECT_NE(Message(r).find("type"), std::string::npos) << r.body;

  // An action the state does not have.
  r = Post("reviewer1", "/api/v1/cases/" + id + "/actions", {{"action", "fly"}, {"expected_version", 2}});
  EXPECT_TRUE(IsErrorBody(r, 422));
  EXPECT_NE(Message(r).find("action"), std::string::npos) << r.body;
  // An org with an unknown level.
  r = Post("admin", "/api/v1/orgs", {{"code", "x1"}, {"name", "某地"}, {"level", "galaxy"}, {"parent", "p1"}});
  EXPECT_TRUE(IsErrorBody(r, 422));
  EXPECT_NE(Message(r).find("level"), std::string::npos) << r.body;
  EXPECT_EQ(GetJson("admin", "/api/v1/cases/" + id)["version"], 2);
}

TEST_F(ErrorsTest, MalformedJsonIs400) {
  EXPECT_TRUE(IsErrorBody(As("admin")->Request("POST", "/api/v1/orgs", R"({"code":)"), 400));
  EXPECT_TRUE(IsErrorBody(As("clerk1")->Request("POST", "/api/v1/cases", "not json at all"), 400));
  const std::string id = NewCase().value("id", "");
  EXPECT_TRUE(IsErrorBody(As("clerk1")->Request("POST", "/api/v1/cases/" + id + "/actions", "{\"action\":\"submit\",}"), 400));
  EXPECT_TRUE(IsErrorBody(As("admin")->Request("POST", "/api/v1/admin/clock", "{"), 400));
}

TEST_F(ErrorsTest, CsvImportWithBadRowsStoresNothing) {
  const std::string csv =
      "id,village,head_name,members,income_per_capita\n"
      "H10,v1,李四,3,4000\n"
      "H11,v9,王五,2,4000\n"   // line 3: unknown village
      "H1,v1,赵六,2,3000\n"    // line 4: the id exists
      "H12,v2,钱七,,5000\n";   // line 5: members missing
  auto r = As("admin")->Request("POST", "/api/v1/households/import", csv, {{"Content-Type", "text/csv"}});
  ASSERT_TRUE(IsErrorBody(r, 422));
  const std::string message = Message(r);
  for (const char* line : {"3", "4", "5"})
    EXPECT_NE(message.find(std::string("第 ") + line + " 行"), std::string::npos) << line << ": " << message;
  EXPECT_EQ(message.find("第 2 行"), std::string::npos) << message;
  for (const char* id : {"H10", "H11", "H12"}) EXPECT_TRUE(IsErrorBody(Get("admin", std::string("/api/v1/households/") + id), 404));

  // The good rows alone import.
  r = As("admin")->Request("POST", "/api/v1/households/import",
                           "id,village,head_name,members,income_per_capita\nH10,v1,李四,3,4000\nH12,v2,钱七,1,5000\n",
                           {{"Content-Type", "text/csv"}});
  ASSERT_EQ(r.status, 200) << Show(r);
  EXPECT_EQ(GetJson("clerk2", "/api/v1/households/H12")["members"], 1);
}

TEST_F(ErrorsTest, IdempotentReplayReturnsTheFirstResponse) {
  const json body = {{"workflow", "identification"}, {"household", "H1"}, {"data", IdentificationData()}};
  const test_support::Headers key = {{"Idempotency-Key", "e2e-create-H1-0001"}};
  auto first = Post("clerk1", "/api/v1/cases", body, key);
  ASSERT_EQ(first.status, 201) << Show(first);
  auto second = Post("clerk1", "/api/v1/cases", body, key);
  EXPECT_EQ(second.status, 201);
  EXPECT_EQ(second.Json(), first.Json());
  // One case: one village task; a third create without the key is a duplicate.
  EXPECT_EQ(GetJson("clerk1", "/api/v1/tasks").size(), 1u);
  EXPECT_TRUE(IsErrorBody(Post("clerk1", "/api/v1/cases", body), 409));

  // An action replayed: applied once.
  const std::string id = first.Json().value("id", "");
  const json submit = {{"action", "submit"}, {"comment", ""}, {"expected_version", 1}};
  AttachRequired("clerk1", GetJson("admin", "/api/v1/cases/" + id), "submit");
  const test_support::Headers skey = {{"Idempotency-Key", "e2e-submit-0001"}};
  auto a1 = Post("clerk1", "/api/v1/cases/" + id + "/actions", submit, skey);
  ASSERT_EQ(a1.status, 200) << Show(a1);
  auto a2 = Post("clerk1", "/api/v1/cases/" + id + "/actions", submit, skey);
  EXPECT_EQ(a2.status, 200) << Show(a2);
  EXPECT_EQ(a2.Json(), a1.Json());
  EXPECT_EQ(GetJson("admin", "/api/v1/cases/" + id)["version"], 2);
  EXPECT_EQ(GetJson("admin", "/api/v1/cases/" + id + "/history").size(), 2u);

  // The same key with another body is refused (422) and changes nothing.
  json other = body;
  other["data"]["primary_cause"] = "other";
  auto r = Post("clerk1", "/api/v1/cases", other, key);
  EXPECT_TRUE(IsErrorBody(r, 422));
  EXPECT_EQ(GetJson("admin", "/api/v1/cases/" + id)["data"]["primary_cause"], "illness");
}

}  // namespace
}  // namespace dixian::e2e
