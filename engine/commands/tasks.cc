// Tasks: the caller's inbox, and what may be done to one task (confirm, transfer, urge).
#include "engine/commands/tasks.h"

#include <algorithm>
#include <map>

#include "engine/core/fields.h"
#include "engine/engine_tx.h"

namespace dixian::engine {

namespace {

// For a chain step: the actions its holder has there, and the return that brought the case back.
void AddStepFacts(ReadView& view, const WorkflowRegistry& workflows, TaskView& v) {
  const Task& t = v.task;
  v.with_step = true;
  auto def = workflows.Version(t.workflow, t.workflow_version);
  if (const auto* st = def ? def->State(t.step) : nullptr) {
    for (const auto& [name, action] : st->actions) {
      if (action.by_submitter) continue;
      const auto& actor = action.actor ? action.actor : st->actor;
      if (actor && actor->role == t.role) v.actions.push_back(action);
    }
  }
  auto history = view.History(t.case_id);
  if (!history.empty() && history.back().to_state == t.step &&
      (history.back().action == "return" || history.back().action == "object")) {
    const auto& ev = history.back();
    auto actor = view.FindUser(ev.actor);
    v.returned = ReturnMark{ev.action, ev.actor,   actor ? actor->name : ev.actor,
                            ev.at,     ev.comment, ev.from_state};
  }
}

}  // namespace

std::vector<TaskView> EnrichedTasks(ReadView& view, const WorkflowRegistry& workflows,
                                    std::vector<Task> tasks, Instant now) {
  std::stable_sort(tasks.begin(), tasks.end(), [now](const Task& a, const Task& b) {
    const bool ao = now >= a.due_at, bo = now >= b.due_at;
    return ao != bo ? ao : a.due_at < b.due_at;
  });
  std::map<std::string, std::pair<std::string, std::string>>
      households;                               // id -> head, village name
  std::map<std::string, std::string> villages;  // an inbox is mostly one village: look it up once
  auto village_name = [&](const std::string& code) -> const std::string& {
    auto v = villages.find(code);
    if (v == villages.end()) {
      auto org = view.FindOrg(code);
      v = villages.emplace(code, org ? org->name : "").first;
    }
    return v->second;
  };
  std::vector<TaskView> out;
  out.reserve(tasks.size());
  for (auto& t : tasks) {
    auto it = households.find(t.household);
    if (it == households.end()) {
      auto hh = view.FindHousehold(t.household);
      it = households
               .emplace(t.household, std::make_pair(hh ? hh->head_name : "",
                                                    hh ? village_name(hh->village) : ""))
               .first;
    }
    std::string label = StepLabel(workflows, t);
    TaskView v{std::move(t), std::move(label), now, true, it->second.first, it->second.second};
    v.org_name = village_name(v.task.org);  // any org: the cache is by code
    if (!v.task.case_id.empty()) AddStepFacts(view, workflows, v);
    out.push_back(std::move(v));
  }
  return out;
}

namespace {

// May `who` know of the task? Its org or its household lies in the caller's subtree, or it is
// assigned to the caller (GET /households/{id}/tasks shows the same).
bool TaskVisible(ReadView& view, const Principal& who, const Task& t) {
  if (InSubtree(who, t.org_path) || (!t.assignee.empty() && t.assignee == who.user.id)) return true;
  auto hh = view.FindHousehold(t.household);
  return hh && InSubtree(who, hh->village_path);
}

// The open task `id`; a task the caller may not know of reads as absent, open or closed.
Result<Task> OpenTask(WriteTx& tx, const Principal& who, const std::string& id) {
  if (id.empty() || id.size() > 18 || !std::all_of(id.begin(), id.end(), ::isdigit))
    return Error::NotFound("task_not_found", "待办 " + id + " 不存在");
  auto t = tx.FindTask(std::stoll(id));
  if (!t || !TaskVisible(tx, who, *t))
    return Error::NotFound("task_not_found", "待办 " + id + " 不存在");
  if (t->status != TaskStatus::kOpen) return Error::Conflict("task_closed", "该待办已办结");
  return *t;
}

}  // namespace

void CompleteTask(Engine& e, Write<TaskClosed> w, TaskRef ref) {
  const Principal who = w.who;
  e.Submit<TaskClosed>(
      std::move(w), [who, ref = std::move(ref)](EngineTx& etx) -> Result<TaskClosed> {
        auto t = OpenTask(etx.tx(), who, ref.task_id);
        if (!t.ok()) return t.error();
        const TaskDef* def = etx.DefOf(t.value());
        if (!def || def->completed_by != events::kConfirmed)
          return Error::Unprocessable(
              "task_not_completable",
              "该待办由业务动作自动办结（如登记帮扶措施、指定联系人、登记走访），不能直接办结");
        ActionDef plain;
        if (auto st = CanAct(who, t.value(), plain, Case{}); !st.ok()) return st.error();
        etx.CompleteFollowUp(t.value(), who);
        return TaskClosed{ref.task_id};
      });
}

void TransferTask(Engine& e, Write<TaskView> w, TransferInput in) {
  if (auto st = RequireRole(w.who, Capability::kTransferTask); !st.ok()) return w.done(st.error());
  const Principal who = w.who;
  e.Submit<TaskView>(std::move(w), [who, in = std::move(in)](EngineTx& etx) -> Result<TaskView> {
    auto& tx = etx.tx();
    auto t = OpenTask(tx, who, in.task_id);
    if (!t.ok()) return t.error();
    if (auto st = Require(who, Capability::kTransferTask, t->org_path); !st.ok()) return st.error();
    ActionDef plain;
    if (!who.Is(Role::kSupervisor))
      if (auto st = CanAct(who, t.value(), plain, Case{}); !st.ok()) return st.error();
    if (auto st = RequireText("user", in.user, 64); !st.ok()) return st.error();
    auto target = tx.FindUser(in.user);
    if (!target || target->revoked || !OnPath(who, target->org_path))  // elsewhere: unknown
      return Error::Unprocessable("unknown_user", "user：用户 " + in.user + " 不存在");
    if (target->role != t->role || t->org_path.rfind(target->org_path, 0) != 0)
      return InvalidField("user", "只能转给同一单位、同一角色的人员");
    if (auto st = LimitText("comment", in.comment, 2000); !st.ok()) return st.error();
    const std::string previous = t->assignee;
    t->assignee = target->id;
    tx.UpdateTask(t.value());
    AuditEvent ev = EventBy(who, t->household, "transfer");
    ev.case_id = t->case_id;
    ev.from_state = t->step;
    ev.to_state = t->step;
    ev.comment = in.comment;
    ev.data = {{"task", in.task_id}, {"from_user", previous}, {"to_user", target->id}};
    etx.Audit(ev);
    etx.Notify(t.value(), NoticeKind::kNewTask, 0, false,
               "转办：" + who.user.name + " 将此事项转交 " + target->name + " 办理");
    return TaskView{t.value(), StepLabel(etx.workflows(), t.value()), etx.now()};
  });
}

void UrgeTask(Engine& e, Write<Urged> w, UrgeInput in) {
  if (auto st = RequireRole(w.who, Capability::kUrgeTask); !st.ok()) return w.done(st.error());
  const Principal who = w.who;
  e.Submit<Urged>(std::move(w), [who, in = std::move(in)](EngineTx& etx) -> Result<Urged> {
    auto t = OpenTask(etx.tx(), who, in.task_id);
    if (!t.ok()) return t.error();
    if (auto st = Require(who, Capability::kUrgeTask, t->org_path); !st.ok()) return st.error();
    if (auto st = LimitText("comment", in.comment, 2000); !st.ok()) return st.error();
    const std::string note = in.comment.empty() ? "请尽快办理" : in.comment;
    AuditEvent ev = EventBy(who, t->household, "urge");
    ev.case_id = t->case_id;
    ev.from_state = t->step;
    ev.to_state = t->step;
    ev.comment = note;
    ev.data = {{"task", in.task_id}};
    etx.Audit(ev);
    etx.Notify(t.value(), NoticeKind::kReminder, 0, true, "催办（" + who.user.name + "）：" + note);
    return Urged{in.task_id};
  });
}

Result<std::vector<PersonView>> TransferCandidates(Engine& e, const Principal& who,
                                                   const std::string& task_id) {
  using People = std::vector<PersonView>;
  if (auto st = RequireRole(who, Capability::kTransferTask); !st.ok()) return st.error();
  auto view = e.store().Read();
  const bool digits =
      !task_id.empty() && task_id.size() <= 18 &&
      std::all_of(task_id.begin(), task_id.end(), [](char c) { return c >= '0' && c <= '9'; });
  auto t = digits ? view->FindTask(std::stoll(task_id)) : std::nullopt;
  if (!t || t->status != TaskStatus::kOpen || !TaskVisible(*view, who, *t))
    return Checked<People>(
        *view, Error::NotFound("task_not_found", "待办 " + task_id + " 不存在或已办结"));
  if (auto st = Require(who, Capability::kTransferTask, t->org_path); !st.ok()) return st.error();
  std::vector<PersonView> out;
  auto users = UsersAlong(*view, t->org_path, t->role);
  std::reverse(users.begin(), users.end());
  for (auto& u : users) {
    if (u.id == who.user.id || u.id == t->assignee) continue;
    if (t->role == Role::kDepartmentOfficer && u.department != t->department) continue;
    out.push_back(PersonOf(*view, std::move(u)));
  }
  return Checked<People>(*view, std::move(out));
}

Result<std::vector<TaskView>> MyTasks(Engine& e, const Principal& who) {
  auto view = e.store().Read();
  const Instant now = e.clock().Now();
  std::vector<Task> tasks;
  const auto& u = who.user;
  if (who.IsAdmin() || who.Is(Role::kSupervisor)) {
    tasks = view->OpenTasksInSubtree(u.org_path, {}, std::nullopt, "", 1000);
    if (who.Is(Role::kSupervisor))
      std::erase_if(tasks, [now](const Task& t) { return t.due_at > now; });
  } else {
    tasks = view->OpenTasksInSubtree(u.org_path, {u.role},
                                     who.Is(Role::kDepartmentOfficer) ? u.department : std::nullopt,
                                     u.id, 1000);
    std::erase_if(tasks, [&who](const Task& t) {
      // Tasks waiting for a named contact person: until one is named no contact acts on them.
      if (t.assignee.empty()) return who.Is(Role::kContactPerson);
      return t.assignee != who.user.id;
    });
  }
  return Checked<std::vector<TaskView>>(*view,
                                        EnrichedTasks(*view, e.workflows(), std::move(tasks), now));
}

}  // namespace dixian::engine
