// Hostile input against the real server: oversized bodies, deep nesting, invalid UTF-8, huge CSV
// lines, path tricks in ids — each gets its clear 4xx with the contract's error body and changes
// nothing in the database; SQL metacharacters in every text field are stored and returned verbatim.
#include "tests/reliability/reliability_util.h"

namespace dixian::reliability {
namespace {

using test_support::HttpClient;
using test_support::ServerProcess;
using test_support::ServerProcessOptions;

const char* kTables[] = {"orgs", "users", "channels", "households", "monitoring", "measures", "visits",
                         "cases", "tasks", "audit", "outbox", "idempotency"};

class InputHardening : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerProcessOptions o;
    o.binary = Binary();
    o.fake_clock = "2026-03-02T09:00:00+08:00";
    server_ = std::make_unique<ServerProcess>(o);
    ASSERT_TRUE(server_->Start()) << server_->error();
    ASSERT_TRUE(SeedCounty(*server_, &county_));
    clerk_ = Client("clerk_V11");
  }
  std::unique_ptr<HttpClient> Client(const std::string& user) {
    return server_->Client(user == "admin" ? server_->admin_token() : county_.tokens.at(user));
  }
  // One query (one connection to PostgreSQL) for every table's count.
  std::string Counts() {
    std::string sql = "SELECT ''";
    for (const char* t : kTables) sql += std::string(" || '") + t + "=' || (SELECT count(*) FROM " + t + ") || ' '";
    return Scalar(server_->db_path(), sql);
  }
  // The request gets `status` with an error body naming `code` (if given), and changes nothing.
  void Refused(HttpClient& c, const std::string& method, const std::string& target, const std::string& body,
               int status, const std::string& code = "", const test_support::Headers& headers = {}) {
    const std::string before = Counts();
    auto r = c.Request(method, target, body, headers);
    EXPECT_EQ(r.status, status) << method << " " << target.substr(0, 120) << ": " << r.body.substr(0, 300);
    auto j = r.Json();
    ASSERT_TRUE(j.is_object() && j.contains("error")) << "no error body: " << r.body.substr(0, 200);
    EXPECT_FALSE(j["error"].value("message", "").empty());
    if (!code.empty()) {
      EXPECT_EQ(j["error"].value("code", std::string()), code) << r.body.substr(0, 300);
    }
    EXPECT_EQ(Counts(), before) << "a refused request changed the database: " << target.substr(0, 120);
  }

  std::unique_ptr<ServerProcess> server_;
  County county_;
  std::unique_ptr<HttpClient> clerk_;
};

TEST_F(InputHardening, OversizedBodiesAre413) {
  std::string big = R"({"id":"big","village":"V11","head_name":")" + std::string(2 << 20, 'x') + R"(","members":1,"income_per_capita":1})";
  Refused(*clerk_, "POST", "/api/v1/households", big, 413, "body_too_large");
  std::string csv = "id,village,head_name,members,income_per_capita\n";
  while (csv.size() < (3u << 20)) csv += "h-x,V11,张三,3,4000\n";
  auto fresh = Client("clerk_V11");
  Refused(*fresh, "POST", "/api/v1/households/import", csv, 413, "body_too_large", {{"Content-Type", "text/csv"}});
  EXPECT_EQ(Client("clerk_V11")->Request("GET", "/healthz").status, 200) << "server still serves";
}

TEST_F(InputHardening, MalformedJsonAndUtf8Are400) {
  Refused(*clerk_, "POST", "/api/v1/households", std::string(100000, '['), 400, "too_deep");
  std::string nested = "1";
  for (int i = 0; i < 40; ++i) nested = R"({"a":)" + nested + "}";
  Refused(*clerk_, "POST", "/api/v1/cases", nested, 400, "too_deep");
  Refused(*clerk_, "POST", "/api/v1/households",
          "{\"id\":\"u1\",\"village\":\"V11\",\"head_name\":\"\xff\xfe\",\"members\":1,\"income_per_capita\":1}", 400,
          "invalid_utf8");
  Refused(*clerk_, "POST", "/api/v1/households",
          "{\"id\":\"u2\",\"village\":\"V11\",\"head_name\":\"\xc0\xaf\xed\xa0\x80\",\"members\":1,\"income_per_capita\":1}",
          400, "invalid_utf8");
  Refused(*clerk_, "POST", "/api/v1/households", R"({"id":"u3","head_name":"\ud800"})", 400, "malformed_json");
  Refused(*clerk_, "POST", "/api/v1/households", R"({"id":"u4",)", 400, "malformed_json");
  Refused(*clerk_, "POST", "/api/v1/households", "[1,2]", 422);
  Refused(*clerk_, "POST", "/api/v1/households/import", "id,village,head_name,members,income_per_capita\nh\xff,V11,a,1,1\n",
          400, "invalid_utf8", {{"Content-Type", "text/csv"}});
}

TEST_F(InputHardening, HugeCsvLinesAndBadRowsAreRefusedWhole) {
  const std::string header = "id,village,head_name,members,income_per_capita\n";
  Refused(*clerk_, "POST", "/api/v1/households/import", header + "h-1,V11," + std::string(100000, 'a') + ",1,1\n", 422,
          "csv_line_too_long", {{"Content-Type", "text/csv"}});
  Refused(*clerk_, "POST", "/api/v1/households/import", header + "ok-1,V11,张三,3,4000\nok-2,V11,\"unterminated,1,1\n", 422,
          "", {{"Content-Type", "text/csv"}});
  Refused(*clerk_, "POST", "/api/v1/households/import", header + "ok-1,V11,张三,3,4000\n../etc,V11,李四,3,4000\n", 422,
          "csv_rows_invalid", {{"Content-Type", "text/csv"}});
}

TEST_F(InputHardening, PathTricksInIdsAre404Or422) {
  for (const std::string& id : std::vector<std::string>{"..%2f..%2fetc%2fpasswd", "%2e%2e", "..", "%2e%2e%2f%2e%2e", "a%00b", "v11%2F1",
                               std::string(1000, 'a'), "%E4%B8%AD", "'%20OR%20'1'%3D'1"}) {
    auto c = Client("admin");
    Refused(*c, "GET", "/api/v1/households/" + id, "", 404);
    Refused(*c, "GET", "/api/v1/cases/" + id + "/history", "", 404);
    Refused(*c, "POST", "/api/v1/cases/" + id + "/actions", R"({"action":"submit","expected_version":1})", 404);
    Refused(*c, "PUT", "/api/v1/households/" + id + "/contact", R"({"user":"contact_V11"})", 404);
    Refused(*c, "POST", "/api/v1/tasks/" + id + "/urge", "{}", 404);
  }
  auto c = Client("admin");
  Refused(*c, "GET", "/api/v1/households/../../../etc/passwd", "", 404);
  for (const std::string& id : std::vector<std::string>{"../evil", "a/b", "..", std::string(65, 'a'), "中文", "a b", "x;DROP"})
    Refused(*clerk_, "POST", "/api/v1/households",
            Json{{"id", id}, {"village", "V11"}, {"head_name", "张三"}, {"members", 1}, {"income_per_capita", 1}}.dump(), 422);
  Refused(*c, "POST", "/api/v1/orgs", Json{{"code", "../X"}, {"name", "x"}, {"level", "village"}, {"parent", "T1"}}.dump(), 422);
  Refused(*c, "POST", "/api/v1/users", Json{{"id", "../u"}, {"name", "x"}, {"role", "village_clerk"}, {"org", "V11"}}.dump(), 422);
}

TEST_F(InputHardening, SqlMetacharactersAreStoredVerbatim) {
  const std::string kEvilKind = "k'); DROP TABLE measures;--";  // kind: at most 64 bytes
  const std::string evil = "Robert'); DROP TABLE households;-- \"%_\\ ' OR '1'='1 `x` $1 ?; /* */ 中文";
  auto admin = Client("admin");
  auto a = Call(*admin, "POST", "/api/v1/orgs", {{"code", "V13"}, {"name", evil}, {"level", "village"}, {"parent", "T1"}});
  ASSERT_EQ(a.status, 201) << a.raw;
  a = Call(*admin, "POST", "/api/v1/users", {{"id", "evil_user"}, {"name", evil}, {"role", "village_clerk"}, {"org", "V11"}});
  ASSERT_EQ(a.status, 201) << a.raw;
  a = Call(*clerk_, "POST", "/api/v1/households", {{"id", "h-sql"}, {"village", "V11"}, {"head_name", evil}, {"members", 2}, {"income_per_capita", 3000}});
  ASSERT_EQ(a.status, 201) << a.raw;
  EXPECT_EQ(a.body["head_name"], evil);
  // Take it through the chain with the string in every comment, then measures and visits.
  a = Call(*clerk_, "POST", "/api/v1/cases", {{"workflow", "identification"}, {"household", "h-sql"},
                                              {"data", {{"type", "marginal"}, {"primary_cause", "illness"}, {"note", evil}}}});
  ASSERT_EQ(a.status, 201) << a.raw;
  const std::string id = a.body["id"];
  const std::pair<std::string, std::string> chain[] = {{"clerk_V11", "submit"}, {"rev_T1", "approve"}, {"county", "approve"}};
  int version = a.body["version"];
  ASSERT_EQ(AttachMinutes(*clerk_, id).status, 201);
  for (const auto& [user, action] : chain) {
    a = Call(*Client(user), "POST", "/api/v1/cases/" + id + "/actions", {{"action", action}, {"comment", evil}, {"expected_version", version}});
    ASSERT_EQ(a.status, 200) << a.raw;
    version = a.body["version"];
  }
  ASSERT_EQ(Call(*Client("rev_T1"), "PUT", "/api/v1/households/h-sql/contact", {{"user", "contact_V11"}}).status, 200);
  // A kind outside the documented list is refused (it never reaches SQL); the text goes verbatim.
  EXPECT_EQ(Call(*Client("contact_V11"), "POST", "/api/v1/households/h-sql/measures",
                 {{"kind", kEvilKind}, {"description", evil}}).status, 422);
  a = Call(*Client("contact_V11"), "POST", "/api/v1/households/h-sql/measures", {{"kind", "medical"}, {"description", evil}});
  ASSERT_EQ(a.status, 201) << a.raw;
  a = Call(*Client("contact_V11"), "POST", "/api/v1/households/h-sql/visits", {{"mode", "home"}, {"note", evil}});
  ASSERT_EQ(a.status, 201) << a.raw;

  auto hh = Call(*admin, "GET", "/api/v1/households/h-sql");
  ASSERT_EQ(hh.status, 200);
  EXPECT_EQ(hh.body["head_name"], evil);
  EXPECT_EQ(hh.body["monitoring"]["measures"][0]["description"], evil);
  EXPECT_EQ(hh.body["monitoring"]["measures"][0]["kind"], "medical");
  EXPECT_EQ(hh.body["monitoring"]["visits"][0]["note"], evil) << hh.raw;
  auto history = Call(*admin, "GET", "/api/v1/cases/" + id + "/history");
  ASSERT_EQ(history.status, 200);
  int comments = 0;
  for (const auto& e : history.body) comments += e.value("comment", "") == evil;
  EXPECT_EQ(comments, 3) << history.raw;
  auto c = Call(*admin, "GET", "/api/v1/cases/" + id);
  EXPECT_EQ(c.body["data"]["note"], evil);
  // Nothing else changed: the tables are all there, with the rows this test wrote.
  EXPECT_EQ(Scalar(server_->db_path(), "SELECT name FROM orgs WHERE code = 'V13'"), evil);
  EXPECT_EQ(Scalar(server_->db_path(), "SELECT name FROM users WHERE id = 'evil_user'"), evil);
  EXPECT_EQ(Scalar(server_->db_path(), "SELECT count(*) FROM households"), "1");
  EXPECT_EQ(Scalar(server_->db_path(), "SELECT count(*) FROM orgs"), "9");
  if (!testing::OnPostgres()) { EXPECT_EQ(Scalar(server_->db_path(), "PRAGMA integrity_check"), "ok"); }
}

TEST_F(InputHardening, WrongTypesAre422NotServerErrors) {
  auto admin = Client("admin");
  Refused(*admin, "POST", "/api/v1/channels",
          Json{{"org", "C"}, {"kind", "webhook"}, {"url", "http://127.0.0.1:9/x"}, {"quiet_hours", {"a", "b"}}}.dump(), 422);
  Refused(*admin, "POST", "/api/v1/channels", Json{{"org", "C"}, {"kind", "webhook"}, {"url", "http://127.0.0.1:9/y"}, {"id", 5}}.dump(), 422);
  Refused(*admin, "POST", "/api/v1/channels", Json{{"org", "C"}, {"kind", "webhook"}, {"url", "http://127.0.0.1:9/z"}, {"id", "../c"}}.dump(), 422);
  ASSERT_EQ(Call(*clerk_, "POST", "/api/v1/households",
                 {{"id", "t-1"}, {"village", "V11"}, {"head_name", "张三"}, {"members", 1}, {"income_per_capita", 1}}).status, 201);
  auto c = Call(*clerk_, "POST", "/api/v1/cases", {{"workflow", "identification"}, {"household", "t-1"},
                                                   {"data", {{"type", "marginal"}, {"primary_cause", "illness"}, {"income_per_capita", "abc"}}}});
  ASSERT_EQ(c.status, 201) << c.raw;  // a non-number income is no threshold evidence, not a crash
  const std::string id = c.body["id"];
  const std::string task = c.body["tasks"][0]["id"];
  Refused(*Client("sup_county"), "POST", "/api/v1/tasks/" + task + "/urge", R"({"comment":5})", 422);
  Refused(*clerk_, "POST", "/api/v1/tasks/" + task + "/transfer", R"({"user":"clerk_V11","comment":{}})", 422);
  Refused(*clerk_, "POST", "/api/v1/cases/" + id + "/actions",
          Json{{"action", "submit"}, {"expected_version", 1}, {"data", {{"causes", 5}}}}.dump(), 422);
  Refused(*clerk_, "POST", "/api/v1/cases/" + id + "/actions",
          Json{{"action", "submit"}, {"expected_version", 1}, {"data", {{"type", 7}}}}.dump(), 422);
  Refused(*clerk_, "POST", "/api/v1/cases/" + id + "/actions", R"({"action":"submit","expected_version":"1"})", 422);
  Refused(*clerk_, "POST", "/api/v1/cases/" + id + "/actions", R"({"action":["submit"],"expected_version":1})", 422);
}

}  // namespace
}  // namespace dixian::reliability
