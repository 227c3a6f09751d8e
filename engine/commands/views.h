#pragma once
// Typed results the commands and queries answer with; the edges render them (JSON at the HTTP
// edge: adapters/http/json_views.h). Each holds what rendering needs, computed in the command,
// so rendering after the commit gives the same answer a replay stores.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/model/model.h"
#include "engine/workflow/definition.h"

namespace dixian::engine {

// A return (退回) or objection (异议) that brought a case back to the step a task is for.
struct ReturnMark {
  std::string action, by, by_name;
  Instant at = 0;
  std::string comment, from;
};

struct TaskView {
  Task task;
  std::string label;  // the step's Chinese label
  Instant now = 0;    // `overdue` and `days_left` are relative to this
  // Inbox rows also name the household and, for chain steps, what the step's holder may do there
  // (as the case page labels it) and how the case came back, if it was returned.
  bool with_household = false;
  std::string head_name, village;
  std::string org_name;  // the holder's org, by name
  bool with_step = false;
  std::vector<ActionDef> actions;
  std::optional<ReturnMark> returned;
};

struct PersonView {  // a user a form may offer (contact person, transfer target)
  User user;
  std::string org_name;
};

struct CaseView {
  Case c;
  WorkflowPtr def;                      // the case's workflow version (null if no longer loaded)
  std::vector<std::string> my_actions;  // what the caller may do now
  std::vector<TaskView> tasks;          // open step tasks
  // GET /cases/{id}: the household and the chain's steps as well.
  bool full = false;
  std::optional<Household> household;
  std::string village_name;
  std::optional<MonitoringObject> monitoring;  // the household's, so the page needs no 2nd read
  std::vector<std::string> leads;  // the leads that ended in this case (linked both ways)
  std::vector<Attachment> attachments;  // its evidence (佐证材料), oldest first
};

struct EventView {
  AuditEvent event;
  std::string from_label, to_label, actor_name;
};

struct MonitoringView {
  MonitoringObject object;
  std::vector<Measure> measures;
  std::vector<Visit> visits;
  std::string contact_name;
  std::vector<std::vector<Attachment>> visit_attachments;  // each visit's (photos), in its order
};

struct HouseholdView {
  Household household;
  std::vector<Member> members;  // the persons (ID numbers whole: the edges mask them)
  std::string village_name;
  std::optional<MonitoringView> monitoring;
  std::vector<Case> open_cases;
};

struct MeView {  // the caller's own record (GET /me)
  User user;
  std::optional<Org> org;  // empty for the built-in admin
  std::map<std::string, std::string> im;  // the person's ids on the chat platforms
};

struct LeadView {
  Lead lead;
  std::string head_name, village_name;
  std::optional<TaskView> task;  // the verification task while it is open
};

struct UnmatchedRow {  // a department list row that matched no household in the caller's remit
  int line = 0;
  std::string reason;
};

struct LeadImport {
  std::vector<std::string> leads;
  std::vector<UnmatchedRow> unmatched;
};

struct ImportCount {
  std::int64_t imported = 0;
};

}  // namespace dixian::engine
