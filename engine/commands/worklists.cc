#include "engine/commands/worklists.h"

#include <algorithm>
#include <map>
#include <set>

#include "engine/access/access.h"
#include "engine/core/fields.h"
#include "engine/engine_tx.h"
#include "engine/tasks/timing.h"

namespace dixian::engine {

namespace {

// Head names and village names, looked up once per household or village.
class ListNames {
 public:
  explicit ListNames(ReadView& view) : view_(view) {}

  const std::optional<Household>& HouseholdOf(const std::string& id) {
    auto it = households_.find(id);
    if (it == households_.end()) it = households_.emplace(id, view_.FindHousehold(id)).first;
    return it->second;
  }
  std::string HeadOf(const std::string& id) {
    const auto& hh = HouseholdOf(id);
    return hh ? hh->head_name : "";
  }
  const std::string& OrgName(const std::string& code) {
    auto it = orgs_.find(code);
    if (it == orgs_.end()) {
      auto org = view_.FindOrg(code);
      it = orgs_.emplace(code, org ? org->name : "").first;
    }
    return it->second;
  }
  std::string VillageOf(const std::string& household) {
    const auto& hh = HouseholdOf(household);
    return hh ? OrgName(hh->village) : "";
  }

 private:
  ReadView& view_;
  std::map<std::string, std::optional<Household>> households_;
  std::map<std::string, std::string> orgs_;
};

std::string ListStateLabel(const WorkflowDef* def, const std::string& state) {
  const auto* st = def ? def->State(state) : nullptr;
  return st ? st->label : state;
}

// Events that are someone's work on a household (not sign-ins, admin changes or timers).
// A file attached (佐证材料) supports the step taken with it; the step is what 已办 lists.
bool IsListedWork(const AuditEvent& ev) {
  return !ev.household.empty() && ev.actor != "system" && ev.action != "create" &&
         ev.action != "attach_evidence";
}

// The escalation rungs of `task` that have fired: how many levels above the holder's org each
// reached (a late task keeps every org it was escalated to in copy, not only the last).
std::set<int> FiredEscalations(const Engine& e, const Task& task) {
  std::set<int> ups;
  auto def = e.workflows().Version(task.workflow, task.workflow_version);
  if (!def) return ups;
  const Timing* timing = nullptr;
  if (task.case_id.empty()) {
    if (const auto* t = def->Task(task.step)) timing = &t->timing;
  } else if (const auto* s = def->State(task.step)) {
    timing = &s->timing;
  }
  if (!timing) return ups;
  const auto points = FirePoints(*timing, task.created_at, task.due_at, e.calendar());
  for (int i = 0; i < task.fire_index && i < static_cast<int>(points.size()); ++i) {
    const auto& p = points[static_cast<size_t>(i)];
    if (p.kind == FirePoint::Kind::kEscalation && p.up > 0) ups.insert(p.up);
  }
  return ups;
}

}  // namespace

Result<std::vector<DoneRow>> MyDone(Engine& e, const Principal& who, int limit) {
  using Rows = std::vector<DoneRow>;
  if (auto st = RequireRole(who, Capability::kReadCases); !st.ok()) return st.error();
  limit = std::clamp(limit, 1, 200);
  auto view = e.store().Read();
  ListNames names(*view);
  Rows out;
  std::set<std::string> seen_cases;
  for (auto& ev : view->EventsByActor(who.user.id, limit * 4)) {
    if (!IsListedWork(ev) || static_cast<int>(out.size()) >= limit) continue;
    if (!ev.case_id.empty() && !seen_cases.insert(ev.case_id).second) continue;  // latest per case
    const auto& hh = names.HouseholdOf(ev.household);
    if (!hh || !InSubtree(who, hh->village_path)) continue;  // no longer in the caller's remit
    DoneRow row;
    row.head_name = hh->head_name;
    row.village = names.OrgName(hh->village);
    if (!ev.case_id.empty()) {
      row.now = view->FindCase(ev.case_id);
      if (row.now) {
        auto def = e.workflows().Version(row.now->workflow, row.now->workflow_version);
        row.workflow_label = def ? def->label : row.now->workflow;
        row.step_label = ListStateLabel(def.get(), ev.from_state);
        row.state_label = ListStateLabel(def.get(), row.now->state);
        if (const auto* st = def ? def->State(ev.from_state) : nullptr)
          if (auto a = st->actions.find(ev.action); a != st->actions.end())
            row.action_label = a->second.label;
      }
    }
    row.event = std::move(ev);
    out.push_back(std::move(row));
  }
  return Checked<Rows>(*view, std::move(out));
}

Result<std::vector<StartedRow>> MyStarted(Engine& e, const Principal& who, int limit) {
  using Rows = std::vector<StartedRow>;
  if (auto st = RequireRole(who, Capability::kReadCases); !st.ok()) return st.error();
  limit = std::clamp(limit, 1, 200);
  auto view = e.store().Read();
  ListNames names(*view);
  const Instant now = e.clock().Now();
  Rows out;
  for (auto& c : view->CasesOpenedBy(who.user.id, limit)) {
    if (!InSubtree(who, c.org_path)) continue;
    StartedRow row;
    auto def = e.workflows().Version(c.workflow, c.workflow_version);
    row.workflow_label = def ? def->label : c.workflow;
    row.state_label = ListStateLabel(def.get(), c.state);
    row.head_name = names.HeadOf(c.household);
    row.village = names.VillageOf(c.household);
    if (!c.closed)
      row.waiting = EnrichedTasks(*view, e.workflows(), view->OpenTasksOfCase(c.id), now);
    row.c = std::move(c);
    out.push_back(std::move(row));
  }
  return Checked<Rows>(*view, std::move(out));
}

Result<std::vector<CopiedRow>> MyCopied(Engine& e, const Principal& who) {
  using Rows = std::vector<CopiedRow>;
  if (auto st = RequireRole(who, Capability::kReadCases); !st.ok()) return st.error();
  Rows out;
  if (who.IsAdmin()) return out;  // the built-in admin belongs to no org
  auto view = e.store().Read();
  const Instant now = e.clock().Now();
  std::vector<Task> copied;
  std::vector<int> ups;
  // Escalated tasks are overdue ones, and the subtree's are read most overdue first.
  for (auto& t : view->OpenTasksInSubtree(who.user.org_path, {}, std::nullopt, "", 1000)) {
    if (t.due_at > now || t.org == who.user.org) continue;
    const auto codes = PathCodes(t.org_path);
    int reached = 0;  // the rung that reached the caller's org
    for (int up : FiredEscalations(e, t))
      if (up < static_cast<int>(codes.size()) &&
          codes[codes.size() - 1 - static_cast<size_t>(up)] == who.user.org)
        reached = up;
    if (reached == 0) continue;
    ups.push_back(reached);
    copied.push_back(std::move(t));
  }
  // EnrichedTasks sorts; keep each task's rung beside it by id.
  std::map<std::int64_t, int> up_of;
  for (size_t i = 0; i < copied.size(); ++i) up_of[copied[i].id] = ups[i];
  ListNames names(*view);
  for (auto& v : EnrichedTasks(*view, e.workflows(), std::move(copied), now)) {
    CopiedRow row;
    row.up = up_of[v.task.id];
    row.org_name = names.OrgName(v.task.org);
    row.task = std::move(v);
    out.push_back(std::move(row));
  }
  return Checked<Rows>(*view, std::move(out));
}

Result<std::vector<HouseholdHit>> SearchHouseholds(Engine& e, const Principal& who,
                                                   const std::string& text, int limit) {
  using Hits = std::vector<HouseholdHit>;
  if (auto st = RequireRole(who, Capability::kReadHouseholds); !st.ok()) return st.error();
  if (text.empty()) return MissingField("q");
  if (CharCount(text) > 50) return InvalidField("q", "过长，最多 50 个字");
  limit = std::clamp(limit, 1, 50);
  auto view = e.store().Read();
  ListNames names(*view);
  Hits out;
  for (auto& hh : view->SearchHouseholds(who.user.org_path, text, limit)) {
    if (!InSubtree(who, hh.village_path)) continue;
    HouseholdHit hit;
    hit.village_name = names.OrgName(hh.village);
    hit.monitoring = view->FindMonitoring(hh.id);
    hit.household = std::move(hh);
    out.push_back(std::move(hit));
  }
  return Checked<Hits>(*view, std::move(out));
}

}  // namespace dixian::engine
