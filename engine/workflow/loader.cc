#include "engine/workflow/loader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "engine/core/fields.h"
#include "engine/workflow/json_lines.h"

namespace dixian::engine {

using nlohmann::json;

const StateDef* WorkflowDef::State(const std::string& name) const {
  auto it = states.find(name);
  return it == states.end() ? nullptr : &it->second;
}

const TaskDef* WorkflowDef::Task(const std::string& name) const {
  auto it = tasks.find(name);
  return it == tasks.end() ? nullptr : &it->second;
}

namespace {

const std::vector<std::string> kCompletions = {events::kConfirmed, events::kContactAssigned,
                                               events::kMeasureRecorded, events::kVisitLogged,
                                               events::kLeadResolved};

// Collects the first error with file:line: path context.
class Checker {
 public:
  Checker(const std::string& file, const JsonLineIndex& lines) : file_(file), lines_(lines) {}
  bool failed() const { return error_.has_value(); }
  Error error() const { return *error_; }
  void Fail(const std::string& pointer, const std::string& what) {
    if (error_) return;
    std::string dotted = pointer.empty() ? "(top level)" : pointer.substr(1);
    std::replace(dotted.begin(), dotted.end(), '/', '.');
    error_ = Error::Unprocessable("invalid_workflow", file_ + ":" + std::to_string(lines_.LineOf(pointer)) +
                                                          ": " + dotted + ": " + what);
  }
  std::string Str(const json& obj, const std::string& key, const std::string& ptr, bool required) {
    if (!obj.contains(key)) {
      if (required) Fail(ptr + "/" + key, "is required");
      return {};
    }
    if (!obj[key].is_string()) {
      Fail(ptr + "/" + key, "must be a string");
      return {};
    }
    return obj[key].get<std::string>();
  }
  std::vector<std::string> StrList(const json& obj, const std::string& key, const std::string& ptr) {
    std::vector<std::string> out;
    if (!obj.contains(key)) return out;
    if (!obj[key].is_array()) {
      Fail(ptr + "/" + key, "must be a list of strings");
      return out;
    }
    for (size_t i = 0; i < obj[key].size(); ++i) {
      if (!obj[key][i].is_string()) Fail(ptr + "/" + key + "/" + std::to_string(i), "must be a string");
      else out.push_back(obj[key][i].get<std::string>());
    }
    return out;
  }

 private:
  std::string file_;
  const JsonLineIndex& lines_;
  std::optional<Error> error_;
};

std::optional<Actor> ParseActor(Checker& c, const json& j, const std::string& ptr) {
  if (!j.is_object()) {
    c.Fail(ptr, "must be an object like {\"level\":\"township\",\"role\":\"township_reviewer\"}");
    return std::nullopt;
  }
  Actor a;
  const std::string level = c.Str(j, "level", ptr, true);
  const std::string role = c.Str(j, "role", ptr, true);
  if (auto l = Parse<OrgLevel>(level)) a.level = *l;
  else if (!level.empty()) c.Fail(ptr + "/level", "unknown level \"" + level + "\"");
  if (auto r = Parse<Role>(role)) a.role = *r;
  else if (!role.empty()) c.Fail(ptr + "/role", "unknown role \"" + role + "\"");
  a.department_from_case = j.value("department_from_case", false);
  const std::string assignee = c.Str(j, "assignee", ptr, false);
  if (!assignee.empty() && assignee != "contact_person")
    c.Fail(ptr + "/assignee", "must be \"contact_person\" (the household's contact person)");
  a.assignee_contact = assignee == "contact_person";
  if (a.department_from_case && a.role != Role::kDepartmentOfficer)
    c.Fail(ptr + "/department_from_case", "only department_officer steps take the case's department");
  return a;
}

std::optional<DurationSpec> ParseDurationAt(Checker& c, const json& j, const std::string& ptr, bool neg,
                                            bool pct) {
  if (!j.is_string()) {
    c.Fail(ptr, "must be a duration string such as \"10d\", \"2wd\" or \"48h\"");
    return std::nullopt;
  }
  auto d = ParseDuration(j.get<std::string>(), neg, pct);
  if (!d.ok()) {
    c.Fail(ptr, d.error().message);
    return std::nullopt;
  }
  return d.value();
}

Timing ParseTiming(Checker& c, const json& j, const std::string& ptr) {
  Timing t;
  if (j.contains("deadline")) t.deadline = ParseDurationAt(c, j["deadline"], ptr + "/deadline", false, false);
  t.recurrence = c.Str(j, "recurrence", ptr, false);
  if (!t.recurrence.empty() && t.recurrence != "monthly" && t.recurrence != "quarterly")
    c.Fail(ptr + "/recurrence", "must be \"monthly\" or \"quarterly\"");
  if (j.contains("reminders")) {
    if (!j["reminders"].is_array()) c.Fail(ptr + "/reminders", "must be a list such as [\"-50%\", \"-1d\", \"0\"]");
    else
      for (size_t i = 0; i < j["reminders"].size(); ++i)
        if (auto d = ParseDurationAt(c, j["reminders"][i], ptr + "/reminders/" + std::to_string(i), true, true))
          t.reminders.push_back(*d);
  }
  if (j.contains("escalation")) {
    if (!j["escalation"].is_array()) c.Fail(ptr + "/escalation", "must be a list of {\"after\",\"up\"}");
    else
      for (size_t i = 0; i < j["escalation"].size(); ++i) {
        const auto rp = ptr + "/escalation/" + std::to_string(i);
        const auto& r = j["escalation"][i];
        if (!r.is_object() || !r.contains("after")) {
          c.Fail(rp, "must be an object with \"after\" (e.g. \"1wd\") and \"up\" (levels above)");
          continue;
        }
        EscalationRung rung;
        if (auto d = ParseDurationAt(c, r["after"], rp + "/after", false, false)) rung.after = *d;
        rung.up = r.value("up", 0);
        if (rung.up < 0 || rung.up > 4) c.Fail(rp + "/up", "must be 0..4 levels");
        t.escalation.push_back(rung);
      }
  }
  if ((!t.reminders.empty() || !t.escalation.empty()) && !t.deadline && t.recurrence.empty())
    c.Fail(ptr, "reminders and escalation need a deadline");
  return t;
}

// "requires_evidence": ["meeting_minutes", ...]: attachment kinds from the documented list.
std::vector<EvidenceKind> ParseEvidenceKinds(Checker& c, const json& action, const std::string& ptr) {
  std::vector<EvidenceKind> kinds;
  const auto names = c.StrList(action, "requires_evidence", ptr);
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (auto kind = Parse<EvidenceKind>(names[i])) {
      kinds.push_back(*kind);
      continue;
    }
    std::string known;
    for (const auto& e : EnumEntries(std::type_identity<EvidenceKind>{}))
      known += (known.empty() ? "" : ", ") + e.name;
    c.Fail(ptr + "/requires_evidence/" + std::to_string(i),
           "unknown evidence kind \"" + names[i] + "\" (use one of " + known + ")");
  }
  return kinds;
}

void CheckRequires(Checker& c, const std::vector<std::string>& fields, const std::string& ptr) {
  for (size_t i = 0; i < fields.size(); ++i)
    if (fields[i] != "comment" && fields[i].rfind("data.", 0) != 0)
      c.Fail(ptr + "/" + std::to_string(i), "unknown required field \"" + fields[i] + "\" (use \"comment\" or \"data.<name>\")");
}

// "data.<field>" -> "<field>"; fails unless the value names a data field.
std::string DataField(Checker& c, const json& obj, const std::string& key, const std::string& ptr) {
  const std::string v = c.Str(obj, key, ptr, false);
  if (v.empty()) return {};
  if (v.rfind("data.", 0) != 0 || v.size() == 5) {
    c.Fail(ptr + "/" + key, "must name a data field, like \"data." + key + "\"");
    return {};
  }
  return v.substr(5);
}

const char kEffectShape[] =
    "must be an object like {\"do\": \"open_task\", \"task\": \"measures\"}; \"do\" is one of "
    "set_monitoring, open_task, cancel_tasks, warn_entry_thresholds, announce, record_movement";

std::vector<EffectDef> ParseEffects(Checker& c, const json& obj, const std::string& key, const std::string& ptr) {
  std::vector<EffectDef> out;
  if (!obj.contains(key)) return out;
  if (!obj[key].is_array()) {
    c.Fail(ptr + "/" + key, "must be a list of effects");
    return out;
  }
  for (size_t i = 0; i < obj[key].size(); ++i) {
    const std::string ep = ptr + "/" + key + "/" + std::to_string(i);
    const json& e = obj[key][i];
    if (!e.is_object() || !e.contains("do")) {
      c.Fail(ep, kEffectShape);
      continue;
    }
    EffectDef d;
    const std::string op = c.Str(e, "do", ep, true);
    if (op == "set_monitoring") {
      d.op = EffectDef::Op::kSetMonitoring;
      d.admit = e.value("admit", false);
      const std::string status = c.Str(e, "status", ep, false);
      if (!status.empty()) {
        d.status = Parse<MonitoringStatus>(status);
        if (!d.status) c.Fail(ep + "/status", "unknown status \"" + status + "\" (" + NameList<MonitoringStatus>() + ")");
      }
      d.type_field = DataField(c, e, "type", ep);
      d.primary_cause_field = DataField(c, e, "primary_cause", ep);
      d.causes_field = DataField(c, e, "causes", ep);
      if (d.admit && d.type_field.empty()) c.Fail(ep + "/type", "admitting needs the data field of the type");
      if (d.admit && !d.status) c.Fail(ep + "/status", "admitting needs a status");
    } else if (op == "open_task") {
      d.op = EffectDef::Op::kOpenTask;
      d.task = c.Str(e, "task", ep, true);
    } else if (op == "cancel_tasks") {
      d.op = EffectDef::Op::kCancelTasks;
      d.tasks = c.StrList(e, "tasks", ep);
    } else if (op == "warn_entry_thresholds") {
      d.op = EffectDef::Op::kWarnEntryThresholds;
      d.income_field = DataField(c, e, "income", ep);
      d.rigid_spending_field = DataField(c, e, "rigid_spending", ep);
      d.last_year_income_field = DataField(c, e, "last_year_income", ep);
      d.income_drop_field = DataField(c, e, "income_drop", ep);
      if (d.income_field.empty()) c.Fail(ep + "/income", "is required (the data field of the per-capita income)");
    } else if (op == "announce") {
      d.op = EffectDef::Op::kAnnounce;
      const std::string level = c.Str(e, "level", ep, true);
      if (auto l = Parse<OrgLevel>(level)) d.level = *l;
      else if (!level.empty()) c.Fail(ep + "/level", "unknown level \"" + level + "\" (" + NameList<OrgLevel>() + ")");
      d.note = c.Str(e, "note", ep, false);
    } else if (op == "record_movement") {
      d.op = EffectDef::Op::kRecordMovement;
      const std::string kind = c.Str(e, "movement", ep, true);
      if (auto k = Parse<MovementKind>(kind)) d.movement = *k;
      else if (!kind.empty()) c.Fail(ep + "/movement", "unknown movement \"" + kind + "\" (" + NameList<MovementKind>() + ")");
      d.detail_field = DataField(c, e, "detail", ep);
    } else if (!op.empty()) {
      c.Fail(ep + "/do", "unknown effect \"" + op + "\"; " + kEffectShape);
    }
    out.push_back(d);
  }
  return out;
}

// A notice state (公示): `notice_days` (its period) and `notice_passed` ({"label", "to"}: where the
// engine moves the case when the period ends). Either without the other is refused.
void ParseNotice(Checker& c, const json& s, const std::string& ptr, StateDef& st) {
  if (!s.contains("notice_days") && !s.contains("notice_passed")) return;
  const json& days = s.contains("notice_days") ? s["notice_days"] : json();
  if (!days.is_number_integer() || days.get<std::int64_t>() < 1 || days.get<std::int64_t>() > 90) {
    c.Fail(ptr + "/notice_days", "a notice state needs its period: whole days, 1 to 90");
  } else {
    const int n = days.get<int>();
    st.timing.deadline = DurationSpec{DurationSpec::Unit::kDays, n, std::to_string(n) + "d"};
  }
  st.timing.ends_itself = true;
  for (const char* key : {"deadline", "reminders", "escalation"})
    if (s.contains(key))
      c.Fail(ptr + "/" + key, "a notice state ends by itself after notice_days: no deadline, reminders or escalation");
  if (st.final) c.Fail(ptr + "/final", "a notice state moves on when its period ends; it cannot be final");
  const json& passed = s.contains("notice_passed") ? s["notice_passed"] : json();
  if (!passed.is_object()) {
    c.Fail(ptr + "/notice_passed",
           "a notice state needs its onward transition, like {\"label\": \"公示期满无异议\", \"to\": \"county_review\"}");
    return;
  }
  ActionDef act;
  act.name = kNoticePassedAction;
  act.label = c.Str(passed, "label", ptr + "/notice_passed", true);
  act.to = c.Str(passed, "to", ptr + "/notice_passed", true);
  st.notice_passed = act;
}

void ParseStates(Checker& c, const json& doc, WorkflowDef& def) {
  if (!doc["states"].is_object() || doc["states"].empty()) return c.Fail("/states", "must be a non-empty object");
  for (const auto& [name, s] : doc["states"].items()) {
    const std::string ptr = "/states/" + name;
    StateDef st;
    st.name = name;
    st.label = c.Str(s, "label", ptr, true);
    st.final = s.value("final", false);
    if (s.contains("actor")) st.actor = ParseActor(c, s["actor"], ptr + "/actor");
    if (!s.contains("notice_days") && !s.contains("notice_passed")) st.timing = ParseTiming(c, s, ptr);
    st.effects = ParseEffects(c, s, "effects", ptr);
    if (s.contains("actions")) {
      for (const auto& [aname, a] : s["actions"].items()) {
        const std::string ap = ptr + "/actions/" + aname;
        ActionDef act;
        act.name = aname;
        act.label = c.Str(a, "label", ap, true);
        act.to = c.Str(a, "to", ap, true);
        act.requires_fields = c.StrList(a, "requires", ap);
        CheckRequires(c, act.requires_fields, ap + "/requires");
        act.requires_evidence = ParseEvidenceKinds(c, a, ap);
        if (a.contains("actor")) act.actor = ParseActor(c, a["actor"], ap + "/actor");
        const std::string by = c.Str(a, "by", ap, false);
        if (!by.empty() && by != "submitter" && by != "official")
          c.Fail(ap + "/by", "must be \"submitter\" (withdraw) or \"official\" (any official of the case's subtree)");
        act.by_submitter = by == "submitter";
        act.by_official = by == "official";
        if (aname == kNoticePassedAction) c.Fail(ap, "\"notice_passed\" is what the engine does when a notice ends; declare it as the state's \"notice_passed\"");
        act.assign_department = a.value("assign_department", false);
        st.actions[aname] = act;
      }
    }
    ParseNotice(c, s, ptr, st);
    if (!st.final && !st.actor) c.Fail(ptr + "/actor", "a state that is not final needs an actor");
    def.states[name] = st;
    def.state_order.push_back(name);
  }
}

void ParseTasks(Checker& c, const json& doc, WorkflowDef& def) {
  for (const auto& [name, t] : doc["tasks"].items()) {
    const std::string ptr = "/tasks/" + name;
    TaskDef td;
    td.name = name;
    td.label = c.Str(t, "label", ptr, true);
    if (auto a = t.contains("actor") ? ParseActor(c, t["actor"], ptr + "/actor") : std::nullopt) td.actor = *a;
    else c.Fail(ptr + "/actor", "is required");
    td.timing = ParseTiming(c, t, ptr);
    if (!td.timing.deadline && td.timing.recurrence.empty()) c.Fail(ptr + "/deadline", "is required for a task");
    td.completed_by = c.Str(t, "completed_by", ptr, true);
    if (!td.completed_by.empty() && !IsOneOf(td.completed_by, kCompletions))
      c.Fail(ptr + "/completed_by", "unknown event \"" + td.completed_by +
                                        "\" (confirmed, contact_assigned, measure_recorded, visit_logged, lead_resolved)");
    def.tasks[name] = td;
  }
}

void CheckGraph(Checker& c, WorkflowDef& def) {
  if (def.states.empty()) return;
  if (!def.State(def.initial)) return c.Fail("/initial", "unknown state \"" + def.initial + "\"");
  for (const auto& [name, st] : def.states) {
    for (const auto& [aname, act] : st.actions)
      if (!def.State(act.to))
        c.Fail("/states/" + name + "/actions/" + aname + "/to", "unknown state \"" + act.to + "\"");
    if (st.notice_passed && !st.notice_passed->to.empty() && !def.State(st.notice_passed->to))
      c.Fail("/states/" + name + "/notice_passed/to", "unknown state \"" + st.notice_passed->to + "\"");
    if (!st.final && st.actions.empty() && !st.notice_passed)
      c.Fail("/states/" + name, "has no way out and is not final (add actions or \"final\": true)");
    if (st.final && !st.actions.empty()) c.Fail("/states/" + name + "/actions", "a final state takes no actions");
  }
  std::set<std::string> seen{def.initial};
  std::vector<std::string> stack{def.initial};
  while (!stack.empty()) {
    const auto* st = def.State(stack.back());
    stack.pop_back();
    if (!st) continue;
    for (const auto& [_, act] : st->actions)
      if (seen.insert(act.to).second) stack.push_back(act.to);
    if (st->notice_passed && seen.insert(st->notice_passed->to).second) stack.push_back(st->notice_passed->to);
  }
  for (const auto& name : def.state_order)
    if (!seen.count(name)) c.Fail("/states/" + name, "is unreachable from the initial state \"" + def.initial + "\"");
}

// Allowed values of a data field the effects read as an enum E: declared in data_enums (or
// data_lists for a list field), every value a name of E.
template <class E>
void CheckDataField(Checker& c, const WorkflowDef& def, const std::string& field, bool list, const std::string& ptr) {
  if (field.empty()) return;
  const auto& declared = list ? def.data_lists : def.data_enums;
  auto it = declared.find(field);
  if (it == declared.end()) {
    c.Fail(ptr, "data field \"" + field + "\" must be declared in " + (list ? "data_lists" : "data_enums") +
                    " with values among " + NameList<E>());
    return;
  }
  for (const auto& v : it->second)
    if (!Parse<E>(v)) c.Fail(ptr, "data field \"" + field + "\" allows \"" + v + "\", which is not one of " + NameList<E>());
}

void CheckEffects(Checker& c, const WorkflowDef& def, const std::vector<EffectDef>& effects, const std::string& ptr,
                  const std::set<std::string>& known_tasks) {
  for (size_t i = 0; i < effects.size(); ++i) {
    const auto& e = effects[i];
    const std::string ep = ptr + "/" + std::to_string(i);
    if (e.op == EffectDef::Op::kSetMonitoring) {
      CheckDataField<MonitoringType>(c, def, e.type_field, false, ep + "/type");
      CheckDataField<Cause>(c, def, e.primary_cause_field, false, ep + "/primary_cause");
      CheckDataField<Cause>(c, def, e.causes_field, true, ep + "/causes");
    }
    if (e.op == EffectDef::Op::kOpenTask && !e.task.empty() && !known_tasks.count(e.task))
      c.Fail(ep + "/task", "unknown follow-up task \"" + e.task + "\" (define it in a tasks file)");
    if (e.op == EffectDef::Op::kCancelTasks)
      for (size_t k = 0; k < e.tasks.size(); ++k)
        if (!known_tasks.count(e.tasks[k]))
          c.Fail(ep + "/tasks/" + std::to_string(k), "unknown follow-up task \"" + e.tasks[k] + "\"");
  }
}

void CheckAllEffects(Checker& c, const WorkflowDef& def, const std::set<std::string>& known_tasks) {
  CheckEffects(c, def, def.on_open, "/on_open", known_tasks);
  CheckEffects(c, def, def.on_lead, "/on_lead", known_tasks);
  for (const auto& [name, st] : def.states) CheckEffects(c, def, st.effects, "/states/" + name + "/effects", known_tasks);
}

void ParseDataDeclarations(Checker& c, const json& doc, WorkflowDef& def) {
  for (const char* key : {"data_enums", "data_lists"}) {
    if (!doc.contains(key)) continue;
    if (!doc[key].is_object()) {
      c.Fail(std::string("/") + key, "must be an object: data field -> list of allowed values");
      continue;
    }
    auto& into = std::string(key) == "data_enums" ? def.data_enums : def.data_lists;
    for (const auto& [k, v] : doc[key].items()) into[k] = c.StrList(doc[key], k, std::string("/") + key);
  }
  if (doc.contains("department_map")) {
    const json& m = doc["department_map"];
    if (!m.is_object() || !m.contains("field") || !m.contains("map") || !m["map"].is_object()) {
      c.Fail("/department_map", "must be {\"field\": \"data.item\", \"map\": {value: department}}");
    } else {
      def.department_field = DataField(c, m, "field", "/department_map");
      if (!def.department_field.empty() && !def.data_enums.count(def.department_field))
        c.Fail("/department_map/field", "data field \"" + def.department_field + "\" must be declared in data_enums");
      for (const auto& [k, v] : m["map"].items()) {
        const std::string name = c.Str(m["map"], k, "/department_map/map", true);
        if (auto d = Parse<Department>(name)) def.department_map[k] = *d;
        else if (!name.empty())
          c.Fail("/department_map/map/" + k, "unknown department \"" + name + "\" (" + NameList<Department>() + ")");
      }
    }
  }
  if (doc.contains("labels")) {
    if (!doc["labels"].is_object()) return c.Fail("/labels", "must be an object: data field -> {value: label}");
    for (const auto& [field, values] : doc["labels"].items()) {
      const std::string fp = "/labels/" + field;
      auto allowed = def.data_enums.find(field);
      if (allowed == def.data_enums.end()) {
        c.Fail(fp, "labels a data field that is not in data_enums");
        continue;
      }
      if (!values.is_object()) {
        c.Fail(fp, "must be an object: value -> Chinese label");
        continue;
      }
      for (const auto& [value, label] : values.items()) {
        if (!IsOneOf(value, allowed->second)) c.Fail(fp + "/" + value, "is not an allowed value of data." + field);
        def.labels[field][value] = c.Str(values, value, fp, true);
      }
    }
  }
}

}  // namespace

Result<DurationSpec> ParseDuration(const std::string& text, bool allow_negative, bool allow_percent) {
  DurationSpec d;
  d.text = text;
  if (text == "0") return d;
  std::string s = text;
  int sign = 1;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    sign = s[0] == '-' ? -1 : 1;
    s = s.substr(1);
  }
  size_t digits = 0;
  while (digits < s.size() && std::isdigit(static_cast<unsigned char>(s[digits]))) ++digits;
  const std::string unit = s.substr(digits);
  if (digits == 0 || digits > 4) return Error::Unprocessable("invalid_duration", "bad duration \"" + text + "\" (expected e.g. 10d, 2wd, 48h)");
  d.amount = sign * std::stoi(s.substr(0, digits));
  if (unit == "d") d.unit = DurationSpec::Unit::kDays;
  else if (unit == "wd") d.unit = DurationSpec::Unit::kWorkingDays;
  else if (unit == "h") d.unit = DurationSpec::Unit::kHours;
  else if (unit == "%" && allow_percent) d.unit = DurationSpec::Unit::kPercent;
  else return Error::Unprocessable("invalid_duration", "bad duration \"" + text + "\": unit must be d, wd, h" +
                                                           std::string(allow_percent ? " or %" : ""));
  if (d.amount < 0 && !allow_negative)
    return Error::Unprocessable("invalid_duration", "bad duration \"" + text + "\": must not be negative");
  if (d.unit == DurationSpec::Unit::kPercent && (d.amount >= 0 || d.amount < -100))
    return Error::Unprocessable("invalid_duration", "bad duration \"" + text + "\": percent reminders are -1%..-100%");
  return d;
}

Result<WorkflowPtr> LoadWorkflowText(const std::string& text, const std::string& file) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number like 1e999
    return Error::Unprocessable("invalid_workflow", file + ": not valid JSON: " + e.what());
  }
  JsonLineIndex lines(text);
  Checker c(file, lines);
  auto def = std::make_shared<WorkflowDef>();
  def->file = file;
  if (!doc.is_object()) c.Fail("", "must be a JSON object");
  else {
    def->name = c.Str(doc, "name", "", true);
    def->label = c.Str(doc, "label", "", true);
    if (!doc.contains("version") || !doc["version"].is_number_integer() || doc["version"].get<int>() < 1)
      c.Fail("/version", "must be a positive integer");
    else def->version = doc["version"].get<int>();
    if (doc.contains("tasks")) ParseTasks(c, doc, *def);
    def->on_lead = ParseEffects(c, doc, "on_lead", "");
    for (size_t i = 0; i < def->on_lead.size(); ++i)
      if (def->on_lead[i].op != EffectDef::Op::kOpenTask)
        c.Fail("/on_lead/" + std::to_string(i) + "/do", "only open_task may run when a lead is recorded");
    if (doc.contains("states")) {
      def->initial = c.Str(doc, "initial", "", true);
      const auto initiators = c.StrList(doc, "initiators", "");
      for (size_t i = 0; i < initiators.size(); ++i) {
        if (auto r = Parse<Role>(initiators[i])) def->initiator_roles.push_back(*r);
        else c.Fail("/initiators/" + std::to_string(i), "unknown role \"" + initiators[i] + "\"");
      }
      def->required_data = c.StrList(doc, "required_data", "");
      const auto statuses = c.StrList(doc, "subject_status", "");
      for (size_t i = 0; i < statuses.size(); ++i) {
        if (statuses[i] == "none") def->subject_status.push_back(std::nullopt);
        else if (auto st = Parse<MonitoringStatus>(statuses[i])) def->subject_status.push_back(*st);
        else c.Fail("/subject_status/" + std::to_string(i), "unknown status \"" + statuses[i] + "\" (none, " +
                                                             NameList<MonitoringStatus>() + ")");
      }
      ParseDataDeclarations(c, doc, *def);
      def->on_open = ParseEffects(c, doc, "on_open", "");
      ParseStates(c, doc, *def);
      std::stable_sort(def->state_order.begin(), def->state_order.end(), [&lines](const auto& a, const auto& b) {
        return lines.LineOf("/states/" + a) < lines.LineOf("/states/" + b);  // as written, for graphs
      });
      CheckGraph(c, *def);
    }
    if (!doc.contains("states") && !doc.contains("tasks")) c.Fail("", "needs \"states\" (a chain) or \"tasks\" (follow-up tasks)");
  }
  if (c.failed()) return c.error();
  return WorkflowPtr(def);
}

Result<WorkflowPtr> LoadWorkflowFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::NotFound("workflow_file_missing", path + ": cannot be read");
  std::stringstream ss;
  ss << in.rdbuf();
  return LoadWorkflowText(ss.str(), path);
}

Result<WorkflowRegistry> WorkflowRegistry::LoadDirectory(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.path().extension() == ".json") files.push_back(entry.path().string());
  if (ec) return Error::NotFound("workflow_dir_missing", dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  WorkflowRegistry reg;
  std::vector<std::pair<WorkflowPtr, std::string>> defs;  // with their text, for line numbers
  std::set<std::string> task_names;
  std::map<std::string, std::string> task_files;  // a task kind is defined by one file only
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) return Error::NotFound("workflow_file_missing", f + ": cannot be read");
    std::stringstream ss;
    ss << in.rdbuf();
    auto def = LoadWorkflowText(ss.str(), f);
    if (!def.ok()) return def.error();
    for (const auto& [name, _] : def.value()->tasks) {
      auto [it, fresh] = task_files.emplace(name, def.value()->name);
      if (!fresh && it->second != def.value()->name)
        return Error::Unprocessable("invalid_workflow", f + ": tasks." + name + ": already defined by \"" +
                                                            it->second + "\"");
      task_names.insert(name);
    }
    defs.emplace_back(def.value(), ss.str());
  }
  for (const auto& [def, text] : defs) {
    JsonLineIndex lines(text);
    Checker c(def->file, lines);
    CheckAllEffects(c, *def, task_names);
    if (c.failed()) return c.error();
    if (auto st = reg.Add(def); !st.ok()) return st.error();
  }
  return reg;
}

Status WorkflowRegistry::Add(WorkflowPtr def) {
  auto& versions = by_name_[def->name];
  if (versions.count(def->version))
    return Error::Conflict("duplicate_workflow", def->file + ": workflow \"" + def->name + "\" version " +
                                                     std::to_string(def->version) + " is defined twice");
  versions[def->version] = std::move(def);
  return OkStatus();
}

WorkflowPtr WorkflowRegistry::Latest(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() || it->second.empty() ? nullptr : it->second.rbegin()->second;
}

WorkflowPtr WorkflowRegistry::Version(const std::string& name, int version) const {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return nullptr;
  auto v = it->second.find(version);
  return v == it->second.end() ? nullptr : v->second;
}

std::vector<std::string> WorkflowRegistry::Names() const {
  std::vector<std::string> out;
  for (const auto& [name, _] : by_name_) out.push_back(name);
  return out;
}

// A state's ways out for graphs: its actions, then the notice's end (drawn dashed: by the engine).
static std::vector<ActionDef> Edges(const StateDef& st) {
  std::vector<ActionDef> out;
  for (const auto& [_, act] : st.actions) out.push_back(act);
  if (st.notice_passed) out.push_back(*st.notice_passed);
  return out;
}

Result<std::string> RenderGraph(const WorkflowDef& def, const std::string& format) {
  std::ostringstream out;
  if (format == "mermaid") {
    out << "flowchart TD\n";
    for (const auto& name : def.state_order) {
      const auto& st = def.states.at(name);
      out << "  " << name << (st.final ? "([\"" : "[\"") << st.label << (st.final ? "\"])\n" : "\"]\n");
    }
    for (const auto& name : def.state_order)
      for (const auto& act : Edges(def.states.at(name)))
        out << "  " << name << (act.name == kNoticePassedAction ? " -.->|" : " -->|") << act.label << "| " << act.to
            << "\n";
  } else if (format == "dot") {
    out << "digraph " << def.name << " {\n  rankdir=TB;\n";
    for (const auto& name : def.state_order) {
      const auto& st = def.states.at(name);
      out << "  " << name << " [label=\"" << st.label << "\"" << (st.final ? ", shape=doublecircle" : ", shape=box")
          << "];\n";
    }
    for (const auto& name : def.state_order)
      for (const auto& act : Edges(def.states.at(name)))
        out << "  " << name << " -> " << act.to << " [label=\"" << act.label << "\""
            << (act.name == kNoticePassedAction ? ", style=dashed" : "") << "];\n";
    out << "}\n";
  } else {
    return InvalidField("format", "应为 mermaid 或 dot");
  }
  return out.str();
}

}  // namespace dixian::engine
