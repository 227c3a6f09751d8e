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
  std::int64_t households = 0;
  std::map<std::string, std::int64_t> by_type;  // monitoring type name -> households
};

struct MonitoringReport {
  Org org;
  Instant generated_at = 0;
  std::int64_t households = 0, persons = 0;
  std::vector<CountRow> by_type, by_status, by_type_cause;
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

struct AuditCheck {
  bool ok = true;
  std::int64_t events = 0;  // events that verified
  std::int64_t first_bad_seq = 0;
  std::string message;
};

// `org` empty: the caller's own org.
Result<MonitoringReport> ReportMonitoring(Engine& engine, const Principal& who,
                                          const std::string& org);
Result<OverdueReport> ReportOverdue(Engine& engine, const Principal& who, const std::string& org);
Result<AuditCheck> VerifyAudit(Engine& engine, const Principal& who);

}  // namespace dixian::engine
