#pragma once
// Workflows are data (workflows/*.json). These are the loaded, validated definitions.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/model/enums.h"

namespace dixian::engine {

// Domain events the commands emit. A follow-up task declares the one that completes it
// (`completed_by`); the loader refuses any other name.
namespace events {
inline constexpr char kConfirmed[] = "confirmed";                // POST /tasks/{id}/complete
inline constexpr char kContactAssigned[] = "contact_assigned";  // PUT /households/{id}/contact
inline constexpr char kMeasureRecorded[] = "measure_recorded";  // POST /households/{id}/measures
inline constexpr char kVisitLogged[] = "visit_logged";          // POST /households/{id}/visits
inline constexpr char kLeadResolved[] = "lead_resolved";  // POST /leads/{id}/resolve (the last open one)
}  // namespace events

// The action the engine records when a notice state's period ends with no objection.
inline constexpr char kNoticePassedAction[] = "notice_passed";

// "10d" calendar days, "2wd" working days (工作日), "48h" hours, "-50%" of the step's time (reminders).
struct DurationSpec {
  enum class Unit { kHours, kDays, kWorkingDays, kPercent };
  Unit unit = Unit::kDays;
  int amount = 0;  // negative = before the due time (reminders)
  std::string text;
};

struct Actor {
  OrgLevel level = OrgLevel::kVillage;  // org level that acts
  Role role = Role::kVillageClerk;      // role that acts
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
  // A notice state (公示): the deadline is its period, and when it runs out the engine moves the
  // case on by itself (no reminders, no escalation: nobody is late).
  bool ends_itself = false;
};

struct ActionDef {
  std::string name;
  std::string label;
  std::string to;
  std::vector<std::string> requires_fields;  // "comment", "data.department", ...
  std::optional<Actor> actor;                // overrides the state's actor (e.g. county fast track)
  bool by_submitter = false;                 // withdraw: only whoever moved the case into this state
  bool by_official = false;                  // any official of the case's subtree (异议 in a notice)
  bool assign_department = false;            // sets case department from data or department_map
  std::vector<EvidenceKind> requires_evidence;  // attachment kinds the case must hold first
};

// One row of an effects table: a primitive operation and its arguments, as the JSON names them
// ({"do": "open_task", "task": "measures"}). Fields read from the case's data are named
// "data.<field>" in the JSON and stored here without the prefix.
struct EffectDef {
  enum class Op {
    kSetMonitoring,        // the household's monitoring object: status, and fields from data
    kOpenTask,             // opens the follow-up task `task`
    kCancelTasks,          // cancels the open follow-ups of `tasks` (empty: all of them)
    kWarnEntryThresholds,  // records a threshold warning when the figures miss every criterion
    kAnnounce,             // a notice about the case to the channel of the org at `level` (公告)
    kRecordMovement,       // records a movement `movement` of the household (the reports count it)
  };
  Op op = Op::kOpenTask;
  // set_monitoring: `admit` creates the object (admitted now); otherwise it must exist.
  bool admit = false;
  std::optional<MonitoringStatus> status;
  std::string type_field, primary_cause_field, causes_field;  // data fields; empty: unchanged
  // open_task / cancel_tasks
  std::string task;
  std::vector<std::string> tasks;
  // warn_entry_thresholds: the data fields holding the figures (config/thresholds.json)
  std::string income_field, rigid_spending_field, last_year_income_field, income_drop_field;
  // announce: to the org at `level` above the household's village; `note` is Chinese text in
  // which "{data.<field>}" stands for that field's value (its label where the file gives one).
  OrgLevel level = OrgLevel::kCounty;
  std::string note;
  // record_movement: its kind, and the data field giving its detail (type, reason), if any
  MovementKind movement = MovementKind::kAdmitted;
  std::string detail_field;
};

struct StateDef {
  std::string name;
  std::string label;
  bool final = false;
  std::optional<Actor> actor;
  Timing timing;
  std::map<std::string, ActionDef> actions;
  std::vector<EffectDef> effects;  // run on entering the state
  // A notice state: `notice_days` in the JSON (its timing.deadline, timing.ends_itself) and what
  // the engine does when the period ends with the case still here: the transition named
  // `notice_passed`, recorded as an event by `system`.
  std::optional<ActionDef> notice_passed;
};

struct TaskDef {  // follow-up task kinds, from a tasks file (followups.json)
  std::string name;
  std::string label;
  Actor actor;
  Timing timing;
  std::string completed_by;  // the domain event that completes it (events:: above)
};

struct WorkflowDef {
  std::string name;
  std::string label;
  int version = 1;
  std::string file;
  std::string initial;
  std::vector<Role> initiator_roles;
  std::vector<std::string> required_data;          // fields of "data" needed to open a case
  std::map<std::string, std::vector<std::string>> data_enums;  // data field -> allowed values
  std::map<std::string, std::vector<std::string>> data_lists;  // list data field -> allowed items
  std::string department_field;                      // the data field department_map reads
  std::map<std::string, Department> department_map;  // its value -> department (alert item)
  // Monitoring statuses the household may have to open a case; nullopt ("none" in the JSON) = not
  // a monitoring object. Empty: any.
  std::vector<std::optional<MonitoringStatus>> subject_status;
  std::map<std::string, StateDef> states;
  std::vector<std::string> state_order;     // as written, for graphs
  std::map<std::string, TaskDef> tasks;     // a tasks file (followups.json) has no states
  std::vector<EffectDef> on_open;           // run when a case is opened
  std::vector<EffectDef> on_lead;           // run when a lead is recorded (open_task rows only)
  // Chinese labels of data values, per data_enums field (alert items): shown by GET /workflows.
  std::map<std::string, std::map<std::string, std::string>> labels;

  const StateDef* State(const std::string& name) const;
  const TaskDef* Task(const std::string& name) const;
};

using WorkflowPtr = std::shared_ptr<const WorkflowDef>;

}  // namespace dixian::engine
