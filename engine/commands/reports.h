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

}  // namespace dixian::engine
