// Cases on a chain: open, act (submit / approve / return / reject / withdraw / ...), read.
#include "engine/commands/cases.h"

#include <algorithm>
#include <map>

#include "engine/commands/evidence.h"
#include "engine/commands/type_rule.h"
#include "engine/core/fields.h"
#include "engine/engine_tx.h"

namespace dixian::engine {

using nlohmann::json;

namespace {

// Why `who` may not act on this step (kNone: may). CanAct words it; MyActions, which asks for
// every action of the state on each reply, only needs the answer.
enum class Refusal { kNone, kActorRole, kObjection, kNotSubmitter, kNotOwnStep, kRole, kRemit, kDepartment, kAssignee };

Refusal WhyNot(const Principal& who, const Task& task, const ActionDef& action, const Case& c) {
  if (action.actor) {
    if (who.user.role != action.actor->role || !InSubtree(who, c.org_path)) return Refusal::kActorRole;
    return Refusal::kNone;
  }
  if (action.by_official)  // 异议 during a notice: any official whose remit holds the case
    return Require(who, Capability::kObjectToNotice, c.org_path).ok() ? Refusal::kNone : Refusal::kObjection;
  if (action.by_submitter) {
    if (c.last_actor != who.user.id) return Refusal::kNotSubmitter;
    // Withdraw undoes the caller's own step: only back to the state the case came from (a
    // reviewer who returned a case may not "withdraw" it further down).
    if (!c.last_from.empty() && c.last_from != action.to) return Refusal::kNotOwnStep;
    return Refusal::kNone;
  }
  if (who.user.role != task.role) return Refusal::kRole;
  if (!InSubtree(who, task.org_path)) return Refusal::kRemit;
  if (task.department && task.department != who.user.department) return Refusal::kDepartment;
  if (!task.assignee.empty() && task.assignee != who.user.id) return Refusal::kAssignee;
  return Refusal::kNone;
}

}  // namespace

// May `who` act on this step? The task names the org, role, department and person.
Status CanAct(const Principal& who, const Task& task, const ActionDef& action, const Case& c) {
  switch (WhyNot(who, task, action, c)) {
    case Refusal::kNone:
      return OkStatus();
    case Refusal::kActorRole:
      return Error::Forbidden("此操作需由" + Label(action.actor->role) + "办理");
    case Refusal::kObjection:
      return Require(who, Capability::kObjectToNotice, c.org_path);
    case Refusal::kNotSubmitter:
      return Error::Forbidden("只有提交人可以撤回");
    case Refusal::kNotOwnStep:
      return Error::Forbidden("只能撤回本人提交的环节");
    case Refusal::kRole:
      return Error::Forbidden("此环节需由" + Label(task.role) + "办理，您的角色是" +
                              Label(who.user.role));
    case Refusal::kRemit:
      return Error::Forbidden("该案件不在您所属单位的管辖范围内");
    case Refusal::kDepartment:
      return Error::Forbidden("该事项已派给" + Label(*task.department) + "办理");
    case Refusal::kAssignee:
      return Error::Forbidden("该事项已指定他人办理");
  }
  return Error::Forbidden("");  // unreachable
}

namespace {

// MyActions with the case's first open task (null: none).
std::vector<std::string> MyActionsOn(const Principal& who, const WorkflowDef* def, const Case& c,
                                     const Task* open) {
  std::vector<std::string> mine;
  const auto* st = def ? def->State(c.state) : nullptr;
  if (!st) return mine;
  static const Task kNoTask;
  const Task& task = open ? *open : kNoTask;
  for (const auto& [name, action] : st->actions)
    if ((open || action.actor || action.by_submitter || action.by_official) &&
        WhyNot(who, task, action, c) == Refusal::kNone)
      mine.push_back(name);
  return mine;
}

}  // namespace

std::vector<std::string> MyActions(const Principal& who, const WorkflowDef* def, const Case& c,
                                   const std::vector<Task>& open) {
  return MyActionsOn(who, def, c, open.empty() ? nullptr : &open.front());
}

namespace {

// `data` as given by the caller: no key may name an engine fact, except the department on the
// action that dispatches the case (its declared input).
Status CheckGivenData(const json& data, bool dispatching) {
  for (const char* key : kEngineFactKeys)
    if (data.contains(key) && !(dispatching && std::string(key) == "department"))
      return Error::Unprocessable("reserved_field", "字段 data." + std::string(key) +
                                                        " 由系统记录，不能在 data 中填写或修改");
  return OkStatus();
}

Status CheckCaseData(const WorkflowDef& def, const json& data) {
  for (const auto& field : def.required_data)
    if (!data.contains(field) || data[field].is_null() ||
        (data[field].is_string() && data[field].get<std::string>().empty()))
      return MissingField("data." + field);
  for (const auto& [field, allowed] : def.data_enums) {
    auto it = data.find(field);
    if (it == data.end() || it->is_null()) continue;
    if (!it->is_string()) return InvalidField("data." + field, "应为字符串");
    if (auto st = RequireOneOf("data." + field, it->get<std::string>(), allowed); !st.ok())
      return st;
  }
  for (const auto& [field, allowed] : def.data_lists) {
    auto it = data.find(field);
    if (it == data.end() || it->is_null()) continue;
    if (!it->is_array()) return InvalidField("data." + field, "应为列表");
    for (const auto& v : *it)
      if (!v.is_string() || !IsOneOf(v.get<std::string>(), allowed))
        return InvalidField("data." + field, "含有不在允许范围内的取值 " + v.dump());
  }
  return OkStatus();
}

Status CheckSubjectStatus(const WorkflowDef& def, const std::optional<MonitoringObject>& m) {
  if (def.subject_status.empty()) return OkStatus();
  const std::optional<MonitoringStatus> status = m ? std::optional(m->status) : std::nullopt;
  auto allows = [&def](std::optional<MonitoringStatus> s) {
    return std::find(def.subject_status.begin(), def.subject_status.end(), s) !=
           def.subject_status.end();
  };
  if (allows(status)) return OkStatus();
  if (status == MonitoringStatus::kRemoved && allows(std::nullopt))
    return OkStatus();  // may be identified again
  return Error::Unprocessable("household_status_not_allowed",
                              "household：该户当前状态（" +
                                  (m ? Label(m->status) : std::string("非监测对象")) +
                                  "）不能发起" + def.label);
}

// The data field the chain sets the household's monitoring type from ("" when it sets none),
// and whether entering `state` sets it: where seed 003's type rule applies.
std::string TypeField(const std::vector<EffectDef>& effects) {
  for (const auto& e : effects)
    if (e.op == EffectDef::Op::kSetMonitoring && !e.type_field.empty()) return e.type_field;
  return "";
}

std::string TypeField(const WorkflowDef& def) {
  for (const auto& name : def.state_order)
    if (auto field = TypeField(def.states.at(name).effects); !field.empty()) return field;
  return "";
}

// Seed 003's rule on the type the case's data names (when it names one) against the household's
// facts. Null when it holds; the override to record when a county officer overrode it.
Result<json> TypeRuleOnCase(EngineTx& etx, const Principal& who, const std::string& field,
                            const json& data, const Household& hh, bool override_rule,
                            const std::string& comment) {
  auto it = field.empty() ? data.end() : data.find(field);
  if (it == data.end() || !it->is_string()) return json();
  auto type = Parse<MonitoringType>(it->get<std::string>());
  if (!type) return json();
  return ApplyTypeRule(
      who, CheckTypeRule(*type, hh, etx.engine().options().thresholds.income_line),
      override_rule, comment);
}

// The reply: the command closed every open task of the case, so `opened` (the step task it just
// opened, if any) is the case's only open task; no need to read it back.
CaseView CaseReply(EngineTx& etx, const Case& c, WorkflowPtr def, const std::optional<Task>& opened,
                   const Principal& who) {
  CaseView out;
  out.c = c;
  out.def = def;
  out.my_actions = MyActionsOn(who, def.get(), c, opened ? &*opened : nullptr);
  if (opened) out.tasks.push_back({*opened, StepLabel(etx.workflows(), *opened), etx.now()});
  return out;
}

}  // namespace

void OpenCase(Engine& e, Write<CaseView> w, CaseInput in) {
  const Principal who = w.who;
  e.Submit<CaseView>(std::move(w), [who, in = std::move(in)](EngineTx& etx) -> Result<CaseView> {
    return OpenCaseIn(etx, who, in);
  });
}

Result<CaseView> OpenCaseIn(EngineTx& etx, const Principal& who, const CaseInput& in) {
  {
    auto& tx = etx.tx();
    if (auto st = RequireText("workflow", in.workflow, 64); !st.ok()) return st.error();
    auto def = etx.workflows().Latest(in.workflow);
    if (!def || def->states.empty())
      return Error::Unprocessable("unknown_workflow",
                                  "workflow：未知的业务流程 \"" + in.workflow + "\"");
    const auto& initiators = def->initiator_roles;
    if (!(who.IsAdmin() ||
          std::find(initiators.begin(), initiators.end(), who.user.role) != initiators.end()))
      return Error::Forbidden("您的角色（" + Label(who.user.role) + "）不能发起" + def->label);
    if (auto st = RequireText("household", in.household, 64); !st.ok()) return st.error();
    auto hh = tx.FindHousehold(in.household);
    if (!hh || !InSubtree(who, hh->village_path))  // elsewhere reads as unknown
      return Error::Unprocessable("unknown_household", "household：户 " + in.household + " 不存在");
    if (!in.data.is_object()) return InvalidField("data", "应为对象");
    if (auto st = CheckGivenData(in.data, false); !st.ok()) return st.error();
    if (auto st = CheckCaseData(*def, in.data); !st.ok()) return st.error();
    if (auto st = CheckSubjectStatus(*def, tx.FindMonitoring(hh->id)); !st.ok()) return st.error();
    if (auto st = LimitText("comment", in.comment, 2000); !st.ok()) return st.error();
    auto rule = TypeRuleOnCase(etx, who, TypeField(*def), in.data, *hh, in.override_rule,
                               in.comment);
    if (!rule.ok()) return rule.error();
    for (const auto& open : tx.OpenCasesOf(hh->id))
      if (open.workflow == def->name)
        return Error::Conflict("duplicate_case",
                               "该户已有进行中的" + def->label + "案件 " + open.id);
    Case c;
    c.id = tx.NextCaseId();
    c.workflow = def->name;
    c.workflow_version = def->version;
    c.household = hh->id;
    c.state = def->initial;
    c.version = 1;
    c.org_path = hh->village_path;
    c.data = in.data;
    c.last_actor = who.user.id;
    c.created_by = who.user.id;
    c.created_at = c.updated_at = etx.now();
    etx.RunEffects(c, def->on_open);
    tx.InsertCase(c);
    AuditEvent ev = EventBy(who, c.household, "create");
    ev.case_id = c.id;
    ev.to_state = c.state;
    ev.data = c.data;
    if (!c.threshold_warning.empty()) ev.data["threshold_warning"] = c.threshold_warning;
    if (!rule->is_null()) ev.data["type_override"] = *rule;
    if (!rule->is_null()) ev.comment = in.comment;
    etx.Audit(ev);
    const auto opened = etx.OpenStepTask(c, *def);
    return CaseReply(etx, c, def, opened, who);
  }
}

namespace {

// The department a dispatching action sends the case to: the one given, else the workflow's map.
Result<Department> DispatchTo(const WorkflowDef& def, const json& given, const json& merged) {
  std::string name;
  if (auto it = given.find("department"); it != given.end() && !it->is_null()) {
    if (!it->is_string()) return InvalidField("data.department", "应为字符串");
    name = it->get<std::string>();
  }
  if (name.empty() && !def.department_field.empty()) {
    auto it = merged.find(def.department_field);
    if (it != merged.end() && it->is_string())
      if (auto m = def.department_map.find(it->get<std::string>()); m != def.department_map.end())
        return m->second;
  }
  return RequireEnum<Department>("data.department", name);
}

}  // namespace

void ActOnCase(Engine& e, Write<CaseView> w, ActionInput in) {
  const Principal who = w.who;
  e.Submit<CaseView>(std::move(w), [who, in = std::move(in)](EngineTx& etx) -> Result<CaseView> {
    auto& tx = etx.tx();
    auto c = tx.FindCase(in.case_id);
    if (!c || !InSubtree(who, c->org_path))  // elsewhere reads as absent
      return Error::NotFound("case_not_found", "案件 " + in.case_id + " 不存在");
    auto def = etx.workflows().Version(c->workflow, c->workflow_version);
    if (!def) return Error::Internal("内部错误：案件 " + c->id + " 的业务流程版本未加载");
    if (auto st = RequireText("action", in.action, 64); !st.ok()) return st.error();
    if (!in.expected_version) return MissingField("expected_version");
    if (*in.expected_version < 0) return InvalidField("expected_version", "应为不小于 0 的整数");
    // A stale version means someone acted first: say so before judging the (old) step.
    if (*in.expected_version != c->version)
      return Error::Conflict("version_conflict", "案件已被他人处理，当前版本为 " +
                                                     std::to_string(c->version) + "，您提交的是 " +
                                                     std::to_string(*in.expected_version) +
                                                     "，请刷新后重试");
    const auto* state = def->State(c->state);
    auto it = state->actions.find(in.action);
    const auto open = tx.OpenTasksOfCase(c->id);
    if (it == state->actions.end()) {
      std::string allowed;
      for (const auto& [n, a] : state->actions) allowed += (allowed.empty() ? "" : ", ") + n;
      return Error::Unprocessable(
          "action_not_allowed", "action：案件处于“" + state->label + "”环节，不能执行 " +
                                    in.action + "（可执行：" + (allowed.empty() ? "无" : allowed) +
                                    "）");
    }
    const ActionDef& action = it->second;
    if (open.empty() && !action.actor && !action.by_submitter && !action.by_official)
      return Error::Unprocessable("no_open_step", "案件没有待办环节");
    if (auto st = CanAct(who, open.empty() ? Task{} : open.front(), action, *c); !st.ok())
      return st.error();
    if (auto st = LimitText("comment", in.comment, 2000); !st.ok()) return st.error();
    if (!in.data.is_object()) return InvalidField("data", "应为对象");
    if (auto st = CheckGivenData(in.data, action.assign_department); !st.ok()) return st.error();
    json given = in.data;
    given.erase("department");  // the dispatch choice is recorded as the case's department
    json merged = c->data;
    merged.update(given);
    if (auto st = CheckCaseData(*def, merged); !st.ok())
      return st.error();  // effects read these fields
    for (const auto& field : action.requires_fields) {
      if (field == "comment" && in.comment.empty()) return MissingField("comment");
      if (field.rfind("data.", 0) == 0 &&
          (!merged.contains(field.substr(5)) || merged[field.substr(5)].is_null()))
        return MissingField(field);
    }
    if (auto st = CheckRequiredEvidence(tx, c->id, action); !st.ok()) return st.error();
    if (action.assign_department) {
      auto dept = DispatchTo(*def, in.data, merged);
      if (!dept.ok()) return dept.error();
      c->department = dept.value();
    }
    // Seed 003's type rule, where the type changes or the step sets it on the household.
    json type_override;
    if (const std::string field = TypeField(*def); !field.empty()) {
      const auto* target = def->State(action.to);
      const bool sets_type = target && !TypeField(target->effects).empty();
      const bool changes_type = in.data.contains(field) && c->data.value(field, json()) != in.data[field];
      if (sets_type || changes_type) {
        auto hh = tx.FindHousehold(c->household);
        if (!hh) return Error::Internal("内部错误：案件 " + c->id + " 的户不存在");
        auto rule = TypeRuleOnCase(etx, who, field, merged, *hh, in.override_rule, in.comment);
        if (!rule.ok()) return rule.error();
        type_override = std::move(rule.value());
      }
    }
    c->data = std::move(merged);
    AuditEvent ev = EventBy(who, c->household, action.name);
    ev.comment = in.comment;
    ev.data = in.data;
    if (!type_override.is_null()) ev.data["type_override"] = type_override;
    const auto opened = etx.MoveCase(*c, *def, action.to, std::move(ev), open);
    return CaseReply(etx, *c, def, opened, who);
  });
}

Result<CaseView> GetCase(Engine& e, const Principal& who, const std::string& id) {
  if (auto st = RequireRole(who, Capability::kReadCases); !st.ok()) return st.error();
  auto view = e.store().Read();
  auto c = view->FindCase(id);
  if (!c || !InSubtree(who, c->org_path))  // elsewhere reads as absent
    return Checked<CaseView>(*view, Error::NotFound("case_not_found", "案件 " + id + " 不存在"));
  CaseView out;
  out.c = *c;
  out.def = e.workflows().Version(c->workflow, c->workflow_version);
  out.full = true;
  const auto open = view->OpenTasksOfCase(id);
  out.my_actions = MyActions(who, out.def.get(), *c, open);
  out.tasks = EnrichedTasks(*view, e.workflows(), open, e.clock().Now());
  out.household = view->FindHousehold(c->household);
  for (const auto& lead : view->LeadsOfCase(id)) out.leads.push_back(lead.id);
  out.attachments = view->AttachmentsOf(id, 0);
  if (out.household) {
    if (auto village = view->FindOrg(out.household->village)) out.village_name = village->name;
    out.monitoring = view->FindMonitoring(c->household);
  }
  return Checked<CaseView>(*view, out);
}

Result<std::vector<EventView>> CaseHistory(Engine& e, const Principal& who, const std::string& id) {
  using Events = std::vector<EventView>;
  if (auto st = RequireRole(who, Capability::kReadCases); !st.ok()) return st.error();
  auto view = e.store().Read();
  auto c = view->FindCase(id);
  if (!c || !InSubtree(who, c->org_path))  // elsewhere reads as absent
    return Checked<Events>(*view, Error::NotFound("case_not_found", "案件 " + id + " 不存在"));
  auto def = e.workflows().Version(c->workflow, c->workflow_version);
  auto state_label = [&def](const std::string& s) {
    const auto* st = def ? def->State(s) : nullptr;
    return st ? st->label : s;
  };
  std::vector<EventView> out;
  std::map<std::string, std::string> names;
  for (auto& ev : view->History(id)) {
    if (!names.count(ev.actor)) {
      auto u = view->FindUser(ev.actor);
      names[ev.actor] = u ? u->name
                          : (ev.actor == "system"  ? "系统"
                             : ev.actor == "admin" ? "系统管理员"
                                                   : ev.actor);
    }
    EventView v{std::move(ev), "", "", ""};
    v.from_label = state_label(v.event.from_state);
    v.to_label = state_label(v.event.to_state);
    v.actor_name = names[v.event.actor];
    out.push_back(std::move(v));
  }
  return Checked<Events>(*view, std::move(out));
}

}  // namespace dixian::engine
