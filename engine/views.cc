#include "engine/views.h"

#include <map>

namespace dixian::engine {

using nlohmann::json;

const std::vector<std::string> kMonitoringTypes = {"unstable_former_poor", "marginal", "sudden_hardship"};
const std::vector<std::string> kMonitoringStatuses = {"risk_active", "risk_eliminated", "removed"};
const std::vector<std::string> kCauses = {"illness",  "disability",         "schooling",       "disaster",
                                          "accident", "unstable_employment", "business_failure", "no_labour",
                                          "unsafe_housing", "epidemic",      "other"};
const std::vector<std::string> kDepartments = {"medical", "health", "civil_affairs", "education", "housing",
                                               "water",   "human_resources", "disability", "agriculture"};
const std::vector<std::string> kAlertItems = {"food", "clothing", "education", "medical", "housing", "water", "income"};

static std::string Lookup(const std::map<std::string, std::string>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? key : it->second;
}

std::string TypeLabel(const std::string& type) {
  static const std::map<std::string, std::string> k = {
      {"unstable_former_poor", "脱贫不稳定户"}, {"marginal", "边缘易致贫户"}, {"sudden_hardship", "突发严重困难户"}};
  return Lookup(k, type);
}

std::string StatusLabel(const std::string& status) {
  static const std::map<std::string, std::string> k = {
      {"risk_active", "风险未消除"}, {"risk_eliminated", "风险已消除"}, {"removed", "已清退"}};
  return Lookup(k, status);
}

std::string CauseLabel(const std::string& cause) {
  static const std::map<std::string, std::string> k = {
      {"illness", "因病"},           {"disability", "因残"},       {"schooling", "因学"},
      {"disaster", "因灾"},          {"accident", "因意外事故"},   {"unstable_employment", "因务工就业不稳"},
      {"business_failure", "因产业项目失败"}, {"no_labour", "缺劳力"}, {"unsafe_housing", "因安全住房"},
      {"epidemic", "因疫情"},        {"other", "其他"}};
  return Lookup(k, cause);
}

std::string MeasureLabel(const std::string& kind) {
  static const std::map<std::string, std::string> k = {
      {"minimum_living", "低保"},     {"disability_allowance", "残疾人补贴"}, {"education", "教育帮扶"},
      {"industry", "产业奖补"},       {"employment", "就业奖补"},            {"medical", "医疗保障"},
      {"housing", "危房改造"},        {"temporary_relief", "临时救助"},      {"extreme_poverty", "特困供养"},
      {"water", "饮水安全"},          {"public_welfare_job", "公益岗位"},    {"microcredit", "小额信贷"},
      {"other", "其他"}};
  return Lookup(k, kind);
}

json OrgJson(const Org& org) {
  return {{"code", org.code}, {"name", org.name}, {"level", org.level},
          {"parent", org.parent.empty() ? json(nullptr) : json(org.parent)}};
}

json HouseholdJson(const Household& h) {
  return {{"id", h.id}, {"village", h.village}, {"head_name", h.head_name}, {"members", h.members},
          {"income_per_capita", h.income_per_capita}};
}

json MonitoringJson(const MonitoringObject& m, const std::vector<Measure>& measures, const std::vector<Visit>& visits) {
  json ms = json::array();
  for (const auto& x : measures)
    ms.push_back({{"id", std::to_string(x.id)}, {"kind", x.kind}, {"label", MeasureLabel(x.kind)},
                  {"description", x.description}, {"department", x.department}, {"by", x.created_by},
                  {"at", FormatRfc3339(x.created_at)}});
  json vs = json::array();
  for (const auto& v : visits)
    vs.push_back({{"id", std::to_string(v.id)}, {"mode", v.mode}, {"note", v.note}, {"by", v.user}, {"at", FormatRfc3339(v.at)}});
  return {{"type", m.type},
          {"type_label", TypeLabel(m.type)},
          {"status", m.status},
          {"status_label", StatusLabel(m.status)},
          {"primary_cause", m.primary_cause},
          {"primary_cause_label", CauseLabel(m.primary_cause)},
          {"causes", m.causes},
          {"admitted_at", m.admitted_at ? json(FormatRfc3339(m.admitted_at)) : json(nullptr)},
          {"contact", m.contact.empty() ? json(nullptr) : json(m.contact)},
          {"measures", ms},
          {"visits", vs}};
}

json TaskJson(const Task& t, const std::string& label, Instant now) {
  const Instant diff = t.due_at - now;
  const std::int64_t days_left = diff >= 0 ? (diff + kDaySeconds - 1) / kDaySeconds : -((-diff + kDaySeconds - 1) / kDaySeconds);
  // Built by assignment: a braced initializer list copies every value twice (json_ref), and
  // TaskJson / CaseJson run on every reply and inbox read.
  json j = json::object();
  j["id"] = std::to_string(t.id);
  j["case"] = t.case_id.empty() ? json(nullptr) : json(t.case_id);
  j["household"] = t.household;
  j["step"] = t.step;
  j["step_label"] = label;
  j["org"] = t.org;
  j["role"] = t.role;
  j["due_at"] = FormatRfc3339(t.due_at);
  j["overdue"] = now >= t.due_at;  // due_at is the first instant past the deadline
  j["days_left"] = days_left;
  if (!t.department.empty()) j["department"] = t.department;
  if (!t.assignee.empty()) j["assignee"] = t.assignee;
  if (!t.period.empty()) j["period"] = t.period;
  return j;
}

json CaseJson(const Case& c, const WorkflowDef* def) {
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
  if (def) {
    j["workflow_label"] = def->label;
    if (const auto* st = def->State(c.state)) {
      j["state_label"] = st->label;
      j["allowed_actions"] = st->allowed_actions;
    }
  }
  return j;
}

json EventJson(const AuditEvent& e) {
  return {{"seq", e.seq},           {"at", FormatRfc3339(e.at)}, {"actor", e.actor},     {"actor_role", e.actor_role},
          {"actor_org", e.actor_org}, {"action", e.action},       {"from", e.from_state}, {"to", e.to_state},
          {"comment", e.comment},   {"data", e.data}};
}

}  // namespace dixian::engine
