#pragma once
// Helpers shared by the reliability tests: raw SQL on the database, a small county seeded over
// HTTP, and the real binary's path. Header-only (the suite compiles only *_test.cc files).
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/test_db.h"

namespace dixian::reliability {

using Json = nlohmann::json;
using Row = std::vector<std::string>;

inline std::string Binary() { return DIXIAN_BINARY; }

// Rows of a query on the database (its own connection); NULL reads as "".
inline std::vector<Row> Sql(const std::string& db, const std::string& sql, bool /*write*/ = false) {
  return dixian::testing::QueryDb(db, sql);
}

inline std::string Scalar(const std::string& path, const std::string& sql) {
  auto rows = Sql(path, sql);
  return rows.empty() || rows[0].empty() ? "" : rows[0][0];
}

// A request with a JSON body; the parsed response.
struct Answer {
  int status = 0;
  Json body;
  std::string raw;
};

inline Answer Call(test_support::HttpClient& c, const std::string& method, const std::string& target,
                   const Json& body = nullptr, const test_support::Headers& headers = {}) {
  auto r = c.Request(method, target, body.is_null() ? std::string() : body.dump(), headers);
  return {r.status, r.Json(), r.body};
}

// Uploads minimal 民主评议 minutes to a case: identification's village submit requires them
// (workflows/identification.json, requires_evidence).
inline Answer AttachMinutes(test_support::HttpClient& c, const std::string& case_id,
                            const test_support::Headers& extra = {}) {
  test_support::Headers headers = {{"Content-Type", "application/pdf"}, {"X-Filename", "minutes.pdf"}};
  headers.insert(headers.end(), extra.begin(), extra.end());
  auto r = c.Request("POST", "/api/v1/cases/" + case_id + "/attachments?kind=meeting_minutes",
                     "%PDF-1.4\n%minutes\n%%EOF\n", headers);
  return {r.status, r.Json(), r.body};
}

// The county every HTTP-level reliability test works in:
//   P (province) > C (county) > T1, T2 (township) > V11, V12 (in T1), V21, V22 (in T2)
// Users: clerk_<village>, rev_<township>, county, dept_medical, prov, sup_county, contact_<village>.
// Mobiles are 1380000xxxx, so tests can grep logs for them. Tokens by user id.
struct County {
  std::map<std::string, std::string> tokens;
  std::vector<std::string> villages = {"V11", "V12", "V21", "V22"};
  static std::string TownshipOf(const std::string& village) { return "T" + village.substr(1, 1); }
};

inline std::string MobileOf(int n) {
  std::string digits = std::to_string(n);
  return "1380000" + std::string(4 - digits.size(), '0') + digits;
}

inline bool SeedCountyAt(unsigned short port, const std::string& admin_token, County* county,
                         const std::string& channel_url = "") {
  auto admin = std::make_unique<test_support::HttpClient>(port);
  admin->SetBearer(admin_token);
  auto ok = [](const Answer& a, const std::string& what) {
    if (a.status / 100 == 2) return true;
    ADD_FAILURE() << what << " -> " << a.status << " " << a.raw;
    return false;
  };
  const std::vector<Json> orgs = {
      {{"code", "P"}, {"name", "测试省"}, {"level", "province"}, {"parent", nullptr}},
      {{"code", "C"}, {"name", "测试县"}, {"level", "county"}, {"parent", "P"}},
      {{"code", "T1"}, {"name", "一乡"}, {"level", "township"}, {"parent", "C"}},
      {{"code", "T2"}, {"name", "二乡"}, {"level", "township"}, {"parent", "C"}},
      {{"code", "V11"}, {"name", "一村"}, {"level", "village"}, {"parent", "T1"}},
      {{"code", "V12"}, {"name", "二村"}, {"level", "village"}, {"parent", "T1"}},
      {{"code", "V21"}, {"name", "三村"}, {"level", "village"}, {"parent", "T2"}},
      {{"code", "V22"}, {"name", "四村"}, {"level", "village"}, {"parent", "T2"}}};
  for (const auto& o : orgs)
    if (!ok(Call(*admin, "POST", "/api/v1/orgs", o), "org " + o["code"].get<std::string>())) return false;
  std::vector<Json> users;
  int n = 0;
  auto user = [&](const std::string& id, const std::string& role, const std::string& org, const std::string& dept = "") {
    Json u = {{"id", id}, {"name", "用户" + id}, {"role", role}, {"org", org}, {"mobile", MobileOf(++n)}};
    if (!dept.empty()) u["department"] = dept;
    users.push_back(u);
  };
  for (const auto& v : county->villages) {
    user("clerk_" + v, "village_clerk", v);
    user("contact_" + v, "contact_person", v);
  }
  user("rev_T1", "township_reviewer", "T1");
  user("rev_T2", "township_reviewer", "T2");
  user("county", "county_officer", "C");
  user("dept_medical", "department_officer", "C", "medical");
  user("prov", "province_officer", "P");
  user("sup_county", "supervisor", "C");
  for (const auto& u : users) {
    auto a = Call(*admin, "POST", "/api/v1/users", u);
    if (!ok(a, "user " + u["id"].get<std::string>())) return false;
    county->tokens[u["id"].get<std::string>()] = a.body["token"].get<std::string>();
  }
  if (!channel_url.empty()) {
    Json ch = {{"org", "P"}, {"kind", "webhook"}, {"url", channel_url}};
    if (!ok(Call(*admin, "POST", "/api/v1/channels", ch), "channel")) return false;
  }
  return true;
}

inline bool SeedCounty(const test_support::ServerProcess& server, County* county,
                       const std::string& channel_url = "") {
  return SeedCountyAt(server.port(), server.admin_token(), county, channel_url);
}

}  // namespace dixian::reliability
