// The permission matrix: every API call x every principal of the fixture county (every role, at
// its own org, a sibling org, the parent org, a child org, another county), asserting the exact
// set of principals allowed. Runs against the Engine directly (the HTTP layer adds only the
// 401 for unknown tokens, tested below through Authenticate). The expected sets are written out by
// hand from the domain, not computed from engine/access/access.cc.
#include <functional>
#include <set>

#include "adapters/runtime/demo.h"
#include "tests/support/engine_fixture.h"

namespace dixian::testing {
namespace {

using engine::ErrorCode;
using Names = std::set<std::string>;

// Target of every household/case call: a household in village v11 (township t1, county "county").
const Names kEveryone = {"admin",        "clerk_v11",  "clerk_v12",  "clerk_v21", "rev_t1",    "rev_t2",
                         "county",       "county_b",   "dept_medical", "prov",    "contact_a", "contact_b",
                         "contact_c",    "sup_t1",     "sup_county", "sup_city",  "sup_prov",  "clerk_vb1"};
// Everyone whose org holds v11, any read-capable role.
const Names kReadersOfV11 = {"admin", "clerk_v11", "rev_t1", "county", "dept_medical", "prov", "contact_a",
                             "contact_b", "sup_t1", "sup_county", "sup_city", "sup_prov"};

struct Op {
  std::string name;
  std::function<engine::Result<Json>(const Principal&)> run;
  Names allowed;
};

class PermissionMatrix : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    // A second county beside "county" (same city), with its own officer and village clerk.
    for (const Json& o : {Json{{"code", "county_b"}, {"name", "邻县"}, {"level", "county"}, {"parent", "city"}},
                          Json{{"code", "tb1"}, {"name", "邻县乡"}, {"level", "township"}, {"parent", "county_b"}},
                          Json{{"code", "vb1"}, {"name", "邻县村"}, {"level", "village"}, {"parent", "tb1"}}})
      Must(&api::CreateOrg, Admin(), o);
    extra_["county_b"] = MakeUser("county_b", "county_officer", "county_b");
    extra_["clerk_vb1"] = MakeUser("clerk_vb1", "village_clerk", "vb1");
    // One admitted household whose contact person is contact_a.
    Admit("v11-1");
    Must(&api::AssignContact, Who("rev_t1"), {{"user", "contact_a"}}, "v11-1");
  }

  Principal MakeUser(const std::string& id, const std::string& role, const std::string& org) {
    auto r = Must(&api::CreateUser, Admin(), {{"id", id}, {"name", id}, {"role", role}, {"org", org}});
    auto p = engine_->Authenticate(r.value("token", ""));
    EXPECT_TRUE(p.ok());
    return p.ok() ? p.value() : Principal{};
  }
  const Principal& P(const std::string& id) {
    auto it = extra_.find(id);
    return it != extra_.end() ? it->second : Who(id);
  }
  std::string FreshHousehold() {
    const std::string id = "v11-m" + std::to_string(++fresh_);
    Must(&api::CreateHousehold, Admin(),
         {{"id", id}, {"village", "v11"}, {"head_name", "户主"}, {"members", 2}, {"income_per_capita", 3000}});
    return id;
  }
  // A fresh identification case in v11 at `state` (village_fill, township_review, county_decision).
  Json FreshCase(const std::string& state) {
    auto c = Open("clerk_v11", "identification", FreshHousehold(), {{"type", "marginal"}, {"primary_cause", "illness"}});
    const std::string id = c.value("id", "");
    if (state != "village_fill") MustAct("clerk_v11", id, "submit");
    if (state == "county_decision") MustAct("rev_t1", id, "approve");
    return Case(id);
  }
  std::string FreshCaseId() { return FreshCase("village_fill").value("id", ""); }
  engine::Result<Json> ActAs(const Principal& who, const std::string& state, const std::string& action) {
    auto c = FreshCase(state);
    AttachRequired("clerk_v11", c["id"], action);  // the minutes a village submit needs, by its clerk
    return Run(&api::ApplyAction, who, {{"action", action}, {"comment", "理由"}, {"expected_version", c["version"]}},
               c["id"]);
  }
  std::string OpenTaskOf(const std::string& household, const std::string& step) {
    auto t = TasksNamed(household, step);
    return t.empty() ? "" : t.front().value("id", "");
  }

  std::vector<Op> Ops();
  std::map<std::string, Principal> extra_;
  int fresh_ = 0;
};

std::vector<Op> PermissionMatrix::Ops() {
  const Names admin_only = {"admin"};
  const Names writers_v11 = {"admin", "clerk_v11", "rev_t1", "county"};
  const Names supervisors = {"sup_t1", "sup_county", "sup_city", "sup_prov"};
  auto with = [](Names a, const Names& b) { return a.insert(b.begin(), b.end()), a; };
  std::vector<Op> ops;
  // --- administration
  ops.push_back({"orgs.create", [this](const Principal& w) {
    return Run(&api::CreateOrg, w, {{"code", "x" + std::to_string(++fresh_)}, {"name", "新村"}, {"level", "village"}, {"parent", "t1"}});
  }, admin_only});
  ops.push_back({"orgs.import", [this](const Principal& w) {
    const std::string csv = "code,name,level,parent\ny" + std::to_string(++fresh_) + ",新村,village,t1\n";
    return RunCsv(&api::ImportOrgs, w, csv);
  }, admin_only});
  ops.push_back({"users.create", [this](const Principal& w) {
    return Run(&api::CreateUser, w, {{"id", "u" + std::to_string(++fresh_)}, {"name", "新人"}, {"role", "village_clerk"}, {"org", "v11"}});
  }, admin_only});
  ops.push_back({"channels.create", [this](const Principal& w) {
    return Run(&api::CreateChannel, w, {{"org", "v11"}, {"kind", "webhook"}, {"url", "http://127.0.0.1:9/" + std::to_string(++fresh_)}});
  }, admin_only});
  ops.push_back({"admin.clock", [this](const Principal& w) { return reads_.AdvanceClock(w, 0); }, admin_only});
  // --- households
  ops.push_back({"households.create", [this](const Principal& w) {
    return Run(&api::CreateHousehold, w, {{"id", "n" + std::to_string(++fresh_)}, {"village", "v11"}, {"head_name", "户主"},
                                              {"members", 2}, {"income_per_capita", 3000}});
  }, writers_v11});
  ops.push_back({"households.import", [this](const Principal& w) {
    const std::string csv = "id,village,head_name,members,income_per_capita\ni" + std::to_string(++fresh_) + ",v11,户主,2,3000\n";
    return RunCsv(&api::ImportHouseholds, w, csv);
  }, writers_v11});
  ops.push_back({"households.get", [this](const Principal& w) { return reads_.GetHousehold(w, "v11-1"); }, kReadersOfV11});
  ops.push_back({"households.tasks", [this](const Principal& w) { return reads_.HouseholdTasks(w, "v11-1"); }, kReadersOfV11});
  ops.push_back({"households.contact", [this](const Principal& w) {
    return Run(&api::AssignContact, w, {{"user", "contact_a"}}, "v11-1");
  }, {"admin", "rev_t1", "county"}});
  ops.push_back({"households.measures", [this](const Principal& w) {
    return Run(&api::RecordMeasure, w, {{"kind", "medical"}, {"description", "医保报销"}}, "v11-1");
  }, {"rev_t1", "county", "dept_medical", "contact_a"}});
  ops.push_back({"households.visits", [this](const Principal& w) {
    return Run(&api::LogVisit, w, {{"mode", "home"}, {"note", "入户走访"}}, "v11-1");
  }, {"contact_a"}});
  // --- cases
  ops.push_back({"cases.create", [this](const Principal& w) {
    return Run(&api::CreateCase, w, {{"workflow", "identification"}, {"household", FreshHousehold()},
                                         {"data", {{"type", "marginal"}, {"primary_cause", "illness"}}}});
  }, {"admin", "clerk_v11"}});
  ops.push_back({"cases.get", [this](const Principal& w) { return reads_.GetCase(w, FreshCaseId()); }, kReadersOfV11});
  ops.push_back({"cases.history", [this](const Principal& w) { return reads_.CaseHistory(w, FreshCaseId()); }, kReadersOfV11});
  ops.push_back({"cases.submit", [this](const Principal& w) { return ActAs(w, "village_fill", "submit"); }, {"clerk_v11"}});
  ops.push_back({"cases.fast_track", [this](const Principal& w) { return ActAs(w, "village_fill", "fast_track"); }, {"county"}});
  ops.push_back({"cases.township_approve", [this](const Principal& w) { return ActAs(w, "township_review", "approve"); }, {"rev_t1"}});
  ops.push_back({"cases.township_return", [this](const Principal& w) { return ActAs(w, "township_review", "return"); }, {"rev_t1"}});
  ops.push_back({"cases.withdraw", [this](const Principal& w) { return ActAs(w, "township_review", "withdraw"); }, {"clerk_v11"}});
  ops.push_back({"cases.county_approve", [this](const Principal& w) { return ActAs(w, "county_decision", "approve"); }, {"county"}});
  ops.push_back({"cases.county_reject", [this](const Principal& w) { return ActAs(w, "county_decision", "reject"); }, {"county"}});
  // --- tasks
  ops.push_back({"tasks.list", [this](const Principal& w) { return reads_.MyTasks(w); }, kEveryone});
  ops.push_back({"tasks.transfer", [this](const Principal& w) {
    auto c = FreshCase("village_fill");
    return Run(&api::TransferTask, w, {{"user", "clerk_v11"}}, c["tasks"][0].value("id", ""));
  }, with({"clerk_v11"}, supervisors)});
  ops.push_back({"tasks.urge", [this](const Principal& w) {
    auto c = FreshCase("village_fill");
    return Run(&api::UrgeTask, w, {{"comment", "请尽快"}}, c["tasks"][0].value("id", ""));
  }, with({"county", "prov"}, supervisors)});
  ops.push_back({"tasks.complete_handover", [this](const Principal& w) {
    const std::string hid = FreshHousehold();
    Admit(hid);
    return Run(&api::CompleteTask, w, Json::object(), OpenTaskOf(hid, "handover"));
  }, {"county"}});
  // --- reports (org t1: the township above v11; a village clerk is in a child org)
  ops.push_back({"reports.monitoring", [this](const Principal& w) { return reads_.MonitoringReport(w, "t1"); },
                 with({"admin", "rev_t1", "county", "dept_medical", "prov"}, supervisors)});
  ops.push_back({"reports.overdue", [this](const Principal& w) { return reads_.OverdueReport(w, "t1"); },
                 with({"admin", "rev_t1", "county", "dept_medical", "prov"}, supervisors)});
  ops.push_back({"audit.verify", [this](const Principal& w) { return reads_.VerifyAudit(w); },
                 with({"admin", "county", "county_b", "prov"}, supervisors)});
  return ops;
}

// A record outside the caller's remit reads exactly as one that does not exist (issue 17, item
// 10): the refusal is then the not-found answer of the call (404, or 422 naming an unknown id).
bool ReadsAsAbsent(const engine::Error& e) {
  static const Names kAbsent = {"household_not_found", "case_not_found", "task_not_found", "org_not_found",
                                "unknown_household", "unknown_village", "unknown_user"};
  if (kAbsent.count(e.slug)) return true;
  return e.slug == "csv_rows_invalid" && e.message.find("village：村") != std::string::npos &&
         e.message.find("不存在") != std::string::npos;
}

TEST_F(PermissionMatrix, ExactAllowedSets) {
  int cells = 0;
  for (const auto& op : Ops()) {
    Names allowed;
    for (const auto& name : kEveryone) {
      auto r = op.run(P(name));
      ++cells;
      if (r.ok()) {
        allowed.insert(name);
      } else if (r.error().code != ErrorCode::kForbidden && !ReadsAsAbsent(r.error())) {
        ADD_FAILURE() << op.name << " as " << name << ": not a refusal but " << r.error().slug << ": " << r.error().message;
      }
    }
    EXPECT_EQ(allowed, op.allowed) << op.name;
  }
  std::printf("[permission matrix] %d cells (%zu principals)\n", cells, kEveryone.size());
}

TEST_F(PermissionMatrix, ForgedExpiredAndRevokedTokensAreRefused) {
  const std::vector<std::string> bad = {
      "",
      "dx_000000000000000000000000000000000000000000000000",
      "dx_" + std::string(48, 'f'),
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiIsImV4cCI6MX0.c2lnbmF0dXJl",  // an expired-style JWT
      "fixture-admin-token ",                                                // admin token + space
      "FIXTURE-ADMIN-TOKEN",
      std::string(5000, 'a'),
      std::string("fixture-admin-token\0x", 21),
      "' OR 1=1 --"};
  for (const auto& t : bad) {
    auto r = engine_->Authenticate(t);
    ASSERT_FALSE(r.ok()) << "token accepted: " << t.substr(0, 60);
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
  }
  auto created = Must(&api::CreateUser, Admin(), {{"id", "leaver"}, {"name", "离岗人员"}, {"role", "village_clerk"}, {"org", "v11"}});
  const std::string token = created.value("token", "");
  ASSERT_TRUE(engine_->Authenticate(token).ok());
  Exec("UPDATE users SET revoked = 1 WHERE id = 'leaver'");
  auto r = engine_->Authenticate(token);
  ASSERT_FALSE(r.ok()) << "a revoked token still works";
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(PermissionMatrix, ContactPersonCannotTouchAnothersHousehold) {
  // v11-1's contact is contact_a; contact_b (same village) and contact_c (other township) are not.
  // contact_c's township does not hold v11: for it the household reads as absent (404).
  for (const char* other : {"contact_b", "contact_c"}) {
    const auto want = std::string(other) == "contact_b" ? ErrorCode::kForbidden : ErrorCode::kNotFound;
    auto visit = Run(&api::LogVisit, Who(other), {{"mode", "home"}, {"note", "冒名走访"}}, "v11-1");
    ASSERT_FALSE(visit.ok()) << other;
    EXPECT_EQ(visit.error().code, want) << other;
    auto measure = Run(&api::RecordMeasure, Who(other), {{"kind", "medical"}, {"description", "x"}}, "v11-1");
    ASSERT_FALSE(measure.ok()) << other;
    EXPECT_EQ(measure.error().code, want) << other;
  }
  EXPECT_EQ(Rows("SELECT count(*) AS n FROM visits")[0]["n"], 0);
  EXPECT_EQ(Rows("SELECT count(*) AS n FROM measures")[0]["n"], 0);
}

}  // namespace
}  // namespace dixian::testing
