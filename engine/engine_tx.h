#pragma once
// Inside one write job: the domain operations every command shares (open and close tasks, append
// audit events, queue notices, run effects). Internal to the engine.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/commands/views.h"
#include "engine/engine.h"
#include "engine/tasks/timing.h"

namespace dixian::engine {

class EngineTx {
 public:
  EngineTx(Engine& engine, WriteTx& tx) : e_(engine), tx_(tx), now_(engine.clock_.Now()) {}

  Instant now() const { return now_; }
  WriteTx& tx() { return tx_; }
  Engine& engine() { return e_; }
  const WorkflowRegistry& workflows() const { return e_.workflows_; }

  // Appends an audit event chained to the previous one.
  std::int64_t Audit(AuditEvent event);
  // Opens a chain step's task for the case's current state (none for final states); returns it.
  std::optional<Task> OpenStepTask(const Case& c, const WorkflowDef& def);
  // Opens a follow-up task of `kind` (a task defined in a tasks file) for a household; recurring
  // tasks for `period` (default: the current one). No-op when the same one is open already.
  void OpenFollowUp(const std::string& household, const std::string& kind,
                    const std::string& period = "");
  void CloseTask(Task task, TaskStatus status);
  void CloseTasks(std::vector<Task> tasks, TaskStatus status);
  // The domain event `event` happened for the household: completes its open follow-ups declared
  // `completed_by` it (recurring ones of the current or an earlier period, then opens the next
  // period's). Returns how many were completed.
  int OnEvent(const std::string& household, const std::string& event, const Principal& who);
  // Completes one open follow-up (audited), opening a recurring task's next period.
  void CompleteFollowUp(const Task& task, const Principal& who);
  // A follow-up's definition, by the version it was opened with (null for chain steps).
  const TaskDef* DefOf(const Task& task);
  // Runs the effects a state declares on entering it.
  void RunEffects(Case& c, const std::vector<EffectDef>& effects);

  // Moves the case to `to` (the caller has checked the action): closes `open` (its step tasks),
  // records `event` (actor and action set by the caller; case, household, from, to here), runs
  // the effects of the state entered, saves the case and opens the next step's task (returned).
  std::optional<Task> MoveCase(Case& c, const WorkflowDef& def, const std::string& to,
                               AuditEvent event, const std::vector<Task>& open);
  // A notice state's period ended (its step task's last timer): the engine moves the case on
  // along the state's `notice_passed`, as `system`. False when the case is no longer there.
  bool PassNotice(const Task& task);
  // An `announce` effect: a notice about the case to the channel of the org at the row's level.
  void Announce(const Case& c, const EffectDef& effect);
  // A `record_movement` effect: the household's movement, with its persons, at now.
  void RecordMovement(const Case& c, const EffectDef& effect);

  // Queues a notice about a task to the channels of its org (or the org `up` levels above).
  void Notify(const Task& task, NoticeKind kind, int up, bool urgent, const std::string& note = "");

  // The daily overdue digest (督办日报) to supervisors' channels when its time has come.
  // Returns how many digests were queued.
  int RunDigestIfDue();

  // Fires the task's next timer point and moves to the following one.
  void FireNext(Task task);

  // Org and channel lookups on the write connection, through the engine's caches.
  std::optional<Org> FindOrg(const std::string& code);
  std::vector<Channel> ChannelsOf(const std::string& code);
  std::optional<Org> OrgAt(const std::string& village_path, OrgLevel level);
  // The definition of a follow-up task kind (latest version that defines it) and its owner.
  const TaskDef* FollowUpDef(const std::string& kind, WorkflowPtr* owner = nullptr);

 private:
  void ScheduleTimers(Task& task, const Timing& timing);
  const Timing* TimingOf(const Task& task);
  const std::optional<Household>& FindHousehold(const std::string& id);
  // The group robots of the nearest org (from `up` levels above the path's end) that has any.
  std::vector<Channel> RouteChannels(const std::string& org_path, int up);
  // The nearest app channel up the path, with the platform whose user ids it addresses.
  std::optional<std::pair<Channel, std::string>> NearestAppChannel(const std::string& org_path);
  // Queues the notice for each person the task waits for who has an id on the nearest app
  // channel's platform; true when that was everyone (then no group robot needs it).
  bool NotifyPersons(const Task& task, NoticeKind kind, bool urgent, const NoticeFacts& facts);
  void QueueNotice(const std::vector<Channel>& channels, NoticeKind kind, bool urgent,
                   NoticeFacts facts);

  Engine& e_;
  WriteTx& tx_;
  Instant now_;
  std::map<std::string, std::optional<Household>> households_;
};

// May `who` take `action` on the case's open step `task`? Forbidden with a message otherwise.
Status CanAct(const Principal& who, const Task& task, const ActionDef& action, const Case& c);

// The actions of the case's current state that `who` may take now (for pages and replies).
std::vector<std::string> MyActions(const Principal& who, const WorkflowDef* def, const Case& c,
                                   const std::vector<Task>& open);

// The Chinese label of a task's step: "workflow·state" for chain steps, the task's for follow-ups.
std::string StepLabel(const WorkflowRegistry& workflows, const Task& task);

// Open tasks as rows of an inbox: most urgent first, each with its household's head and village.
std::vector<TaskView> EnrichedTasks(ReadView& view, const WorkflowRegistry& workflows,
                                    std::vector<Task> tasks, Instant now);

// Active users with `role` at each org of `path` (root first), in that order.
std::vector<User> UsersAlong(ReadView& view, const std::string& path, Role role);
PersonView PersonOf(ReadView& view, User user);

// The household `id`, or 404; with a capability, 403 unless `who` holds it over the household's
// village.
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
