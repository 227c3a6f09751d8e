#include "tests/support/engine_fixture.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdio>

#include <future>

#include "adapters/http/json_views.h"
#include "adapters/runtime/config.h"
#include "adapters/runtime/notice_outbox.h"
#include "adapters/runtime/serve.h"
#include "engine/commands/admin.h"
#include "engine/commands/cases.h"
#include "engine/commands/households.h"
#include "engine/commands/reports.h"
#include "engine/commands/tasks.h"
#include "engine/outbox/notices.h"

namespace dixian::testing {

namespace {

struct Node {
  const char* code;
  const char* name;
  const char* level;
  const char* parent;
};

constexpr Node kOrgs[] = {
    {"prov", "示范省", "province", ""},  {"city", "示范市", "city", "prov"},
    {"county", "示范县", "county", "city"}, {"t1", "东乡镇", "township", "county"},
    {"t2", "西乡镇", "township", "county"}, {"v11", "东一村", "village", "t1"},
    {"v12", "东二村", "village", "t1"},    {"v21", "西一村", "village", "t2"},
    {"v22", "西二村", "village", "t2"},
};

struct Person {
  const char* id;
  const char* name;
  const char* role;
  const char* org;
  const char* department;
};

constexpr Person kUsers[] = {
    {"clerk_v11", "村填报甲", "village_clerk", "v11", ""},
    {"clerk_v12", "村填报乙", "village_clerk", "v12", ""},
    {"clerk_v21", "村填报丙", "village_clerk", "v21", ""},
    {"rev_t1", "东乡审核", "township_reviewer", "t1", ""},
    {"rev_t2", "西乡审核", "township_reviewer", "t2", ""},
    {"county", "县审定", "county_officer", "county", ""},
    {"dept_medical", "医保局", "department_officer", "county", "medical"},
    {"dept_housing", "住建局", "department_officer", "county", "housing"},
    {"dept_hr", "人社局", "department_officer", "county", "human_resources"},
    {"dept_civil", "民政局", "department_officer", "county", "civil_affairs"},
    {"prov", "省备案", "province_officer", "prov", ""},
    {"contact_a", "联系人甲", "contact_person", "v11", ""},
    {"contact_b", "联系人乙", "contact_person", "v11", ""},
    {"contact_c", "联系人丙", "contact_person", "v21", ""},
    {"sup_t1", "乡督导", "supervisor", "t1", ""},
    {"sup_county", "县督导", "supervisor", "county", ""},
    {"sup_city", "市督导", "supervisor", "city", ""},
    {"sup_prov", "省督导", "supervisor", "prov", ""},
};

constexpr const char* kAdminToken = "fixture-admin-token";

}  // namespace

Instant At(const std::string& rfc3339) {
  auto t = engine::ParseRfc3339(rfc3339);
  EXPECT_TRUE(t.has_value()) << rfc3339;
  return t.value_or(0);
}

std::string Show(Instant t) { return engine::FormatRfc3339(t); }

void EngineFixture::SetUp() {
  test_db_ = std::make_unique<dixian::testing::TestDb>(dir_.File("dixian.db"));
  db_path_ = test_db_->db();
  clock_ = std::make_unique<engine::ManualClock>(At("2026-03-02T09:00:00+08:00"));
  admin_.user.id = "admin";
  admin_.user.name = "系统管理员";
  admin_.user.role = engine::Role::kAdmin;
  OpenEngine(extra_workflows_);
  Seed();
}

void EngineFixture::TearDown() { CloseEngine(); }

void EngineFixture::CloseEngine() {
  engine_raw_ = nullptr;
  engine_.reset();
  if (store_) store_->Close();
  store_.reset();
  principals_.clear();
}

void EngineFixture::OpenEngine(const std::vector<engine::WorkflowPtr>& extra) {
  auto config = runtime::LoadConfig(runtime::ResolvePaths(config_dir_));
  for (const auto& def : extra) ASSERT_TRUE(config.workflows.Add(def).ok());
  if (!keys_) {
    auto ring = engine::NewKeyRing();
    ASSERT_TRUE(ring.ok());
    keys_ = std::make_shared<const engine::KeyRing>(std::move(ring.value()));
  }
  store::DatabaseOptions store_options;
  store_options.keys = keys_;
  auto store = store::OpenDatabase(db_path_, store_options);
  ASSERT_TRUE(store.ok()) << store.error().message;
  store_ = std::move(store.value());
  engine::EngineOptions options;
  options.thresholds = config.thresholds;
  options.admin_token = kAdminToken;
  options.keys = keys_;
  options.timer_batch = timer_batch_;
  options.channel_kinds = runtime::ChatChannelKinds();
  if (store::IsPostgresUri(db_path_))
    options.evidence_in_store = true;  // large objects, as `dixian serve` on PostgreSQL
  else
    options.evidence = std::make_shared<evidence::FileEvidenceStore>(
        evidence::FileEvidenceStore::DirFor(dir_.File("dixian.db")));
  engine_ = std::make_unique<Engine>(*store_, *clock_, std::move(config.workflows), std::move(config.calendar),
                                     options);
  engine_raw_ = engine_.get();
}

void EngineFixture::Seed() {
  for (const auto& o : kOrgs)
    Must(&api::CreateOrg, admin_,
         {{"code", o.code}, {"name", o.name}, {"level", o.level},
          {"parent", *o.parent ? Json(o.parent) : Json(nullptr)}});
  int n = 0;
  for (const auto& u : kUsers) {
    char mobile[16];
    std::snprintf(mobile, sizeof mobile, "1380000%04d", ++n);
    Json body = {{"id", u.id}, {"name", u.name}, {"role", u.role}, {"org", u.org}, {"mobile", mobile}};
    if (*u.department) body["department"] = u.department;
    AddUser(body);
  }
  for (const auto& o : kOrgs)
    Must(&api::CreateChannel, admin_,
         {{"id", std::string("ch-") + o.code}, {"org", o.code}, {"kind", "webhook"},
          {"url", std::string("http://127.0.0.1:9/") + o.code}});
  for (const char* village : {"v11", "v12", "v21", "v22"})
    for (int i = 1; i <= 4; ++i)
      Must(&api::CreateHousehold, admin_,
           {{"id", std::string(village) + "-" + std::to_string(i)}, {"village", village},
            {"head_name", std::string("户主") + village + std::to_string(i)}, {"members", 3},
            {"income_per_capita", 4000}});
}

void EngineFixture::AddUser(const Json& body) {
  auto r = Must(&api::CreateUser, admin_, body);
  tokens_[body.value("id", "")] = r.value("token", "");
}

const Principal& EngineFixture::Who(const std::string& user_id) {
  if (user_id == "admin") return admin_;
  auto it = principals_.find(user_id);
  if (it != principals_.end()) return it->second;
  auto p = engine_->Authenticate(tokens_[user_id]);
  EXPECT_TRUE(p.ok()) << "unknown fixture user " << user_id;
  return principals_[user_id] = p.ok() ? p.value() : Principal{};
}

namespace {

engine::Result<Json> RunCall(Engine& engine, Command command, api::JsonCall call) {
  std::promise<engine::Result<Json>> promise;
  auto future = promise.get_future();
  command(engine, std::move(call), [&promise](engine::Result<api::Body> r) {
    // Rendered here, after the commit, as the HTTP session does.
    if (!r.ok()) return promise.set_value(r.error());
    promise.set_value(Json::parse(r.value()()));
  });
  return future.get();
}

}  // namespace

engine::Result<Json> EngineFixture::Run(Command command, const Principal& who, Json body, const std::string& id,
                                        const std::string& key) {
  return RunCall(*engine_, command, {who, std::move(body), id, key, "", ""});
}

engine::Result<Json> EngineFixture::RunCsv(Command command, const Principal& who, const std::string& csv) {
  return RunCall(*engine_, command, {who, Json::object(), "", "", csv, ""});
}

Json EngineFixture::Must(Command command, const Principal& who, Json body, const std::string& id) {
  auto r = Run(command, who, body, id);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message) << "\n  body: " << body.dump();
  return r.ok() ? r.value() : Json();
}

Json EngineFixture::Open(const std::string& user, const std::string& workflow, const std::string& household,
                         Json data) {
  return Must(&api::CreateCase, Who(user), {{"workflow", workflow}, {"household", household}, {"data", data}});
}

engine::Result<Json> EngineFixture::Act(const std::string& user, const std::string& case_id,
                                        const std::string& action, const std::string& comment, Json data) {
  if (auto_evidence_) AttachRequired(user, case_id, action);
  const auto version = Case(case_id).value("version", 0);
  Json body = {{"action", action}, {"expected_version", version}, {"data", data}};
  if (!comment.empty()) body["comment"] = comment;
  return Run(&api::ApplyAction, Who(user), body, case_id);
}

engine::Result<Json> EngineFixture::Attach(const std::string& user, const std::string& case_id,
                                           const std::string& kind, const std::string& bytes,
                                           const std::string& content_type,
                                           const std::string& filename) {
  engine::AttachInput in;
  in.case_id = case_id;
  in.kind = kind;
  in.bytes = bytes;
  in.content_type = content_type;
  in.filename = filename;
  auto r = engine::RunNow(*engine_, &engine::AttachToCase, Who(user), std::move(in));
  if (!r.ok()) return r.error();
  return http::ToJson(r.value());
}

void EngineFixture::AttachRequired(const std::string& user, const std::string& case_id,
                                   const std::string& action) {
  auto view = store_->Read();
  auto c = view->FindCase(case_id);
  if (!c) return;
  auto def = engine_->workflows().Version(c->workflow, c->workflow_version);
  const auto* state = def ? def->State(c->state) : nullptr;
  if (!state || !state->actions.count(action)) return;
  const auto present = view->AttachmentsOf(case_id, 0);
  for (auto kind : state->actions.at(action).requires_evidence) {
    bool has = false;
    for (const auto& a : present) has = has || a.kind == kind;
    if (!has) (void)Attach(user, case_id, engine::Name(kind), kMinimalPdf, "application/pdf", "minutes.pdf");
  }
}

Json EngineFixture::MustAct(const std::string& user, const std::string& case_id, const std::string& action,
                            const std::string& comment, Json data) {
  auto r = Act(user, case_id, action, comment, data);
  EXPECT_TRUE(r.ok()) << user << " " << action << " on " << case_id << ": "
                      << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : Json();
}

std::string EngineFixture::Admit(const std::string& household, const std::string& type, const std::string& cause) {
  const std::string village = household.substr(0, household.find('-'));
  const std::string clerk = "clerk_" + village;
  const std::string reviewer = village[1] == '1' ? "rev_t1" : "rev_t2";
  // Seed 003: a 突发严重困难户 is not below 6,000 yuan per person (the fixture's households have
  // 4,000), so such a household first gets a figure above the line.
  const double income = type == "sudden_hardship" ? 6500 : 4000;
  if (income != 4000) PatchHousehold(household, {{"income_per_capita", income}});
  const auto created = Open(clerk, "identification", household,
                            {{"type", type}, {"primary_cause", cause}, {"causes", Json::array({cause})}, {"income_per_capita", income}});
  const std::string id = created.value("id", "");
  MustAct(clerk, id, "submit");
  MustAct(reviewer, id, "approve");
  MustAct("county", id, "approve");
  return id;
}

void EngineFixture::SeedMonitored(const std::string& household, const std::string& type, const std::string& cause,
                                  const std::string& status) {
  const Instant now = Now();
  auto r = store_->Run([&](engine::WriteTx& tx) -> engine::Status {
    engine::MonitoringObject m;
    m.household = household;
    m.type = engine::Parse<engine::MonitoringType>(type).value();
    m.status = engine::Parse<engine::MonitoringStatus>(status).value();
    m.primary_cause = engine::Parse<engine::Cause>(cause).value();
    m.causes = {*m.primary_cause};
    m.admitted_at = now;
    m.updated_at = now;
    tx.UpsertMonitoring(m);
    return engine::OkStatus();
  });
  ASSERT_TRUE(r.ok()) << r.error().message;
}

Json EngineFixture::Case(const std::string& case_id) {
  auto r = reads_.GetCase(admin_, case_id);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : Json::object();
}

Json EngineFixture::History(const std::string& case_id) {
  auto r = reads_.CaseHistory(admin_, case_id);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : Json::array();
}

Json EngineFixture::HouseholdTasks(const std::string& household) {
  auto r = reads_.HouseholdTasks(admin_, household);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : Json::array();
}

Json EngineFixture::PatchHousehold(const std::string& household, Json patch) {
  auto hh = reads_.GetHousehold(admin_, household);
  EXPECT_TRUE(hh.ok()) << (hh.ok() ? "" : hh.error().message);
  patch["expected_version"] = hh.ok() ? hh.value().value("version", 0) : 0;
  return Must(&api::UpdateHousehold, admin_, patch, household);
}

Json EngineFixture::Monitoring(const std::string& household) {
  auto r = reads_.GetHousehold(admin_, household);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value()["monitoring"] : Json();
}

std::vector<Json> EngineFixture::TasksNamed(const std::string& household, const std::string& step) {
  std::vector<Json> out;
  for (const auto& t : HouseholdTasks(household))
    if (t["step"] == step) out.push_back(t);
  return out;
}

std::vector<std::string> EngineFixture::OpenSteps(const std::string& household) {
  std::vector<std::string> out;
  for (const auto& t : HouseholdTasks(household)) out.push_back(t["step"].get<std::string>());
  std::sort(out.begin(), out.end());
  return out;
}

void EngineFixture::SetNow(const std::string& rfc3339) { clock_->Set(At(rfc3339)); }

void EngineFixture::MoveTo(Instant t) { clock_->Set(t); }

std::int64_t EngineFixture::RunDueAt(Instant t) {
  clock_->Set(t);
  return RunDue();
}

std::int64_t EngineFixture::RunDue() {
  auto r = engine_->RunDue();
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : -1;
}

Json EngineFixture::Rows(const std::string& sql) { return dixian::testing::QueryDbJson(db_path_, sql); }

void EngineFixture::Exec(const std::string& sql) { (void)dixian::testing::QueryDb(db_path_, sql); }

Json EngineFixture::Outbox(const std::string& kind) {
  Json out = Json::array();
  const std::string where = kind.empty() ? "" : " WHERE kind = '" + kind + "'";
  auto view = store_->Read();
  for (auto& r : Rows("SELECT id, channel_id, kind, urgent, payload, created_at FROM outbox" + where + " ORDER BY id")) {
    engine::OutboxMessage m;
    m.kind = r["kind"].get<std::string>();
    m.created_at = r["created_at"].get<Instant>();
    const Json stored = Json::parse(r["payload"].get<std::string>());
    const Json facts = stored.value("facts", Json::object());
    m.facts.task_id = facts.value("task", std::int64_t{0});
    m.facts.escalation_level = facts.value("up", 0);
    m.facts.text = facts.value("text", "");
    m.facts.org = facts.value("org", "");
    m.facts.total = facts.value("total", std::int64_t{0});
    m.facts.task_ids = facts.value("tasks", std::vector<std::int64_t>{});
    m.facts.to_user = facts.value("to_user", "");
    m.facts.to_im = facts.value("to_im", "");
    m.facts.case_id = facts.value("case", "");
    m.facts.period = facts.value("period", "");
    Json payload = stored.contains("facts") ? Json::object() : stored;
    if (auto notice = engine::ResolveNotice(*view, engine_->workflows(), m, engine_->options().console_base_url))
      payload = runtime::NoticePayload(*notice, m);
    out.push_back({{"id", r["id"]}, {"channel", r["channel_id"]}, {"kind", r["kind"]},
                   {"urgent", r["urgent"].get<int>() != 0}, {"payload", payload}, {"facts", facts},
                   {"created_at", r["created_at"]}});
  }
  return out;
}

namespace {
template <class T>
engine::Result<Json> Rendered(engine::Result<T> r) {
  if (!r.ok()) return r.error();
  return http::ToJson(r.value());
}
}  // namespace

engine::Result<Json> JsonReads::GetCase(const Principal& who, const std::string& id) {
  return Rendered(engine::GetCase(*e_, who, id));
}
engine::Result<Json> JsonReads::CaseHistory(const Principal& who, const std::string& id) {
  return Rendered(engine::CaseHistory(*e_, who, id));
}
engine::Result<Json> JsonReads::GetHousehold(const Principal& who, const std::string& id) {
  return Rendered(engine::GetHousehold(*e_, who, id));
}
engine::Result<Json> JsonReads::HouseholdTasks(const Principal& who, const std::string& id) {
  return Rendered(engine::HouseholdTasks(*e_, who, id));
}
engine::Result<Json> JsonReads::MyTasks(const Principal& who) { return Rendered(engine::MyTasks(*e_, who)); }
engine::Result<Json> JsonReads::MonitoringReport(const Principal& who, const std::string& org) {
  return Rendered(engine::ReportMonitoring(*e_, who, org));
}
engine::Result<Json> JsonReads::MovementsReport(const Principal& who, const std::string& org,
                                               const std::string& from, const std::string& to) {
  return Rendered(engine::ReportMovements(*e_, who, org, from, to));
}
engine::Result<Json> JsonReads::TimelinessReport(const Principal& who, const std::string& org,
                                                const std::string& month) {
  return Rendered(engine::ReportTimeliness(*e_, who, org, month));
}
engine::Result<Json> JsonReads::LedgerReport(const Principal& who, const engine::LedgerQuery& query) {
  return Rendered(engine::ReportLedger(*e_, who, query));
}
engine::Result<Json> JsonReads::OverdueReport(const Principal& who, const std::string& org) {
  return Rendered(engine::ReportOverdue(*e_, who, org));
}
engine::Result<Json> JsonReads::VerifyAudit(const Principal& who) { return Rendered(engine::VerifyAudit(*e_, who)); }
engine::Result<Json> JsonReads::Workflows() { return http::WorkflowsJson(e_->workflows()); }
engine::Result<Json> JsonReads::AdvanceClock(const Principal& who, std::int64_t seconds) {
  auto now = e_->AdvanceClock(who, seconds);
  if (!now.ok()) return now.error();
  return Json{{"now", engine::FormatRfc3339(now.value())}};
}

Json EngineFixture::Audit(const std::string& action) {
  Json out = Json::array();
  const std::string where = action.empty() ? "" : " WHERE action = '" + action + "'";
  for (auto& r : Rows("SELECT seq, case_id, household, actor, action, from_state, to_state, comment, data FROM audit" +
                      where + " ORDER BY seq"))
    out.push_back({{"seq", r["seq"]}, {"case", r["case_id"]}, {"household", r["household"]}, {"actor", r["actor"]},
                   {"action", r["action"]}, {"from", r["from_state"]}, {"to", r["to_state"]},
                   {"comment", r["comment"]}, {"data", Json::parse(r["data"].get<std::string>())}});
  return out;
}

}  // namespace dixian::testing
