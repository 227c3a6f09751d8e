// Cases on a chain: open, act (submit / approve / return / reject / withdraw / ...), and tasks.
#include <algorithm>

#include "engine/core/json_fields.h"
#include "engine/engine.h"
#include "engine/engine_tx.h"
#include "engine/views.h"

namespace dixian::engine {

using nlohmann::json;

// May `who` act on this step? The task names the org, role, department and person.
Status CanAct(const Principal& who, const Task& task, const ActionDef& action, const Case& c) {
  if (action.actor) {
    if (who.user.role != action.actor->role || !InSubtree(who, c.org_path))
      return Error::Forbidden("此操作需由" + RoleLabel(action.actor->role) + "办理 (needs " + action.actor->role + ")");
    return OkStatus();
  }
  if (action.by_submitter) {
    if (c.data.value("last_actor", "") != who.user.id)
      return Error::Forbidden("只有提交人可以撤回 (only the submitter may withdraw)");
    // Withdraw undoes the caller's own step: only back to the state the case came from (a
    // reviewer who returned a case may not "withdraw" it further down).
    const std::string came_from = c.data.value("last_from", "");
    if (!came_from.empty() && came_from != action.to)
      return Error::Forbidden("只能撤回本人提交的环节 (withdraw only undoes your own submission)");
    return OkStatus();
  }
  if (who.user.role != task.role)
    return Error::Forbidden("此环节需由" + RoleLabel(task.role) + "办理，您的角色是" + RoleLabel(who.user.role) +
                            " (step needs role " + task.role + ")");
  if (!InSubtree(who, task.org_path))
    return Error::Forbidden("该案件不在您所属单位的管辖范围内 (case outside your org's subtree)");
  if (!task.department.empty() && task.department != who.user.department)
    return Error::Forbidden("该事项已派给其他行业部门 (dispatched to department " + task.department + ")");
  if (!task.assignee.empty() && task.assignee != who.user.id)
    return Error::Forbidden("该事项已指定他人办理 (assigned to another user)");
  return OkStatus();
}


json MyActions(const Principal& who, const WorkflowDef* def, const Case& c, const std::vector<Task>& open) {
  json mine = json::array();
  const auto* st = def ? def->State(c.state) : nullptr;
  if (!st) return mine;
  for (const auto& [name, action] : st->actions)
    if ((!open.empty() || action.actor || action.by_submitter) &&
        CanAct(who, open.empty() ? Task{} : open.front(), action, c).ok())
      mine.push_back(name);
  return mine;
}

namespace {

Status CheckCaseData(const WorkflowDef& def, const json& data) {
  for (const auto& field : def.required_data)
    if (!data.contains(field) || data[field].is_null() || (data[field].is_string() && data[field].get<std::string>().empty()))
      return MissingField("data." + field);
  for (const auto& [field, allowed] : def.data_enums) {
    if (!data.contains(field)) continue;
    if (auto v = RequiredEnum(data, field, allowed, "data."); !v.ok()) return v.error();
  }
  if (data.contains("causes")) {
    if (!data["causes"].is_array()) return InvalidField("data.causes", "应为致贫风险类型的列表 (must be a list)");
    for (const auto& c : data["causes"])
      if (!c.is_string() || !IsOneOf(c.get<std::string>(), kCauses))
        return InvalidField("data.causes", "含有未知的风险类型 (unknown cause " + c.dump() + ")");
  }
  return OkStatus();
}

// Identification: the entry criteria are configuration; unmet criteria give a recorded warning.
json ThresholdWarning(const Thresholds& t, const json& data) {
  auto number = [&data](const char* key, double fallback) {  // a non-number reads as absent
    auto it = data.find(key);
    return it != data.end() && it->is_number() ? it->get<double>() : fallback;
  };
  const double income = number("income_per_capita", -1.0);
  const double spending = number("rigid_spending", 0.0);
  const double last_income = number("last_year_income", 0.0);
  const double drop = number("income_drop_ratio", 0.0);
  const bool below_line = income >= 0 && income < t.income_line;
  const bool rigid = last_income > 0 && spending > last_income * t.rigid_spending_ratio;
  const bool dropped = drop >= t.income_drop_ratio;
  if (below_line || rigid || dropped || income < 0) return nullptr;
  return "申报数据未达到纳入标准：人均纯收入 " + std::to_string(static_cast<long long>(income)) + " 元不低于监测范围 " +
         std::to_string(static_cast<long long>(t.income_line)) + " 元，且刚性支出与收入骤减均未达标准，请乡镇审慎审核";
}

Status CheckSubjectStatus(const WorkflowDef& def, const std::optional<MonitoringObject>& m) {
  if (def.subject_status.empty()) return OkStatus();
  const std::string status = m ? m->status : "none";
  if (IsOneOf(status, def.subject_status)) return OkStatus();
  if (status == "removed" && IsOneOf("none", def.subject_status)) return OkStatus();
  return Error::Unprocessable("household_status_not_allowed",
                              "household: 该户当前状态（" + (m ? StatusLabel(status) : std::string("非监测对象")) +
                                  "）不能发起" + def.label + " (household status " + status + " does not allow this workflow)");
}

// The reply: the command closed every open task of the case, so `opened` (the step task it just
// opened, if any) is the case's only open task; no need to read it back.
json CaseWithTasks(EngineTx& etx, const Case& c, const WorkflowDef* def, const std::optional<Task>& opened,
                   const Principal& who) {
  json out = CaseJson(c, def);
  out["my_actions"] = MyActions(who, def, c, opened ? std::vector<Task>{*opened} : std::vector<Task>{});
  json tasks = json::array();
  if (opened) tasks.push_back(TaskJson(*opened, etx.StepLabel(*opened), etx.now()));
  out["tasks"] = tasks;
  return out;
}

}  // namespace

void Engine::CreateCase(Call call, WriteDone done) {
  SubmitWrite(call, [this, call](WriteTx& tx) -> Result<json> {
    EngineTx etx(*this, tx);
    auto name = RequiredString(call.body, "workflow", 64);
    if (!name.ok()) return name.error();
    auto def = workflows_.Latest(name.value());
    if (!def || def->states.empty())
      return Error::Unprocessable("unknown_workflow", "workflow: 未知的业务流程 \"" + name.value() + "\" (unknown workflow)");
    if (!(call.who.IsAdmin() || IsOneOf(call.who.user.role, def->initiator_roles)))
      return Error::Forbidden("您的角色（" + RoleLabel(call.who.user.role) + "）不能发起" + def->label);
    auto hid = RequiredString(call.body, "household", 64);
    if (!hid.ok()) return hid.error();
    auto hh = tx.FindHousehold(hid.value());
    if (!hh || !InSubtree(call.who, hh->village_path))  // elsewhere reads as unknown
      return Error::Unprocessable("unknown_household", "household: 户 " + hid.value() + " 不存在 (unknown household)");
    json data = call.body.value("data", json::object());
    if (!data.is_object()) return InvalidField("data", "应为对象 (must be an object)");
    if (auto st = CheckCaseData(*def, data); !st.ok()) return st.error();
    if (auto st = CheckSubjectStatus(*def, tx.FindMonitoring(hh->id)); !st.ok()) return st.error();
    for (const auto& open : tx.OpenCasesOf(hh->id))
      if (open.workflow == def->name)
        return Error::Conflict("duplicate_case", "该户已有进行中的" + def->label + "案件 " + open.id + " (an open case exists)");
    if (def->name == "identification") {
      if (auto warning = ThresholdWarning(options_.thresholds, data); !warning.is_null()) data["threshold_warning"] = warning;
    }
    Case c;
    c.id = tx.NextCaseId();
    c.workflow = def->name;
    c.workflow_version = def->version;
    c.household = hh->id;
    c.state = def->initial;
    c.version = 1;
    c.org_path = hh->village_path;
    data["last_actor"] = call.who.user.id;
    c.data = data;
    c.created_by = call.who.user.id;
    c.created_at = c.updated_at = etx.now();
    tx.InsertCase(c);
    AuditEvent ev = EventBy(call.who, c.household, "create");
    ev.case_id = c.id;
    ev.to_state = c.state;
    ev.data = data;
    etx.Audit(ev);
    const auto opened = etx.OpenStepTask(c, *def, call.who);
    return CaseWithTasks(etx, c, def.get(), opened, call.who);
  }, std::move(done));
}

void Engine::ApplyAction(Call call, WriteDone done) {
  SubmitWrite(call, [this, call](WriteTx& tx) -> Result<json> {
    EngineTx etx(*this, tx);
    auto c = tx.FindCase(call.id);
    if (!c || !InSubtree(call.who, c->org_path))  // elsewhere reads as absent
      return Error::NotFound("case_not_found", "案件 " + call.id + " 不存在 (case not found)");
    auto def = workflows_.Version(c->workflow, c->workflow_version);
    if (!def) return Error::Internal("workflow version missing for case " + c->id);
    auto action_name = RequiredString(call.body, "action", 64);
    if (!action_name.ok()) return action_name.error();
    auto expected = RequiredInt(call.body, "expected_version", 0, INT64_MAX);
    if (!expected.ok()) return expected.error();
    // A stale version means someone acted first: say so before judging the (old) step.
    if (expected.value() != c->version)
      return Error::Conflict("version_conflict", "案件已被他人处理，当前版本为 " + std::to_string(c->version) + "，您提交的是 " +
                                                     std::to_string(expected.value()) + "，请刷新后重试 (version conflict)");
    const auto* state = def->State(c->state);
    auto it = state->actions.find(action_name.value());
    const auto open = tx.OpenTasksOfCase(c->id);
    if (it == state->actions.end()) {
      std::string allowed;
      for (const auto& [n, a] : state->actions) allowed += (allowed.empty() ? "" : ", ") + n;
      return Error::Unprocessable("action_not_allowed", "action: 案件处于“" + state->label + "”环节，不能执行 " +
                                                            action_name.value() + "（可执行：" + (allowed.empty() ? "无" : allowed) + "）");
    }
    const ActionDef& action = it->second;
    if (open.empty() && !action.actor && !action.by_submitter)
      return Error::Unprocessable("no_open_step", "案件没有待办环节 (case has no open step)");
    if (auto st = CanAct(call.who, open.empty() ? Task{} : open.front(), action, *c); !st.ok()) return st.error();
    auto comment = OptionalString(call.body, "comment", 2000);
    if (!comment.ok()) return comment.error();
    json data = call.body.value("data", json::object());
    if (!data.is_object()) return InvalidField("data", "应为对象 (must be an object)");
    json merged = c->data;
    merged.update(data);
    if (auto st = CheckCaseData(*def, merged); !st.ok()) return st.error();  // effects read these fields
    for (const auto& field : action.requires_fields) {
      if (field == "comment" && comment.value().empty()) return MissingField("comment");
      if (field.rfind("data.", 0) == 0 && (!merged.contains(field.substr(5)) || merged[field.substr(5)].is_null()))
        return MissingField(field);
    }
    if (action.assign_department) {
      std::string dept = data.value("department", "");
      if (dept.empty()) {
        auto m = def->department_map.find(merged.value("item", ""));
        if (m != def->department_map.end()) dept = m->second;
      }
      if (!IsOneOf(dept, kDepartments)) return dept.empty() ? MissingField("data.department") : InvalidField("data.department", "未知的行业部门 " + dept);
      merged["department"] = dept;
    }
    const std::string from = c->state;
    merged["last_actor"] = call.who.user.id;
    merged["last_from"] = from;
    c->data = merged;
    c->state = action.to;
    c->version += 1;
    c->updated_at = etx.now();
    const auto* next = def->State(c->state);
    c->closed = next->final;
    etx.CloseTasks(open, "done");
    tx.UpdateCase(*c);
    AuditEvent ev = EventBy(call.who, c->household, action.name);
    ev.case_id = c->id;
    ev.from_state = from;
    ev.to_state = c->state;
    ev.comment = comment.value();
    ev.data = data;
    etx.Audit(ev);
    etx.RunEffects(*c, *next, call.who);
    const auto opened = etx.OpenStepTask(*c, *def, call.who);
    return CaseWithTasks(etx, *c, def.get(), opened, call.who);
  }, std::move(done));
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
    return Error::NotFound("task_not_found", "待办 " + id + " 不存在 (task not found)");
  auto t = tx.FindTask(std::stoll(id));
  if (!t || !TaskVisible(tx, who, *t)) return Error::NotFound("task_not_found", "待办 " + id + " 不存在 (task not found)");
  if (t->status != "open") return Error::Conflict("task_closed", "该待办已办结 (task already closed)");
  return *t;
}

}  // namespace

void Engine::CompleteTask(Call call, WriteDone done) {
  SubmitWrite(call, [this, call](WriteTx& tx) -> Result<json> {
    EngineTx etx(*this, tx);
    auto t = OpenTask(tx, call.who, call.id);
    if (!t.ok()) return t.error();
    const auto* def = t->case_id.empty() ? etx.FollowUpDef(t->step) : nullptr;
    if (!def || def->completed_by != "handover_done")
      return Error::Unprocessable("task_not_completable", "该待办由业务动作自动办结（如登记帮扶措施、指定联系人、登记走访），不能直接办结");
    ActionDef plain;
    if (auto st = CanAct(call.who, t.value(), plain, Case{}); !st.ok()) return st.error();
    etx.CompleteFollowUps(t->household, t->step, call.who);
    return json{{"id", call.id}, {"status", "done"}};
  }, std::move(done));
}

void Engine::TransferTask(Call call, WriteDone done) {
  if (auto st = RequireRole(call.who, Capability::kTransferTask); !st.ok()) return done(st.error());
  SubmitWrite(call, [this, call](WriteTx& tx) -> Result<json> {
    EngineTx etx(*this, tx);
    auto t = OpenTask(tx, call.who, call.id);
    if (!t.ok()) return t.error();
    if (auto st = Require(call.who, Capability::kTransferTask, t->org_path); !st.ok()) return st.error();
    ActionDef plain;
    if (call.who.user.role != "supervisor")
      if (auto st = CanAct(call.who, t.value(), plain, Case{}); !st.ok()) return st.error();
    auto target_id = RequiredString(call.body, "user", 64);
    if (!target_id.ok()) return target_id.error();
    auto target = tx.FindUser(target_id.value());
    if (!target || target->revoked || !OnPath(call.who, target->org_path)) return Error::Unprocessable("unknown_user", "user: 用户 " + target_id.value() + " 不存在");
    if (target->role != t->role || t->org_path.rfind(target->org_path, 0) != 0)
      return InvalidField("user", "只能转给同一单位、同一角色的人员 (must have the same role and org)");
    auto comment = OptionalString(call.body, "comment", 2000);
    if (!comment.ok()) return comment.error();
    const std::string previous = t->assignee;
    t->assignee = target->id;
    tx.UpdateTask(t.value());
    AuditEvent ev = EventBy(call.who, t->household, "transfer");
    ev.case_id = t->case_id;
    ev.from_state = t->step;
    ev.to_state = t->step;
    ev.comment = comment.value();
    ev.data = {{"task", call.id}, {"from_user", previous}, {"to_user", target->id}};
    etx.Audit(ev);
    etx.Notify(t.value(), "new_task", 0, false, "转办：" + call.who.user.name + " 将此事项转交 " + target->name + " 办理");
    return TaskJson(t.value(), etx.StepLabel(t.value()), etx.now());
  }, std::move(done));
}

void Engine::UrgeTask(Call call, WriteDone done) {
  if (auto st = RequireRole(call.who, Capability::kUrgeTask); !st.ok()) return done(st.error());
  SubmitWrite(call, [this, call](WriteTx& tx) -> Result<json> {
    EngineTx etx(*this, tx);
    auto t = OpenTask(tx, call.who, call.id);
    if (!t.ok()) return t.error();
    if (auto st = Require(call.who, Capability::kUrgeTask, t->org_path); !st.ok()) return st.error();
    auto comment = OptionalString(call.body, "comment", 2000);
    if (!comment.ok()) return comment.error();
    const std::string note = comment.value().empty() ? "请尽快办理" : comment.value();
    AuditEvent ev = EventBy(call.who, t->household, "urge");
    ev.case_id = t->case_id;
    ev.from_state = t->step;
    ev.to_state = t->step;
    ev.comment = note;
    ev.data = {{"task", call.id}};
    etx.Audit(ev);
    etx.Notify(t.value(), "reminder", 0, true, "催办（" + call.who.user.name + "）：" + note);
    return json{{"id", call.id}, {"urged", true}};
  }, std::move(done));
}

}  // namespace dixian::engine
