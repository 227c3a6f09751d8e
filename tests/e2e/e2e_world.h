#pragma once
// Shared set-up for the end-to-end suites: a real `dixian serve` (tests/support/server_process.h)
// and a small province built through the API only:
//   p1 示范省 > c1 示范县 > t1 青山镇 > v1 上寨村,  c1 > t2 石桥乡 > v2 下坝村
// with one user per role and household H1 in v1 (H2 in v2).
#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/server_process.h"

namespace dixian::e2e {

using nlohmann::json;
using test_support::HttpClient;
using test_support::HttpResult;
using test_support::ServerProcess;
using test_support::ServerProcessOptions;

inline constexpr const char* kStart = "2026-03-02T09:00:00+08:00";  // a Monday, working day

// "METHOD PATH -> STATUS body" for failure messages.
inline std::string Show(const HttpResult& r) {
  return std::to_string(r.status) + " " + (r.status ? r.body : r.error);
}

// True when body is exactly {"error":{"code":<snake>,"message":<non-empty>}}.
inline ::testing::AssertionResult IsErrorBody(const HttpResult& r, int status) {
  if (r.status != status) return ::testing::AssertionFailure() << "want " << status << ", got " << Show(r);
  const json j = r.Json();
  if (!j.is_object() || j.size() != 1 || !j.contains("error") || !j["error"].is_object() || j["error"].size() != 2)
    return ::testing::AssertionFailure() << "not the error shape: " << r.body;
  const json& e = j["error"];
  if (!e.contains("code") || !e["code"].is_string() || !e.contains("message") || !e["message"].is_string() ||
      e["message"].get<std::string>().empty())
    return ::testing::AssertionFailure() << "error needs code and message strings: " << r.body;
  for (char c : e["code"].get<std::string>())
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_'))
      return ::testing::AssertionFailure() << "code is not snake_case: " << r.body;
  return ::testing::AssertionSuccess();
}

class E2eTest : public ::testing::Test {
 protected:
  // Override to start the server with other options (e.g. no fake clock).
  virtual ServerProcessOptions Options() {
    ServerProcessOptions o;
    o.binary = DIXIAN_BINARY;
    o.fake_clock = kStart;
    return o;
  }

  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(Options());
    ASSERT_TRUE(server_->Start()) << server_->error();
  }

  void TearDown() override {
    if (server_ && server_->running()) {
      EXPECT_EQ(server_->Stop(), 0) << server_->Log();
    }
  }

  std::unique_ptr<HttpClient> As(const std::string& user) {
    return server_->Client(user == "admin" ? server_->admin_token() : tokens_.at(user));
  }

  HttpResult Post(const std::string& user, const std::string& path, const json& body,
                  const test_support::Headers& headers = {}) {
    return As(user)->Request("POST", path, body.dump(), headers);
  }
  HttpResult Put(const std::string& user, const std::string& path, const json& body) {
    return As(user)->Request("PUT", path, body.dump());
  }
  HttpResult Get(const std::string& user, const std::string& path) { return As(user)->Request("GET", path); }
  json GetJson(const std::string& user, const std::string& path) {
    auto r = Get(user, path);
    EXPECT_EQ(r.status, 200) << path << ": " << Show(r);
    return r.Json();
  }

  void Org(const std::string& code, const std::string& name, const std::string& level, const json& parent) {
    auto r = Post("admin", "/api/v1/orgs", {{"code", code}, {"name", name}, {"level", level}, {"parent", parent}});
    ASSERT_EQ(r.status, 201) << Show(r);
  }
  void User(const std::string& id, const std::string& role, const std::string& org, const std::string& dept = "") {
    json body = {{"id", id}, {"name", id + "同志"}, {"role", role}, {"org", org}, {"mobile", "13812345678"}};
    if (!dept.empty()) body["department"] = dept;
    auto r = Post("admin", "/api/v1/users", body);
    ASSERT_EQ(r.status, 201) << Show(r);
    ASSERT_EQ(r.Json()["id"], id);
    tokens_[id] = r.Json()["token"].get<std::string>();
  }
  void Household(const std::string& id, const std::string& village) {
    auto r = Post("admin", "/api/v1/households",
                  {{"id", id}, {"village", village}, {"head_name", "王建国"}, {"members", 4}, {"income_per_capita", 4800}});
    ASSERT_EQ(r.status, 201) << Show(r);
  }

  // The province of the header comment, through the API.
  void BuildWorld() {
    Org("p1", "示范省", "province", nullptr);
    Org("c1", "示范县", "county", "p1");
    Org("t1", "青山镇", "township", "c1");
    Org("t2", "石桥乡", "township", "c1");
    Org("v1", "上寨村", "village", "t1");
    Org("v2", "下坝村", "village", "t2");
    User("clerk1", "village_clerk", "v1");
    User("clerk2", "village_clerk", "v2");
    User("reviewer1", "township_reviewer", "t1");
    User("reviewer2", "township_reviewer", "t2");
    User("county1", "county_officer", "c1");
    User("province1", "province_officer", "p1");
    User("contact1", "contact_person", "t1");
    User("supervisor1", "supervisor", "c1");
    User("medical1", "department_officer", "c1", "medical");
    Household("H1", "v1");
    Household("H2", "v2");
  }

  static json IdentificationData() {
    return {{"type", "marginal"},
            {"primary_cause", "illness"},
            {"causes", {"illness", "no_labour"}},
            {"income_per_capita", 4800},
            {"visit_record", "入户核实：户主患病，医疗支出大"},
            {"meeting_record", "村民代表评议通过"}};
  }

  // Creates an identification case for H1 as clerk1; returns the case JSON.
  json NewCase(const std::string& household = "H1", const std::string& clerk = "clerk1") {
    auto r = Post(clerk, "/api/v1/cases",
                  {{"workflow", "identification"}, {"household", household}, {"data", IdentificationData()}});
    EXPECT_EQ(r.status, 201) << Show(r);
    return r.Json();
  }

  // Applies action on case id as user, at the current version. Returns the response.
  HttpResult Act(const std::string& user, const std::string& id, const std::string& action,
                 const std::string& comment = "") {
    const json c = GetJson("admin", "/api/v1/cases/" + id);
    if (auto_evidence_) AttachRequired(user, c, action);
    return Post(user, "/api/v1/cases/" + id + "/actions",
                {{"action", action}, {"comment", comment}, {"expected_version", c.value("version", 0)}});
  }

  // Uploads a file to a case (raw body, Content-Type, X-Filename percent-encoded, ?kind=).
  HttpResult Upload(const std::string& user, const std::string& case_id, const std::string& kind,
                    const std::string& bytes, const std::string& content_type,
                    const std::string& filename_encoded = "minutes.pdf") {
    return As(user)->Request("POST", "/api/v1/cases/" + case_id + "/attachments?kind=" + kind, bytes,
                             {{"Content-Type", content_type}, {"X-Filename", filename_encoded}});
  }
  static constexpr const char* kMinimalPdf = "%PDF-1.4\n%minutes\n%%EOF\n";

  // Act uploads a minimal PDF of each kind the action requires (requires_evidence) that the case
  // lacks, unless a test turns this off to see the requirement itself.
  void AttachRequired(const std::string& user, const json& c, const std::string& action) {
    for (const auto& a : c.value("allowed_actions", json::array())) {
      if (a.value("action", "") != action) continue;
      for (const auto& need : a.value("requires_evidence", json::array())) {
        bool has = false;
        for (const auto& att : c.value("attachments", json::array())) has = has || att["kind"] == need["kind"];
        if (!has) {
          auto r = Upload(user, c.value("id", ""), need["kind"], kMinimalPdf, "application/pdf");
          EXPECT_EQ(r.status, 201) << Show(r);
        }
      }
    }
  }
  bool auto_evidence_ = true;

  // Runs H1 through the identification chain to "admitted"; returns the case id.
  std::string AdmitH1() {
    const std::string id = NewCase().value("id", "");
    EXPECT_EQ(Act("clerk1", id, "submit").status, 200);
    EXPECT_EQ(Act("reviewer1", id, "approve").status, 200);
    auto r = Act("county1", id, "approve");
    EXPECT_EQ(r.status, 200) << Show(r);
    return id;
  }

  std::unique_ptr<ServerProcess> server_;
  std::map<std::string, std::string> tokens_;
};

}  // namespace dixian::e2e
