#include "adapters/http/json_views.h"

#include "engine/core/id_number.h"

namespace dixian::http {

using namespace engine;
using nlohmann::json;

namespace {

json NullIfEmpty(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

template <class E>
std::string NameOr(const std::optional<E>& v) {
  return v ? Name(*v) : std::string();
}

// The label of a value stored by name (report rows), or the name itself if unknown.
template <class E>
std::string LabelOfName(const std::string& name) {
  auto v = Parse<E>(name);
  return v ? Label(*v) : name;
}

json CountRows(const std::vector<CountRow>& rows, const char* key,
               std::string (*label)(const std::string&)) {
  json out = json::array();
  for (const auto& r : rows)
    out.push_back({{key, r.key},
                   {"label", label(r.key)},
                   {"households", r.households},
                   {"persons", r.persons}});
  return out;
}

json MonitoringSummaryJson(const MonitoringObject& m);

json MonitoringJson(const MonitoringView& v) {
  const auto& m = v.object;
  json ms = json::array();
  for (const auto& x : v.measures)
    ms.push_back({{"id", std::to_string(x.id)},
                  {"kind", x.kind},
                  {"label", MeasureLabel(x.kind)},
                  {"cause", NameOr(x.cause)},
                  {"description", x.description},
                  {"department", NameOr(x.department)},
                  {"by", x.created_by},
                  {"at", FormatRfc3339(x.created_at)}});
  json vs = json::array();
  for (std::size_t i = 0; i < v.visits.size(); ++i) {
    const auto& x = v.visits[i];
    json files = json::array();
    if (i < v.visit_attachments.size())
      for (const auto& a : v.visit_attachments[i]) files.push_back(ToJson(a));
    vs.push_back({{"id", std::to_string(x.id)},
                  {"mode", Name(x.mode)},
                  {"note", x.note},
                  {"by", x.user},
                  {"at", FormatRfc3339(x.at)},
                  {"attachments", std::move(files)}});
  }
  json out = MonitoringSummaryJson(m);
  out["measures"] = ms;
  out["visits"] = vs;
  if (!m.contact.empty() && !v.contact_name.empty()) out["contact_name"] = v.contact_name;
  return out;
}

// The monitoring object without its measures and visits (a case's household_info).
json MonitoringSummaryJson(const MonitoringObject& m) {
  json causes = json::array();
  for (const auto c : m.causes) causes.push_back(Name(c));
  return {{"type", Name(m.type)},
          {"type_label", Label(m.type)},
          {"status", Name(m.status)},
          {"status_label", Label(m.status)},
          {"primary_cause", NameOr(m.primary_cause)},
          {"primary_cause_label", m.primary_cause ? Label(*m.primary_cause) : std::string()},
          {"causes", causes},
          {"admitted_at", m.admitted_at ? json(FormatRfc3339(m.admitted_at)) : json(nullptr)},
          {"contact", NullIfEmpty(m.contact)}};
}

}  // namespace

json ToJson(const Org& org) {
  return {{"code", org.code},
          {"name", org.name},
          {"level", Name(org.level)},
          {"parent", NullIfEmpty(org.parent)}};
}

json ToJson(const Household& h) {
  return {{"id", h.id},
          {"village", h.village},
          {"head_name", h.head_name},
          {"members", h.members},
          {"persons", h.members},
          {"income_per_capita", h.income_per_capita},
          {"rigid_spending", h.rigid_spending},
          {"registered_poor", h.registered_poor},
          {"away_long_term", h.away_long_term},
          {"version", h.version}};
}

json ToJson(const Member& m) {
  return {{"name", m.name},
          {"relation", Name(m.relation)},
          {"relation_label", Label(m.relation)},
          {"id_number", engine::MaskIdNumber(m.id_number)},
          {"sex", Name(m.sex)},
          {"birth_year", m.birth_year},
          {"labour", Name(m.labour)},
          {"labour_label", Label(m.labour)},
          {"health", m.health},
          {"schooling", m.schooling}};
}

json ToJson(const HouseholdChange& c) {
  return {{"at", FormatRfc3339(c.at)}, {"actor", c.actor}, {"actor_name", c.actor_name},
          {"field", c.field},          {"from", c.from},   {"to", c.to}};
}

namespace {
json ExpiryJson(const std::optional<Instant>& at) { return at ? json(FormatRfc3339(*at)) : json(nullptr); }
}  // namespace

json ToJson(const NewUser& u) {
  json out = {{"id", u.user.id}, {"token", u.token}, {"role", Name(u.user.role)}, {"org", u.user.org},
              {"token_expires_at", ExpiryJson(u.user.token_expires_at)}};
  if (!u.im.empty()) out["im"] = u.im;
  return out;
}

json ToJson(const UserMoved& m) {
  return {{"id", m.user}, {"from", m.from}, {"org", m.to}, {"released_households", m.released}};
}

json ToJson(const TokenChange& t) {
  json out = {{"id", t.user_id}, {"revoked", t.revoked}};
  if (!t.revoked) {
    out["token"] = t.token;
    out["token_expires_at"] = ExpiryJson(t.token_expires_at);
  }
  return out;
}

json ToJson(const Channel& c) { return {{"id", c.id}, {"org", c.org}, {"kind", c.kind}}; }

json ToJson(const ImportCount& n) { return {{"imported", n.imported}}; }

json ToJson(const MeView& me) {
  const auto& u = me.user;
  json out = {{"id", u.id},           {"name", u.name},
              {"role", Name(u.role)}, {"role_label", Label(u.role)},
              {"org", u.org},         {"department", NameOr(u.department)},
              {"token_expires_at", ExpiryJson(u.token_expires_at)}};
  out["im"] = me.im;
  if (!u.org.empty()) {
    out["org_name"] = me.org ? me.org->name : "";
    out["org_level"] = me.org ? Name(me.org->level) : "";
  } else {
    out["org_name"] = "全部";
  }
  return out;
}

json ToJson(const ContactAssigned& c) {
  return {{"household", c.household}, {"contact", c.contact}, {"contact_name", c.contact_name}};
}

json ToJson(const Measure& m) {
  return {{"id", std::to_string(m.id)},
          {"household", m.household},
          {"kind", m.kind},
          {"label", MeasureLabel(m.kind)},
          {"cause", NameOr(m.cause)},
          {"description", m.description},
          {"department", NameOr(m.department)},
          {"at", FormatRfc3339(m.created_at)}};
}

json ToJson(const Visit& v) {
  return {{"id", std::to_string(v.id)},
          {"household", v.household},
          {"mode", Name(v.mode)},
          {"at", FormatRfc3339(v.at)}};
}

json ToJson(const HouseholdView& h) {
  json out = ToJson(h.household);
  // `members` is the list of persons when there is one, else the count (contract v1).
  out["persons"] = engine::PersonCount(h.household, h.members);
  if (!h.members.empty()) out["members"] = ToJson(h.members);
  if (!h.village_name.empty()) out["village_name"] = h.village_name;
  out["monitoring"] = h.monitoring ? MonitoringJson(*h.monitoring) : json(nullptr);
  json cases = json::array();
  for (const auto& c : h.open_cases)
    cases.push_back({{"id", c.id}, {"workflow", c.workflow}, {"state", c.state}});
  out["open_cases"] = cases;
  return out;
}

static json ActionJson(const std::string& name, const ActionDef& act) {
  json a = {{"action", name}, {"label", act.label}, {"requires", act.requires_fields}};
  if (!act.requires_evidence.empty()) {  // attachment kinds the case must hold first
    json kinds = json::array();
    for (const auto kind : act.requires_evidence)
      kinds.push_back({{"kind", Name(kind)}, {"label", Label(kind)}});
    a["requires_evidence"] = kinds;
  }
  // Fields the action takes when given (the department an alert is dispatched to).
  if (act.assign_department) a["optional"] = {"data.department"};
  return a;
}

json ToJson(const PersonView& p) {
  return {{"id", p.user.id},           {"name", p.user.name},
          {"role", Name(p.user.role)}, {"role_label", Label(p.user.role)},
          {"org", p.user.org},         {"org_name", p.org_name}};
}

json ToJson(const TaskView& v) {
  const Task& t = v.task;
  const Instant diff = t.due_at - v.now;
  const std::int64_t days_left = diff >= 0 ? (diff + kDaySeconds - 1) / kDaySeconds
                                           : -((-diff + kDaySeconds - 1) / kDaySeconds);
  // Built by assignment: a braced initializer list copies every value twice (json_ref), and
  // task JSON is built for every reply and inbox row.
  json j = json::object();
  j["id"] = std::to_string(t.id);
  j["case"] = NullIfEmpty(t.case_id);
  j["household"] = t.household;
  j["step"] = t.step;
  j["step_label"] = v.label;
  j["org"] = t.org;
  j["role"] = Name(t.role);
  j["due_at"] = FormatRfc3339(t.due_at);
  j["overdue"] = v.now >= t.due_at;  // due_at is the first instant past the deadline
  j["days_left"] = days_left;
  if (t.department) j["department"] = Name(*t.department);
  if (!t.assignee.empty()) j["assignee"] = t.assignee;
  if (!t.period.empty()) j["period"] = t.period;
  if (v.with_household) {
    j["head_name"] = v.head_name;
    j["village"] = v.village;
    if (!v.org_name.empty()) j["org_name"] = v.org_name;
  }
  if (v.with_step) {
    json actions = json::array();
    for (const auto& a : v.actions) actions.push_back(ActionJson(a.name, a));
    j["actions"] = actions;
    if (const auto& r = v.returned)
      j["returned"] = {{"action", r->action},   {"by", r->by},
                       {"by_name", r->by_name}, {"at", FormatRfc3339(r->at)},
                       {"comment", r->comment}, {"from", r->from}};
  }
  return j;
}

json ToJson(const CaseView& v) {
  const Case& c = v.c;
  json j = json::object();
  j["id"] = c.id;
  j["workflow"] = c.workflow;
  j["workflow_version"] = c.workflow_version;
  j["state"] = c.state;
  j["version"] = c.version;
  j["household"] = c.household;
  j["data"] = c.data;
  j["created_by"] = c.created_by;
  j["created_at"] = FormatRfc3339(c.created_at);
  j["updated_at"] = FormatRfc3339(c.updated_at);
  j["closed"] = c.closed;
  if (c.department) j["department"] = Name(*c.department);
  if (!c.threshold_warning.empty()) j["threshold_warning"] = c.threshold_warning;
  if (v.def) {
    j["workflow_label"] = v.def->label;
    if (const auto* st = v.def->State(c.state)) {
      j["state_label"] = st->label;
      json allowed = json::array();
      for (const auto& [name, act] : st->actions) allowed.push_back(ActionJson(name, act));
      j["allowed_actions"] = allowed;
    }
  }
  j["my_actions"] = v.my_actions;
  j["tasks"] = ToJson(v.tasks);
  if (v.full) {
    j["leads"] = v.leads;
    j["attachments"] = ToJson(v.attachments);
    if (v.household) {
      j["household_info"] = ToJson(*v.household);
      if (!v.village_name.empty()) j["household_info"]["village_name"] = v.village_name;
      j["household_info"]["monitoring"] = v.monitoring ? MonitoringSummaryJson(*v.monitoring) : json(nullptr);
    }
    json steps = json::array();
    if (v.def)
      for (const auto& s : v.def->state_order)
        steps.push_back({{"state", s},
                         {"label", v.def->states.at(s).label},
                         {"final", v.def->states.at(s).final}});
    j["steps"] = steps;
  }
  return j;
}

json ToJson(const Attachment& a) {
  json j = {{"id", std::to_string(a.id)},
            {"kind", Name(a.kind)},
            {"kind_label", Label(a.kind)},
            {"sha256", a.sha256},
            {"size", a.size},
            {"content_type", a.content_type},
            {"filename", a.filename},
            {"at", FormatRfc3339(a.at)},
            {"actor", a.actor}};
  if (!a.case_id.empty()) j["case"] = a.case_id;
  if (a.visit) j["visit"] = std::to_string(a.visit);
  return j;
}

json ToJson(const EventView& v) {
  const auto& e = v.event;
  return {{"seq", e.seq},
          {"at", FormatRfc3339(e.at)},
          {"actor", e.actor},
          {"actor_role", e.actor_role},
          {"actor_org", e.actor_org},
          {"action", e.action},
          {"from", e.from_state},
          {"to", e.to_state},
          {"comment", e.comment},
          {"data", e.data},
          {"from_label", v.from_label},
          {"to_label", v.to_label},
          {"actor_name", v.actor_name}};
}

json ToJson(const TaskClosed& t) { return {{"id", t.task_id}, {"status", "done"}}; }

json ToJson(const Urged& u) { return {{"id", u.task_id}, {"urged", true}}; }

json ToJson(const MonitoringReport& r) {
  json by_type_cause = json::array();
  for (const auto& x : r.by_type_cause)
    by_type_cause.push_back({{"type", x.key},
                             {"type_label", LabelOfName<MonitoringType>(x.key)},
                             {"cause", x.key2},
                             {"cause_label", LabelOfName<Cause>(x.key2)},
                             {"households", x.households},
                             {"persons", x.persons}});
  json by_type_status = json::array();
  for (const auto& x : r.by_type_status)
    by_type_status.push_back({{"type", x.key},
                              {"type_label", LabelOfName<MonitoringType>(x.key)},
                              {"status", x.key2},
                              {"status_label", LabelOfName<MonitoringStatus>(x.key2)},
                              {"households", x.households},
                              {"persons", x.persons}});
  json measures = json::array();
  for (const auto& m : r.measures)
    measures.push_back({{"kind", m.kind},
                        {"label", MeasureLabel(m.kind)},
                        {"count", m.count},
                        {"households", m.households},
                        {"by_type", m.by_type}});
  return {{"org", r.org.code},
          {"org_name", r.org.name},
          {"generated_at", FormatRfc3339(r.generated_at)},
          {"households", r.households},
          {"persons", r.persons},
          {"by_type", CountRows(r.by_type, "type", LabelOfName<MonitoringType>)},
          {"by_status", CountRows(r.by_status, "status", LabelOfName<MonitoringStatus>)},
          {"by_type_cause", by_type_cause},
          {"by_type_status", by_type_status},
          {"measures", measures}};
}

json ToJson(const OverdueReport& r) {
  json orgs = json::array(), people = json::array(), late = json::array();
  for (const auto& x : r.by_org)
    orgs.push_back({{"org", x.org},
                    {"org_name", x.org_name},
                    {"open", x.open},
                    {"overdue", x.overdue},
                    {"max_days_late", x.max_days_late}});
  for (const auto& x : r.by_assignee)
    people.push_back({{"user", x.user ? json(*x.user) : json(nullptr)},
                      {"org", x.org},
                      {"org_name", x.org_name},
                      {"role", NameOr(x.role)},
                      {"open", x.open},
                      {"overdue", x.overdue},
                      {"max_days_late", x.max_days_late},
                      {"name", x.name}});
  for (const auto& x : r.tasks)
    late.push_back({{"id", std::to_string(x.task.id)},
                    {"case", NullIfEmpty(x.task.case_id)},
                    {"household", x.task.household},
                    {"head_name", x.head_name},
                    {"step", x.task.step},
                    {"step_label", x.step_label},
                    {"org", x.task.org},
                    {"org_name", x.org_name},
                    {"due_at", FormatRfc3339(x.task.due_at)},
                    {"days_late", x.days_late}});
  return {{"org", r.org.code},
          {"org_name", r.org.name},
          {"generated_at", FormatRfc3339(r.generated_at)},
          {"open", r.open},
          {"overdue", r.overdue},
          {"by_org", orgs},
          {"by_assignee", people},
          {"tasks", late}};
}

json ToJson(const MovementsReport& r) {
  json kinds = json::object();
  for (const auto& k : r.kinds) {
    json by = json::array();
    for (const auto& d : k.by)
      by.push_back({{"key", d.key}, {"label", d.label}, {"households", d.households}, {"persons", d.persons}});
    kinds[Name(k.kind)] = {{"label", Label(k.kind)}, {"households", k.households}, {"persons", k.persons}, {"by", by}};
  }
  return {{"org", r.org.code},
          {"org_name", r.org.name},
          {"generated_at", FormatRfc3339(r.generated_at)},
          {"from", FormatDate(r.from)},
          {"to", FormatDate(r.to)},
          {"movements", kinds}};
}

static json TimelinessJson(const TimelinessRow& x) {
  return {{"org", x.org},
          {"org_name", x.org_name},
          {"admitted", x.admitted},
          {"measured_in_time", x.measured_in_time},
          {"measures_rate", x.measures_rate()},
          {"active", x.active},
          {"visited", x.visited},
          {"visit_rate", x.visit_rate()}};
}

json ToJson(const TimelinessReport& r) {
  json rows = json::array();
  for (const auto& x : r.rows) rows.push_back(TimelinessJson(x));
  return {{"org", r.org.code},
          {"org_name", r.org.name},
          {"generated_at", FormatRfc3339(r.generated_at)},
          {"month", r.month},
          {"total", TimelinessJson(r.total)},
          {"by_org", rows}};
}

json ToJson(const WeeklyReport& r) {
  const auto& f = r.figures;
  return {{"org", r.org.code},
          {"org_name", r.org.name},
          {"generated_at", FormatRfc3339(r.generated_at)},
          {"from", FormatDate(f.from)},
          {"to", FormatDate(f.to)},
          {"admitted", {{"households", f.admitted}, {"persons", f.admitted_persons}}},
          {"risk_eliminated", {{"households", f.eliminated}, {"persons", f.eliminated_persons}}},
          {"open_tasks", f.open_tasks},
          {"overdue_tasks", f.overdue_tasks},
          {"measures_in_10_days", {{"admitted", f.measures.admitted},
                                   {"measured_in_time", f.measures.measured_in_time},
                                   {"rate", f.measures.measures_rate()}}},
          {"text", WeeklyText(r.org, f)},
          {"movements", ToJson(r.movements)["movements"]},
          {"timeliness", ToJson(r.timeliness)},
          {"overdue", ToJson(r.overdue)}};
}

json ToJson(const LedgerReport& r) {
  json rows = json::array();
  for (const auto& x : r.rows) {
    const auto& m = x.object;
    rows.push_back({{"household", x.household.id},
                    {"head_name", x.household.head_name},
                    {"head_id_number", x.head_id_number},
                    {"village", x.household.village},
                    {"village_name", x.village_name},
                    {"township_name", x.township_name},
                    {"persons", x.persons},
                    {"type", Name(m.type)},
                    {"type_label", Label(m.type)},
                    {"status", Name(m.status)},
                    {"status_label", Label(m.status)},
                    {"primary_cause", m.primary_cause ? json(Name(*m.primary_cause)) : json(nullptr)},
                    {"primary_cause_label", m.primary_cause ? Label(*m.primary_cause) : ""},
                    {"identified_on", m.admitted_at ? json(FormatDate(ChinaDate(m.admitted_at))) : json(nullptr)},
                    {"contact", m.contact.empty() ? json(nullptr) : json(m.contact)},
                    {"contact_name", x.contact_name},
                    {"income_per_capita", x.household.income_per_capita},
                    {"measures", x.measures},
                    {"overdue_tasks", x.overdue_tasks}});
  }
  return {{"org", r.org.code},
          {"org_name", r.org.name},
          {"generated_at", FormatRfc3339(r.generated_at)},
          {"total", r.total},
          {"page", r.page},
          {"page_size", r.page_size},
          {"households", rows}};
}

json ToJson(const AuditCheck& a) {
  if (a.ok) {
    json out = {{"ok", true}, {"events", a.events}, {"head", {{"seq", a.head_seq}, {"hash", a.head_hash}}},
                {"hmac_from", a.hmac_from}};
    if (a.checkpoint_seq) out["checkpoint_seq"] = *a.checkpoint_seq;
    return out;
  }
  return {{"ok", false},
          {"events", a.events},
          {"first_bad_seq", a.first_bad_seq},
          {"message", a.message}};
}

json ToJson(const AuditHead& h) { return {{"checkpoint", h.checkpoint}, {"seq", h.seq}, {"hash", h.hash}}; }

json WorkflowsJson(const WorkflowRegistry& workflows) {
  json out = json::array();
  for (const auto& name : workflows.Names()) {
    auto def = workflows.Latest(name);
    json states = json::array();
    for (const auto& s : def->state_order)
      states.push_back({{"name", s}, {"label", def->states.at(s).label}});
    json entry = {
        {"name", name}, {"label", def->label}, {"version", def->version}, {"states", states}};
    if (!def->labels.empty()) entry["labels"] = def->labels;
    out.push_back(entry);
  }
  return out;
}

}  // namespace dixian::http

namespace dixian::http {

json ToJson(const engine::LeadView& v) {
  const auto& l = v.lead;
  json out = {{"id", l.id},
              {"household", l.household},
              {"head_name", v.head_name},
              {"village_name", v.village_name},
              {"source", engine::Name(l.source)},
              {"source_label", engine::Label(l.source)},
              {"indicator", l.indicator},
              {"detail", l.detail},
              {"status", engine::Name(l.status)},
              {"outcome", l.outcome ? json(engine::Name(*l.outcome)) : json(nullptr)},
              {"case", l.case_id.empty() ? json(nullptr) : json(l.case_id)},
              {"comment", l.comment},
              {"created_by", l.created_by},
              {"created_at", engine::FormatRfc3339(l.created_at)},
              {"task", v.task ? ToJson(*v.task) : json(nullptr)}};
  if (l.resolved_at) out["resolved_at"] = engine::FormatRfc3339(l.resolved_at);
  return out;
}

json ToJson(const engine::LeadImport& i) {
  json unmatched = json::array();
  for (const auto& u : i.unmatched) unmatched.push_back({{"line", u.line}, {"reason", u.reason}});
  return {{"matched", i.leads.size()}, {"leads", i.leads}, {"unmatched", unmatched}};
}

}  // namespace dixian::http
