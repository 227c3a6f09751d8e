// Existence oracles (issue 17 item 10): a record outside the caller's remit must answer exactly
// like an id that does not exist (status and body, the id aside), and reserved user ids are
// refused. Before: 403 for what exists elsewhere against 404 for what does not, "not a contact
// person" for a user of another township, 409 for a closed task elsewhere.
#include "tests/security/security_util.h"

namespace dixian::security {
namespace {

// The answer with every occurrence of `id` replaced, so two answers about two ids compare.
std::string Neutral(const Answer& a, const std::string& id) {
  std::string body = a.raw;
  for (auto pos = body.find(id); pos != std::string::npos; pos = body.find(id, pos)) body.replace(pos, id.size(), "<id>");
  return std::to_string(a.status) + " " + body;
}

class Existence : public SecurityTest {
 protected:
  void SetUp() override {
    SecurityTest::SetUp();
    if (HasFatalFailure()) return;
    for (const auto* v : {"V11", "V21"})
      ASSERT_EQ(Do("admin", "POST", "/api/v1/households", Household(std::string("H-") + v, v)).status, 201);
  }
  // `user` sends the same request about an id elsewhere and about a missing id: same answer.
  void SameAsMissing(const std::string& user, const std::string& method, const std::string& pattern,
                     const std::string& elsewhere, const std::string& missing, const Json& body = nullptr) {
    auto fill = [&pattern](const std::string& id) {
      std::string t = pattern;
      return t.replace(t.find("{}"), 2, id);
    };
    auto a = Do(user, method, fill(elsewhere), body);
    auto b = Do(user, method, fill(missing), body);
    EXPECT_EQ(Neutral(a, elsewhere), Neutral(b, missing)) << user << " " << method << " " << pattern;
    EXPECT_NE(a.status / 100, 2) << a.raw;
  }
  std::string OpenCase(const std::string& household, const std::string& clerk) {
    auto c = Do(clerk, "POST", "/api/v1/cases",
                {{"workflow", "identification"}, {"household", household},
                 {"data", {{"type", "marginal"}, {"primary_cause", "illness"}, {"income_per_capita", 4000}}}});
    EXPECT_EQ(c.status, 201) << c.raw;
    return c.body.value("id", "");
  }
};

TEST_F(Existence, HouseholdElsewhereReadsAsMissing) {
  SameAsMissing("clerk_V11", "GET", "/api/v1/households/{}", "H-V21", "H-NONE");
  SameAsMissing("clerk_V11", "GET", "/api/v1/households/{}/tasks", "H-V21", "H-NONE");
  SameAsMissing("rev_T1", "PUT", "/api/v1/households/{}/contact", "H-V21", "H-NONE", {{"user", "contact_V11"}});
  SameAsMissing("rev_T1", "POST", "/api/v1/households/{}/measures", "H-V21", "H-NONE",
                {{"kind", "medical"}, {"description", "医保"}});
  SameAsMissing("contact_V11", "POST", "/api/v1/households/{}/visits", "H-V21", "H-NONE", {{"mode", "home"}});
  // Opening a case names the household in the body.
  auto case_for = [](const std::string& id) {
    return Json{{"workflow", "identification"}, {"household", id}, {"data", {{"type", "marginal"}, {"primary_cause", "illness"}}}};
  };
  auto a = Do("clerk_V11", "POST", "/api/v1/cases", case_for("H-V21"));
  auto b = Do("clerk_V11", "POST", "/api/v1/cases", case_for("H-NONE"));
  EXPECT_EQ(Neutral(a, "H-V21"), Neutral(b, "H-NONE"));
  EXPECT_EQ(a.status, 422) << a.raw;
}

TEST_F(Existence, CaseElsewhereReadsAsMissing) {
  const std::string id = OpenCase("H-V11", "clerk_V11");
  SameAsMissing("rev_T2", "GET", "/api/v1/cases/{}", id, "C99999999");
  SameAsMissing("rev_T2", "GET", "/api/v1/cases/{}/history", id, "C99999999");
  SameAsMissing("clerk_V21", "POST", "/api/v1/cases/{}/actions", id, "C99999999", {{"action", "submit"}, {"expected_version", 1}});
  EXPECT_EQ(Do("admin", "GET", "/api/v1/cases/" + id).body["version"], 1);
}

TEST_F(Existence, TaskElsewhereReadsAsMissingOpenOrClosed) {
  const std::string id = OpenCase("H-V11", "clerk_V11");
  const std::string task = Do("admin", "GET", "/api/v1/cases/" + id).body["tasks"][0]["id"];
  SameAsMissing("clerk_V21", "POST", "/api/v1/tasks/{}/transfer", task, "999999", {{"user", "clerk_V21"}});
  ASSERT_EQ(AttachMinutes(*As("clerk_V11"), id).status, 201);
  ASSERT_EQ(Do("clerk_V11", "POST", "/api/v1/cases/" + id + "/actions", {{"action", "submit"}, {"expected_version", 1}}).status, 200);
  // The task is closed now: before, a 409 "already closed" told a clerk elsewhere it existed.
  SameAsMissing("clerk_V21", "POST", "/api/v1/tasks/{}/transfer", task, "999999", {{"user", "clerk_V21"}});
  SameAsMissing("clerk_V21", "POST", "/api/v1/tasks/{}/complete", task, "999999");
}

TEST_F(Existence, UserElsewhereReadsAsUnknown) {
  auto a = Do("rev_T1", "PUT", "/api/v1/households/H-V11/contact", {{"user", "contact_V21"}});
  auto b = Do("rev_T1", "PUT", "/api/v1/households/H-V11/contact", {{"user", "nobody"}});
  EXPECT_EQ(Neutral(a, "contact_V21"), Neutral(b, "nobody"));
  EXPECT_EQ(a.status, 422) << a.raw;
  EXPECT_EQ(a.body["error"]["code"], "unknown_user") << a.raw;
}

TEST_F(Existence, OrgElsewhereReadsAsMissing) {
  SameAsMissing("rev_T1", "GET", "/api/v1/reports/monitoring?org={}", "T2", "T9");
  SameAsMissing("rev_T1", "GET", "/api/v1/reports/overdue?org={}", "V21", "V99");
  auto a = Do("clerk_V11", "POST", "/api/v1/households", Household("H-new", "V21"));
  auto b = Do("clerk_V11", "POST", "/api/v1/households", Household("H-new", "V99"));
  EXPECT_EQ(Neutral(a, "V21"), Neutral(b, "V99"));
}

// Household ids are global, so a taken id is refused; the answer is the same whether the
// household is in the caller's village or elsewhere and shows nothing of it.
TEST_F(Existence, DuplicateIdAnswerShowsNothingOfTheOtherRecord) {
  auto here = Do("clerk_V11", "POST", "/api/v1/households", Household("H-V11", "V11"));
  auto elsewhere = Do("clerk_V11", "POST", "/api/v1/households", Household("H-V21", "V11"));
  EXPECT_EQ(here.status, 409);
  EXPECT_EQ(Neutral(here, "H-V11"), Neutral(elsewhere, "H-V21"));
  for (const char* secret : {"三村", "二乡", "王建国"}) EXPECT_EQ(elsewhere.raw.find(secret), std::string::npos) << elsewhere.raw;
}

// "admin", "system" and "cli" name the built-in actors in the audit log; a user may not take them.
TEST_F(Existence, ReservedUserIdsAreRefused) {
  for (const char* id : {"admin", "system", "cli", "Admin", "SYSTEM"}) {
    auto r = Do("admin", "POST", "/api/v1/users", {{"id", id}, {"name", "冒名"}, {"role", "county_officer"}, {"org", "C"}});
    EXPECT_EQ(r.status, 422) << id << ": " << r.raw;
    EXPECT_EQ(r.body["error"]["code"], "reserved_id") << r.raw;
  }
  EXPECT_EQ(Scalar(Db(), "SELECT count(*) FROM users WHERE lower(id) IN ('admin', 'system', 'cli')"), "0");
}

}  // namespace
}  // namespace dixian::security
