#pragma once
// JSON shapes of the records, as the API contract (shared/API.md) defines them.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/model/model.h"
#include "engine/workflow/definition.h"

namespace dixian::engine {

extern const std::vector<std::string> kMonitoringTypes;  // unstable_former_poor, marginal, sudden_hardship
extern const std::vector<std::string> kMonitoringStatuses;
extern const std::vector<std::string> kCauses;
extern const std::vector<std::string> kDepartments;
extern const std::vector<std::string> kAlertItems;

std::string TypeLabel(const std::string& type);
std::string StatusLabel(const std::string& status);
std::string CauseLabel(const std::string& cause);
std::string MeasureLabel(const std::string& kind);

nlohmann::json OrgJson(const Org& org);
nlohmann::json HouseholdJson(const Household& h);
nlohmann::json MonitoringJson(const MonitoringObject& m, const std::vector<Measure>& measures,
                              const std::vector<Visit>& visits);
// `label` is the step's Chinese label; `now` gives overdue and days_left.
nlohmann::json TaskJson(const Task& t, const std::string& label, Instant now);
nlohmann::json CaseJson(const Case& c, const WorkflowDef* def);
nlohmann::json EventJson(const AuditEvent& e);

}  // namespace dixian::engine
