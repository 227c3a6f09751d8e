#pragma once
// The console's lists beside the inbox (MyTasks): 已办 (what the caller did), 我发起 (the cases the
// caller opened), 抄送我 (others' tasks escalated to the caller's org), and finding a household by
// its head's name or its number. Read-only; rows outside the caller's subtree are left out.
#include <optional>
#include <string>
#include <vector>

#include "engine/commands/views.h"
#include "engine/engine.h"

namespace dixian::engine {

// One thing the caller did: a step of a case (the latest per case) or a follow-up.
struct DoneRow {
  AuditEvent event;
  std::string head_name, village;
  std::string workflow_label;  // the case's chain ("" for follow-ups)
  std::string step_label;      // where the caller acted (the state it left, or the follow-up)
  std::string action_label;    // as the chain names the action ("" when it names none)
  std::optional<Case> now;     // the case as it stands now
  std::string state_label;     // of `now`
};

struct StartedRow {  // a case the caller opened
  Case c;
  std::string head_name, village, workflow_label, state_label;
  std::vector<TaskView> waiting;  // its open steps: who must act now
};

struct CopiedRow {  // an open task of someone else escalated to the caller's org (督办抄送)
  TaskView task;
  int up = 0;            // levels above the holder's org the escalation reached
  std::string org_name;  // the holder's org
};

struct HouseholdHit {
  Household household;
  std::string village_name;
  std::optional<MonitoringObject> monitoring;
};

Result<std::vector<DoneRow>> MyDone(Engine& engine, const Principal& who, int limit);
Result<std::vector<StartedRow>> MyStarted(Engine& engine, const Principal& who, int limit);
Result<std::vector<CopiedRow>> MyCopied(Engine& engine, const Principal& who);
// `text`: a household number, or part of a head's name (at least one character, at most 50).
Result<std::vector<HouseholdHit>> SearchHouseholds(Engine& engine, const Principal& who,
                                                   const std::string& text, int limit);

}  // namespace dixian::engine
