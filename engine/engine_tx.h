#pragma once
// Inside one write job: the domain operations every command shares (open and close tasks, append
// audit events, queue messages, run effects). Internal to the engine.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/tasks/timing.h"

namespace dixian::engine {

class EngineTx {
 public:
  EngineTx(Engine& engine, WriteTx& tx) : e_(engine), tx_(tx), now_(engine.clock_.Now()) {}

  Instant now() const { return now_; }
  WriteTx& tx() { return tx_; }
  Engine& engine() { return e_; }

  // Appends an audit event chained to the previous one.
  std::int64_t Audit(AuditEvent event);
  // Opens a chain step's task for the case's current state (none for final states); returns it.
  std::optional<Task> OpenStepTask(const Case& c, const WorkflowDef& def, const Principal& who);
  // Opens a follow-up task (handover, assign_contact, measures, visit) for a household.
  void OpenFollowUp(const std::string& household, const std::string& kind, const std::string& period = "");
  void CloseTask(Task task, const std::string& status);
  void CloseOpenTasksOfCase(const std::string& case_id);
  void CloseTasks(std::vector<Task> tasks, const std::string& status);
  // Completes the household's open follow-ups of `kind`. Returns how many.
  int CompleteFollowUps(const std::string& household, const std::string& kind, const Principal& who);
  void RunEffects(const Case& c, const StateDef& state, const Principal& who);

  // Queues a message about a task to the channels of its org (or the org `up` levels above).
  void Notify(const Task& task, const std::string& kind, int up, bool urgent, const std::string& note = "");

  // The daily overdue digest (督办日报) to supervisors' channels when its time has come.
  // Returns how many digests were queued.
  int RunDigestIfDue();

  // Fires the task's next timer point and moves to the following one.
  void FireNext(Task task);

  // Org and channel lookups on the write connection, through the engine's caches.
  std::optional<Org> FindOrg(const std::string& code);
  std::vector<Channel> ChannelsOf(const std::string& code);
  std::optional<Org> OrgAt(const std::string& village_path, const std::string& level);
  std::string StepLabel(const Task& task);
  const TaskDef* FollowUpDef(const std::string& kind, WorkflowPtr* owner = nullptr);

 private:
  void ScheduleTimers(Task& task, const Timing& timing);
  const Timing* TimingOf(const Task& task);
  nlohmann::json TaskPayload(const Task& task, const std::string& kind, int up);
  // Households never change once written: read once per command.
  const std::optional<Household>& FindHousehold(const std::string& id);
  // Mobiles to notify: the user's, or up to five of the users with `role` at `org` (cached).
  std::vector<std::string> MobilesOf(const std::string& user_id);
  std::vector<std::string> MobilesAt(const std::string& org, const std::string& role);
  std::vector<Channel> RouteChannels(const std::string& org_path, int up);

  Engine& e_;
  WriteTx& tx_;
  Instant now_;
  std::map<std::string, std::optional<Household>> households_;
};

// May `who` take `action` on the case's open step `task`? Forbidden with a message otherwise.
Status CanAct(const Principal& who, const Task& task, const ActionDef& action, const Case& c);

// The actions of the case's current state that `who` may take now (for pages and replies).
nlohmann::json MyActions(const Principal& who, const WorkflowDef* def, const Case& c, const std::vector<Task>& open);

// The household `id`, or 404; with a capability, 403 unless `who` holds it over the household's village.
Result<Household> PermittedHousehold(ReadView& view, const Principal& who, const std::string& id,
                                     std::optional<Capability> capability);

// SHA-256 over the canonical JSON (sorted keys) of the event and the previous hash: the hash of
// events written before schema 3 (engine/audit/audit_chain.h seals newer ones with an HMAC).
std::string AuditHash(const AuditEvent& event);

// An audit event by `who` about a household (case empty).
AuditEvent EventBy(const Principal& who, const std::string& household, const std::string& action);

// Parses an org path "/a/b/c/" into codes, root first.
std::vector<std::string> PathCodes(const std::string& path);

}  // namespace dixian::engine
