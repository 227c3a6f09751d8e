#pragma once
// Workflows are data (workflows/*.json). These are the loaded, validated definitions.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace dixian::engine {

// "10d" calendar days, "2wd" working days (工作日), "48h" hours, "-50%" of the step's time (reminders).
struct DurationSpec {
  enum class Unit { kHours, kDays, kWorkingDays, kPercent };
  Unit unit = Unit::kDays;
  int amount = 0;  // negative = before the due time (reminders)
  std::string text;
};

struct Actor {
  std::string level;            // org level that acts
  std::string role;             // role that acts
  bool department_from_case = false;  // department_officer steps: the case's assigned department
  bool assignee_contact = false;      // contact person of the household (visits)
};

struct EscalationRung {
  DurationSpec after;  // after the due time ("0", "1wd", "3wd")
  int up = 0;          // levels above the acting org: 0 = the acting org itself
};

// Timing of a step or task: deadline, reminders before it, escalation ladder after it.
struct Timing {
  std::optional<DurationSpec> deadline;  // absent: no deadline (final states)
  std::string recurrence;                // visits: "monthly" | "quarterly" (deadline = period end)
  std::vector<DurationSpec> reminders;
  std::vector<EscalationRung> escalation;
};

struct ActionDef {
  std::string name;
  std::string label;
  std::string to;
  std::vector<std::string> requires_fields;  // "comment", "data.department", ...
  std::optional<Actor> actor;                // overrides the state's actor (e.g. county fast track)
  bool by_submitter = false;                 // withdraw: only whoever moved the case into this state
  bool assign_department = false;            // sets case department from data or department_map
};

struct StateDef {
  std::string name;
  std::string label;
  bool final = false;
  std::optional<Actor> actor;
  Timing timing;
  std::map<std::string, ActionDef> actions;
  std::vector<std::string> effects;  // on entering: admit_object, spawn:<task>, eliminate_risk, ...
  nlohmann::json allowed_actions;    // [{action, label, requires}], built once at load for replies
};

struct TaskDef {  // follow-up task kinds (handover, assign_contact, measures, visit)
  std::string name;
  std::string label;
  Actor actor;
  Timing timing;
  std::string completed_by;  // domain event: handover_done, contact_assigned, measure_recorded, visit_logged
};

struct WorkflowDef {
  std::string name;
  std::string label;
  int version = 1;
  std::string file;
  std::string initial;
  std::vector<std::string> initiator_roles;
  std::vector<std::string> required_data;          // fields of "data" needed to open a case
  std::map<std::string, std::vector<std::string>> data_enums;  // data field -> allowed values
  std::map<std::string, std::string> department_map;           // alert item -> department
  std::vector<std::string> subject_status;  // monitoring status the household must have ("none" = not monitored)
  std::map<std::string, StateDef> states;
  std::vector<std::string> state_order;     // as written, for graphs
  std::map<std::string, TaskDef> tasks;     // a tasks file (followups.json) has no states
  nlohmann::json labels = nlohmann::json::object();  // extra Chinese labels (causes, items, ...)

  const StateDef* State(const std::string& name) const;
  const TaskDef* Task(const std::string& name) const;
};

using WorkflowPtr = std::shared_ptr<const WorkflowDef>;

}  // namespace dixian::engine
