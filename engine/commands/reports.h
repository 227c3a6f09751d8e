#pragma once
// Reports officials file and read, and audit verification. Each answers from one snapshot.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/access/access.h"
#include "engine/commands/views.h"
#include "engine/store/store.h"

namespace dixian::engine {

class Engine;

struct MeasureCount {
  std::string kind;
  std::int64_t count = 0;  // measures (条)
  std::int64_t households = 0;
  std::map<std::string, std::int64_t> by_type;  // monitoring type name -> households
};

struct MonitoringReport {
  Org org;
  Instant generated_at = 0;
  std::int64_t households = 0, persons = 0;
  std::vector<CountRow> by_type, by_status, by_type_cause, by_type_status;
  std::vector<MeasureCount> measures;
};

struct OverdueRow {  // an org (by_org) or a person, or a role at an org nobody holds yet
  std::optional<std::string> user;  // by_assignee: the person, if the tasks name one
  std::string org, org_name;
  std::optional<Role> role;  // by_assignee only
  std::string name;          // by_assignee: the person's name, or "org（role）"
  std::int64_t open = 0, overdue = 0, max_days_late = 0;
};

struct LateTask {
  Task task;
  std::string head_name, step_label, org_name;
  std::int64_t days_late = 0;
};

struct OverdueReport {
  Org org;
  Instant generated_at = 0;
  std::int64_t open = 0, overdue = 0;
  std::vector<OverdueRow> by_org, by_assignee;  // most days late first
  std::vector<LateTask> tasks;                  // the oldest 500 overdue tasks
};

struct MovementDetail {  // admitted by type, removed by reason, type_changed by the new type
  std::string key, label;
  std::int64_t households = 0, persons = 0;
};

struct MovementTotal {
  MovementKind kind = MovementKind::kAdmitted;
  std::int64_t households = 0, persons = 0;
  std::vector<MovementDetail> by;  // empty for kinds recorded without a detail
};

struct MovementsReport {
  Org org;
  Instant generated_at = 0;
  CivilDate from, to;               // China dates, both included
  std::vector<MovementTotal> kinds;  // every kind, in MovementKind order, zeros included
};

struct TimelinessRow {  // a child org (a township under a county) or the whole report org
  std::string org, org_name;
  std::int64_t admitted = 0, measured_in_time = 0;  // measures within 10 days of admission
  std::int64_t active = 0, visited = 0;             // risk_active objects visited in the month
  double measures_rate() const { return admitted ? double(measured_in_time) / double(admitted) : 0; }
  double visit_rate() const { return active ? double(visited) / double(active) : 0; }
};

struct TimelinessReport {
  Org org;
  Instant generated_at = 0;
  std::string month;                // YYYY-MM, China time
  TimelinessRow total;
  std::vector<TimelinessRow> rows;  // per child org
};

struct AuditCheck {
  bool ok = true;
  std::int64_t events = 0;  // events that verified
  std::int64_t first_bad_seq = 0;
  std::string message;
  std::int64_t head_seq = 0;  // the last event (ok only)
  std::string head_hash;
  std::int64_t hmac_from = 0;  // the switch-over point: events from here on carry HMACs
  std::optional<std::int64_t> checkpoint_seq;  // the checkpoint that was checked, if one was given
};

// A signed head of the chain to keep elsewhere: the line, and what it names.
struct AuditHead {
  std::string checkpoint;
  std::int64_t seq = 0;
  std::string hash;
};

// `org` empty: the caller's own org.
Result<MonitoringReport> ReportMonitoring(Engine& engine, const Principal& who,
                                          const std::string& org);
Result<OverdueReport> ReportOverdue(Engine& engine, const Principal& who, const std::string& org);
// engine/audit/verify.cc. The chain from the first event: links, MACs, the switch-over point; with
// `checkpoint` (a line from CheckpointAudit, kept elsewhere) also that the chain still holds that
// head (truncation, rewriting).
Result<AuditCheck> VerifyAudit(Engine& engine, const Principal& who, const std::string& checkpoint = "");
// The signed head of a chain that verifies.
Result<AuditHead> CheckpointAudit(Engine& engine, const Principal& who);
// Movements recorded from `from` to `to` (YYYY-MM-DD, China time, both days included).
Result<MovementsReport> ReportMovements(Engine& engine, const Principal& who, const std::string& org,
                                        const std::string& from, const std::string& to);
// Per child org: the share of objects with a measure within 10 days of admission (of those
// admitted 10 days ago or more) and the share of risk_active objects visited in `month`
// (YYYY-MM; empty: this month).
Result<TimelinessReport> ReportTimeliness(Engine& engine, const Principal& who, const std::string& org,
                                          const std::string& month);

}  // namespace dixian::engine
