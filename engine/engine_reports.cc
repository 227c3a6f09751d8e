// Queries: cases, tasks, reports, audit verification. Each answers from one snapshot.
#include <algorithm>
#include <limits>
#include <map>

#include "engine/engine.h"
#include "engine/engine_tx.h"
#include "engine/views.h"

namespace dixian::engine {

using nlohmann::json;

namespace {

std::string LabelOf(const WorkflowRegistry& workflows, const Task& t) {
  auto def = workflows.Version(t.workflow, t.workflow_version);
  if (!def) return t.step;
  if (t.case_id.empty()) {
    const auto* td = def->Task(t.step);
    return td ? td->label : t.step;
  }
  const auto* st = def->State(t.step);
  return st ? def->label + "·" + st->label : t.step;
}

// For a chain step: the actions its holder has there (the same labels the case page shows), and
// `returned` when a return (退回) or objection (异议) brought the case to this step.
void AddStepFacts(ReadView& view, const WorkflowRegistry& workflows, const Task& t, json& j) {
  auto def = workflows.Version(t.workflow, t.workflow_version);
  const auto* st = def ? def->State(t.step) : nullptr;
  if (st) {
    json actions = json::array();
    for (const auto& a : st->allowed_actions) {
      auto it = st->actions.find(a.value("action", ""));
      if (it == st->actions.end() || it->second.by_submitter) continue;
      const auto& actor = it->second.actor ? it->second.actor : st->actor;
      if (actor && actor->role == t.role) actions.push_back(a);
    }
    j["actions"] = std::move(actions);
  }
  auto history = view.History(t.case_id);
  if (!history.empty() && history.back().to_state == t.step &&
      (history.back().action == "return" || history.back().action == "object")) {
    const auto& ev = history.back();
    auto actor = view.FindUser(ev.actor);
    j["returned"] = {{"action", ev.action}, {"by", ev.actor}, {"by_name", actor ? actor->name : ev.actor},
                     {"at", FormatRfc3339(ev.at)}, {"comment", ev.comment}, {"from", ev.from_state}};
  }
}

json EnrichedTasks(ReadView& view, const WorkflowRegistry& workflows, std::vector<Task> tasks, Instant now) {
  std::stable_sort(tasks.begin(), tasks.end(), [now](const Task& a, const Task& b) {
    const bool ao = now >= a.due_at, bo = now >= b.due_at;
    return ao != bo ? ao : a.due_at < b.due_at;
  });
  std::map<std::string, std::pair<std::string, std::string>> households;  // id -> head, village name
  std::map<std::string, std::string> villages;  // an inbox is mostly one village: look it up once
  auto village_name = [&](const std::string& code) -> const std::string& {
    auto v = villages.find(code);
    if (v == villages.end()) {
      auto org = view.FindOrg(code);
      v = villages.emplace(code, org ? org->name : "").first;
    }
    return v->second;
  };
  json out = json::array();
  for (const auto& t : tasks) {
    auto it = households.find(t.household);
    if (it == households.end()) {
      auto hh = view.FindHousehold(t.household);
      it = households.emplace(t.household, std::make_pair(hh ? hh->head_name : "", hh ? village_name(hh->village) : "")).first;
    }
    json j = TaskJson(t, LabelOf(workflows, t), now);
    j["head_name"] = it->second.first;
    j["village"] = it->second.second;
    if (!t.case_id.empty()) AddStepFacts(view, workflows, t, j);
    out.push_back(j);
  }
  return out;
}

std::string OrgName(ReadView& view, const std::string& code) {
  auto org = view.FindOrg(code);
  return org ? org->name : code;
}

Result<Org> ReportOrg(ReadView& view, const Principal& who, const std::string& code, Capability cap) {
  std::string target = code.empty() ? who.user.org : code;
  if (target.empty()) return Error::Unprocessable("missing_field", "缺少参数 org (query parameter org is required)");
  if (auto st = RequireRole(who, cap); !st.ok()) return st.error();
  auto org = view.FindOrg(target);
  if (!org || !OnPath(who, org->path))  // an org elsewhere reads as absent
    return Error::NotFound("org_not_found", "单位 " + target + " 不存在 (org not found)");
  if (auto st = Require(who, cap, org->path); !st.ok()) return st.error();
  return *org;
}

json CountRows(const std::vector<CountRow>& rows, const std::string& key,
               std::string (*label)(const std::string&)) {
  json out = json::array();
  for (const auto& r : rows)
    out.push_back({{key, r.key}, {"label", label(r.key)}, {"households", r.households}, {"persons", r.persons}});
  return out;
}

}  // namespace

Result<json> Engine::GetCase(const Principal& who, const std::string& id) {
  if (auto st = RequireRole(who, Capability::kReadCases); !st.ok()) return st.error();
  auto view = store_.Read();
  auto c = view->FindCase(id);
  if (!c || !InSubtree(who, c->org_path))  // elsewhere reads as absent
    return Checked<json>(*view, Error::NotFound("case_not_found", "案件 " + id + " 不存在 (case not found)"));
  auto def = workflows_.Version(c->workflow, c->workflow_version);
  json out = CaseJson(*c, def.get());
  const auto open = view->OpenTasksOfCase(id);
  out["my_actions"] = MyActions(who, def.get(), *c, open);
  out["tasks"] = EnrichedTasks(*view, workflows_, open, clock_.Now());
  if (auto hh = view->FindHousehold(c->household)) {
    out["household_info"] = HouseholdJson(*hh);
    if (auto village = view->FindOrg(hh->village)) out["household_info"]["village_name"] = village->name;
  }
  json steps = json::array();
  if (def)
    for (const auto& s : def->state_order) steps.push_back({{"state", s}, {"label", def->states.at(s).label}, {"final", def->states.at(s).final}});
  out["steps"] = steps;
  return Checked<json>(*view, out);
}

Result<json> Engine::CaseHistory(const Principal& who, const std::string& id) {
  if (auto st = RequireRole(who, Capability::kReadCases); !st.ok()) return st.error();
  auto view = store_.Read();
  auto c = view->FindCase(id);
  if (!c || !InSubtree(who, c->org_path))  // elsewhere reads as absent
    return Checked<json>(*view, Error::NotFound("case_not_found", "案件 " + id + " 不存在 (case not found)"));
  json out = json::array();
  std::map<std::string, std::string> names;
  auto def = workflows_.Version(c->workflow, c->workflow_version);
  auto state_label = [&def](const std::string& s) {
    const auto* st = def ? def->State(s) : nullptr;
    return st ? st->label : s;
  };
  for (const auto& e : view->History(id)) {
    json j = EventJson(e);
    j["from_label"] = state_label(e.from_state);
    j["to_label"] = state_label(e.to_state);
    if (!names.count(e.actor)) {
      auto u = view->FindUser(e.actor);
      names[e.actor] = u ? u->name : (e.actor == "system" ? "系统" : e.actor == "admin" ? "系统管理员" : e.actor);
    }
    j["actor_name"] = names[e.actor];
    out.push_back(j);
  }
  return Checked<json>(*view, out);
}

Result<json> Engine::MyTasks(const Principal& who) {
  auto view = store_.Read();
  const Instant now = clock_.Now();
  std::vector<Task> tasks;
  const auto& u = who.user;
  if (who.IsAdmin() || u.role == "supervisor") {
    tasks = view->OpenTasksInSubtree(u.org_path, {}, "", "", 1000);
    if (u.role == "supervisor")
      tasks.erase(std::remove_if(tasks.begin(), tasks.end(), [now](const Task& t) { return t.due_at > now; }), tasks.end());
  } else {
    tasks = view->OpenTasksInSubtree(u.org_path, {u.role}, u.role == "department_officer" ? u.department : "", u.id, 1000);
    tasks.erase(std::remove_if(tasks.begin(), tasks.end(),
                               [&u](const Task& t) {
                                 // Visits wait for a named contact person: until then no contact acts on them.
                                 if (t.assignee.empty()) return u.role == "contact_person";
                                 return t.assignee != u.id;
                               }),
                tasks.end());
  }
  return Checked<json>(*view, EnrichedTasks(*view, workflows_, std::move(tasks), now));
}

Result<json> Engine::HouseholdTasks(const Principal& who, const std::string& id) {
  auto view = store_.Read();
  if (auto hh = PermittedHousehold(*view, who, id, Capability::kReadHouseholds); !hh.ok()) return Checked<json>(*view, hh.error());
  return Checked<json>(*view, EnrichedTasks(*view, workflows_, view->OpenTasksOfHousehold(id), clock_.Now()));
}

Result<json> Engine::MonitoringReport(const Principal& who, const std::string& code) {
  auto view = store_.Read();
  auto org = ReportOrg(*view, who, code, Capability::kReportMonitoring);
  if (!org.ok()) return Checked<json>(*view, org.error());
  const auto by_type = view->CountByType(org->path);
  std::int64_t households = 0, persons = 0;
  for (const auto& r : by_type) households += r.households, persons += r.persons;
  json by_type_cause = json::array();
  for (const auto& r : view->CountByTypeAndCause(org->path))
    by_type_cause.push_back({{"type", r.key}, {"type_label", TypeLabel(r.key)}, {"cause", r.key2},
                             {"cause_label", CauseLabel(r.key2)}, {"households", r.households}, {"persons", r.persons}});
  std::map<std::string, json> measures;
  for (const auto& r : view->MeasureCoverage(org->path)) {
    auto& m = measures[r.kind];
    if (m.is_null()) m = {{"kind", r.kind}, {"label", MeasureLabel(r.kind)}, {"households", 0}, {"by_type", json::object()}};
    m["households"] = m["households"].get<std::int64_t>() + r.households;
    m["by_type"][r.type] = r.households;
  }
  json measure_rows = json::array();
  for (auto& [_, m] : measures) measure_rows.push_back(m);
  return Checked<json>(*view, json{{"org", org->code},           {"org_name", org->name},
              {"generated_at", FormatRfc3339(clock_.Now())},
              {"households", households},   {"persons", persons},
              {"by_type", CountRows(by_type, "type", TypeLabel)},
              {"by_status", CountRows(view->CountByStatus(org->path), "status", StatusLabel)},
              {"by_type_cause", by_type_cause}, {"measures", measure_rows}});
}

Result<json> Engine::OverdueReport(const Principal& who, const std::string& code) {
  auto view = store_.Read();
  auto org = ReportOrg(*view, who, code, Capability::kReportOverdue);
  if (!org.ok()) return Checked<json>(*view, org.error());
  const Instant now = clock_.Now();
  // Counted in SQL per (assignee, org, role); only the oldest 500 overdue tasks are loaded.
  const auto groups = view->OpenTaskGroups(org->path, now);
  std::map<std::string, json> by_org, by_assignee;
  for (const auto& child : view->ChildOrgs(org->code))
    by_org[child.path] = {{"org", child.code}, {"org_name", child.name}, {"open", 0}, {"overdue", 0}, {"max_days_late", 0}};
  auto count = [now](json& row, const TaskGroupCount& g) {
    row["open"] = row["open"].get<std::int64_t>() + g.open;
    if (g.overdue == 0) return;
    row["overdue"] = row["overdue"].get<std::int64_t>() + g.overdue;
    row["max_days_late"] = std::max<std::int64_t>(row["max_days_late"].get<std::int64_t>(), (now - g.oldest_due + kDaySeconds - 1) / kDaySeconds);
  };
  std::int64_t open = 0, overdue = 0;
  std::map<std::string, int> groups_of;  // a person with tasks at several orgs or roles
  for (const auto& g : groups) ++groups_of[g.assignee.empty() ? g.org + "/" + g.role : g.assignee];
  for (const auto& g : groups) {
    open += g.open;
    overdue += g.overdue;
    for (auto& [path, row] : by_org)
      if (g.org_path.rfind(path, 0) == 0) count(row, g);
    const std::string person = g.assignee.empty() ? g.org + "/" + g.role : g.assignee;
    auto& row = by_assignee[person];
    if (row.is_null()) {
      // The org and role shown are those of the person's oldest open task (due_at, id).
      std::string task_org = g.org, task_role = g.role;
      if (groups_of[person] > 1)
        for (const auto& first : view->OpenTasksDueBy(org->path, g.assignee, std::numeric_limits<Instant>::max(), 1))
          task_org = first.org, task_role = first.role;
      row = {{"user", g.assignee.empty() ? json(nullptr) : json(g.assignee)}, {"org", task_org},
             {"org_name", OrgName(*view, task_org)}, {"role", task_role},
             {"open", 0}, {"overdue", 0}, {"max_days_late", 0}};
      auto u = g.assignee.empty() ? std::nullopt : view->FindUser(g.assignee);
      auto o = view->FindOrg(task_org);
      row["name"] = u ? u->name : (o ? o->name : task_org) + "（" + RoleLabel(task_role) + "）";
    }
    count(row, g);
  }
  json late = json::array();
  for (const auto& t : view->OpenTasksDueBy(org->path, "", now, 500)) {
    auto hh = view->FindHousehold(t.household);
    late.push_back({{"id", std::to_string(t.id)}, {"case", t.case_id.empty() ? json(nullptr) : json(t.case_id)},
                    {"household", t.household}, {"head_name", hh ? hh->head_name : ""},
                    {"step", t.step}, {"step_label", LabelOf(workflows_, t)}, {"org", t.org},
                    {"org_name", OrgName(*view, t.org)},
                    {"due_at", FormatRfc3339(t.due_at)}, {"days_late", (now - t.due_at + kDaySeconds - 1) / kDaySeconds}});
  }
  json orgs = json::array(), people = json::array();
  for (auto& [_, row] : by_org) orgs.push_back(row);
  for (auto& [_, row] : by_assignee) people.push_back(row);
  auto by_late = [](const json& a, const json& b) { return a["max_days_late"].get<std::int64_t>() > b["max_days_late"].get<std::int64_t>(); };
  std::stable_sort(orgs.begin(), orgs.end(), by_late);
  std::stable_sort(people.begin(), people.end(), by_late);
  return Checked<json>(*view, json{{"org", org->code}, {"org_name", org->name}, {"generated_at", FormatRfc3339(now)},
              {"open", open}, {"overdue", overdue},
              {"by_org", orgs}, {"by_assignee", people}, {"tasks", late}});
}

Result<json> Engine::VerifyAudit(const Principal& who) {
  if (auto st = Require(who, Capability::kVerifyAudit, who.user.org_path); !st.ok()) return st.error();
  auto view = store_.Read();
  std::string prev;
  std::int64_t count = 0, after = 0;
  while (true) {
    const auto page = view->AuditPage(after, 5000);
    if (view->failure()) return *view->failure();  // a partial walk is no verdict
    if (page.empty()) break;
    for (const auto& e : page) {
      if (e.prev_hash != prev || AuditHash(e) != e.hash)
        return json{{"ok", false}, {"events", count}, {"first_bad_seq", e.seq},
                    {"message", "审计记录第 " + std::to_string(e.seq) + " 条与哈希链不符，可能被篡改 (event does not match the hash chain)"}};
      prev = e.hash;
      after = e.seq;
      ++count;
    }
  }
  return json{{"ok", true}, {"events", count}};
}

}  // namespace dixian::engine
