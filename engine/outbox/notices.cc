#include "engine/outbox/notices.h"

#include <algorithm>

#include "engine/engine_tx.h"

namespace dixian::engine {

namespace {

std::int64_t DaysLeft(Instant due, Instant at) {
  const Instant diff = due - at;
  return diff >= 0 ? (diff + kDaySeconds - 1) / kDaySeconds
                   : -((-diff + kDaySeconds - 1) / kDaySeconds);
}

std::vector<std::string> MobilesOf(ReadView& view, const Task& task, NoticeKind kind, int up) {
  std::vector<std::string> out;
  if (!task.assignee.empty()) {
    if (auto u = view.FindUser(task.assignee); u && !u->mobile.empty()) out.push_back(u->mobile);
    return out;
  }
  std::string org = task.org;
  Role role = task.role;
  if (kind == NoticeKind::kEscalation &&
      up > 0) {  // escalations @ the supervisors `up` levels above
    const auto codes = PathCodes(task.org_path);
    org = codes[static_cast<size_t>(std::max<int>(0, static_cast<int>(codes.size()) - 1 - up))];
    role = Role::kSupervisor;
  }
  for (const auto& u : view.UsersAt(org, role))
    if (!u.mobile.empty() && out.size() < 5) out.push_back(u.mobile);
  return out;
}

NoticeRow RowOf(ReadView& view, const WorkflowRegistry& workflows, const Task& t, NoticeKind kind,
                int up, Instant at, const std::string& base) {
  NoticeRow r;
  r.task = t;
  auto hh = view.FindHousehold(t.household);
  r.head_name = hh ? hh->head_name : "";
  auto village = hh ? view.FindOrg(hh->village) : std::nullopt;
  r.village = village ? village->name : "";
  r.step_label = StepLabel(workflows, t);
  auto org = view.FindOrg(t.org);
  r.org_name = org ? org->name : "";
  r.days_left = DaysLeft(t.due_at, at);
  r.escalation_level = up;
  r.link = base + (t.case_id.empty() ? "/#/households/" + t.household : "/#/cases/" + t.case_id);
  r.mobiles = MobilesOf(view, t, kind, up);
  return r;
}

// What the person may do on the task's case now, as the API would let them.
void AddActions(ReadView& view, const WorkflowRegistry& workflows, const Task& task,
                const std::string& user_id, NoticeView& out) {
  if (task.case_id.empty()) return;
  auto c = view.FindCase(task.case_id);
  auto user = view.FindUser(user_id);
  if (!c || !user || user->revoked || c->closed) return;
  const auto def = workflows.Version(c->workflow, c->workflow_version);
  const auto* state = def ? def->State(c->state) : nullptr;
  if (!state) return;
  out.case_version = c->version;
  const Principal who{*user};
  for (const auto& name : MyActions(who, def.get(), *c, view.OpenTasksOfCase(c->id))) {
    auto it = state->actions.find(name);
    if (it == state->actions.end()) continue;
    out.actions.push_back({name, it->second.label, !it->second.requires_fields.empty()});
  }
}

}  // namespace

std::optional<NoticeView> ResolveNotice(ReadView& view, const WorkflowRegistry& workflows,
                                        const OutboxMessage& m, const std::string& base) {
  if (m.facts.empty()) return std::nullopt;
  const auto kind = Parse<NoticeKind>(m.kind).value_or(NoticeKind::kNewTask);
  NoticeView out;
  out.text = m.facts.text;
  if (kind == NoticeKind::kDigest) {
    out.org = m.facts.org;
    auto org = view.FindOrg(m.facts.org);
    out.org_name = org ? org->name : "";
    out.total = m.facts.total;
    out.link = base + "/#/overdue";
    for (const auto id : m.facts.task_ids)
      if (auto t = view.FindTask(id))
        out.rows.push_back(RowOf(view, workflows, *t, kind, 0, m.created_at, base));
    return out;
  }
  if (kind == NoticeKind::kAnnouncement) {  // about a case's decision, not a task
    auto c = view.FindCase(m.facts.case_id);
    if (!c) return std::nullopt;
    Task t;
    t.case_id = c->id;
    t.household = c->household;
    t.workflow = c->workflow;
    t.workflow_version = c->workflow_version;
    t.step = c->state;
    t.org = m.facts.org;
    t.due_at = m.created_at;
    NoticeRow row = RowOf(view, workflows, t, kind, 0, m.created_at, base);
    row.mobiles.clear();  // published, not addressed to anyone
    out.rows.push_back(std::move(row));
    return out;
  }
  auto t = view.FindTask(m.facts.task_id);
  if (!t) return std::nullopt;
  out.rows.push_back(
      RowOf(view, workflows, *t, kind, m.facts.escalation_level, m.created_at, base));
  if (!m.facts.to_user.empty()) {
    out.to_im = m.facts.to_im;
    AddActions(view, workflows, *t, m.facts.to_user, out);
  }
  return out;
}

}  // namespace dixian::engine
