#pragma once
// What the engine needs from storage. The engine is written against these interfaces only;
// adapters/store implements them on SQLite (WAL, synchronous=FULL, group commit).
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "engine/core/error.h"
#include "engine/model/model.h"
#include "engine/outbox/outbox.h"

namespace dixian::engine {

struct CountRow {     // keys are API names (GROUP BY on the text columns)
  std::string key;   // e.g. type, status
  std::string key2;  // e.g. status, or the primary cause (by type x cause)
  std::string key3;  // CountMonitoring: the primary cause
  std::int64_t households = 0;
  std::int64_t persons = 0;
};

struct MovementCount {  // movements of one kind (and detail) in a period under an org path
  MovementKind kind = MovementKind::kAdmitted;
  std::string detail, detail_label;
  std::int64_t households = 0;
  std::int64_t persons = 0;
};

struct VillageTimeliness {  // one village's figures for the township rates
  std::string village_path;
  std::int64_t admitted = 0;          // objects (not removed) whose 10-day deadline has passed
  std::int64_t measured_in_time = 0;  // of those, with a measure recorded before it
  std::int64_t active = 0;           // risk_active objects admitted before the month ends
  std::int64_t visited = 0;          // of those, visited in the month
};

struct MeasureCoverageRow {
  std::string kind;
  std::string type;  // the monitoring type of the covered households
  std::int64_t households = 0;
  std::int64_t measures = 0;  // measures (条) recorded for them
};

// Which monitoring objects the ledger (台账) lists; every filter that is set must hold.
struct LedgerFilter {
  std::string org_path_prefix;
  std::optional<MonitoringType> type;
  std::optional<MonitoringStatus> status;
  std::optional<bool> risk_eliminated;           // status is (or is not) risk_eliminated
  std::optional<Instant> admitted_from, admitted_to;  // from <= admitted_at < to
  std::optional<bool> has_overdue;               // an open task of the household due <= now
  Instant now = 0;
};

struct LedgerSlice {
  std::int64_t total = 0;               // objects matching the filter
  std::vector<std::string> households;  // the page: by village path, then household id
};

// Open tasks of one group (see ReadView::OpenTaskGroups), counted in SQL.
struct TaskGroupCount {
  std::string assignee;  // empty for tasks assigned to nobody
  std::string org;
  std::string org_path;  // the org's path
  Role role = Role::kVillageClerk;
  std::int64_t open = 0;
  std::int64_t overdue = 0;     // due_at <= now
  Instant oldest_due = 0;       // MIN(due_at) of the group's overdue tasks (0 when none)
};

// Reads. Every call sees one consistent snapshot for the lifetime of the view.
class ReadView {
 public:
  virtual ~ReadView() = default;

  virtual std::optional<Org> FindOrg(const std::string& code) = 0;
  virtual std::vector<Org> ChildOrgs(const std::string& code) = 0;
  virtual std::optional<User> FindUser(const std::string& id) = 0;
  virtual std::optional<User> FindUserByTokenHash(const std::string& token_hash) = 0;
  virtual std::vector<User> UsersAt(const std::string& org, Role role) = 0;
  virtual std::vector<User> UsersWithRole(Role role) = 0;
  // A person's ids on the chat platforms (users' `im`): platform -> id on it.
  virtual std::map<std::string, std::string> ImOf(const std::string& user) = 0;
  // Who has `im_id` on `platform` (a press on a chat card comes with it).
  virtual std::optional<User> FindUserByIm(const std::string& platform,
                                           const std::string& im_id) = 0;
  // Channels of the org itself (routing walks up the org path).
  virtual std::vector<Channel> ChannelsOf(const std::string& org) = 0;
  virtual std::optional<Channel> FindChannel(const std::string& id) = 0;

  virtual std::optional<Household> FindHousehold(const std::string& id) = 0;
  virtual std::optional<MonitoringObject> FindMonitoring(const std::string& household) = 0;
  // The monitoring objects whose contact person is `user`, by household id.
  virtual std::vector<MonitoringObject> MonitoringOfContact(const std::string& user) = 0;
  virtual std::vector<Measure> MeasuresOf(const std::string& household) = 0;
  virtual std::vector<Visit> VisitsOf(const std::string& household) = 0;
  // A household's members in list order (seq); ID numbers whole (the store's own copy).
  virtual std::vector<Member> MembersOf(const std::string& household) = 0;
  // The member holding this (normalized, upper-case X) ID number, in whichever household.
  virtual std::optional<Member> FindMemberByIdNumber(const std::string& id_number) = 0;
  // The household's `update_household` audit events, oldest first (its change history).
  virtual std::vector<AuditEvent> HouseholdChanges(const std::string& household) = 0;

  virtual std::optional<Lead> FindLead(const std::string& id) = 0;
  // Leads of households under an org path prefix, oldest first (created_at, id); nullopt = any.
  virtual std::vector<Lead> LeadsInSubtree(const std::string& org_path_prefix,
                                           std::optional<LeadStatus> status, int limit) = 0;
  // Leads that ended in (or joined) the case, oldest first.
  virtual std::vector<Lead> LeadsOfCase(const std::string& case_id) = 0;

  // Attachments (佐证材料): one by id; those of a case (visit 0) or of a visit (case_id ""),
  // oldest first.
  virtual std::optional<Attachment> FindAttachment(std::int64_t id) = 0;
  virtual std::vector<Attachment> AttachmentsOf(const std::string& case_id, std::int64_t visit) = 0;
  // The bytes kept in the database under their SHA-256 (PostgreSQL: a large object); nullopt when
  // absent or when this store keeps none (SQLite: adapters/evidence keeps them as files).
  virtual std::optional<std::string> EvidenceBytes(const std::string& sha256) = 0;

  virtual std::optional<Case> FindCase(const std::string& id) = 0;
  virtual std::vector<Case> OpenCasesOf(const std::string& household) = 0;
  virtual std::vector<AuditEvent> History(const std::string& case_id) = 0;

  virtual std::optional<Task> FindTask(std::int64_t id) = 0;
  virtual std::vector<Task> OpenTasksOfCase(const std::string& case_id) = 0;
  virtual std::vector<Task> OpenTasksOfHousehold(const std::string& household) = 0;
  // Open tasks under an org path prefix, for roles in `roles` (empty = any), optionally only those
  // of `department` (nullopt = any), plus tasks assigned to `assignee` anywhere.
  virtual std::vector<Task> OpenTasksInSubtree(const std::string& org_path_prefix,
                                               const std::vector<Role>& roles,
                                               std::optional<Department> department,
                                               const std::string& assignee, int limit) = 0;
  // Open tasks under an org path prefix counted per (assignee, org, role), ordered by those keys.
  virtual std::vector<TaskGroupCount> OpenTaskGroups(const std::string& org_path_prefix, Instant now) = 0;
  // Open tasks under an org path prefix, due at or before `due_by`, oldest first (due_at, id);
  // only those assigned to `assignee` unless it is empty.
  virtual std::vector<Task> OpenTasksDueBy(const std::string& org_path_prefix, const std::string& assignee,
                                           Instant due_by, int limit) = 0;
  virtual std::int64_t CountOpenTasks() = 0;
  virtual std::int64_t CountOverdueTasks(Instant now) = 0;

  virtual std::vector<MeasureCoverageRow> MeasureCoverage(const std::string& org_path_prefix) = 0;
  // Every monitoring object under an org path by type (key), status (key2) and primary cause
  // (key3), in one pass: the monitoring report derives its four groupings from it.
  virtual std::vector<CountRow> CountMonitoring(const std::string& org_path_prefix) = 0;
  // Per village under an org path: measures recorded before the China midnight ending the day
  // `window` seconds after admission (objects whose such deadline is <= now), and visits in
  // [month_from, month_to) of risk_active objects admitted before month_to.
  virtual std::vector<VillageTimeliness> Timeliness(const std::string& org_path_prefix, Instant now,
                                                    Instant window, Instant month_from,
                                                    Instant month_to) = 0;
  // Movements recorded at from <= at < to under an org path, per (kind, detail): rows and the
  // sum of their persons.
  virtual std::vector<MovementCount> CountMovements(const std::string& org_path_prefix, Instant from,
                                                    Instant to) = 0;

  // The ledger: monitoring objects matching `filter`, `limit` of them after `offset`.
  virtual LedgerSlice Ledger(const LedgerFilter& filter, std::int64_t offset, int limit) = 0;

  // Audit chain, oldest first, in pages (after_seq exclusive).
  virtual std::vector<AuditEvent> AuditPage(std::int64_t after_seq, int limit) = 0;
  // A value of the meta table (e.g. the audit switch-over point), if set.
  virtual std::optional<std::string> Meta(const std::string& key) = 0;

  // The console's lists (issue 19): what `actor` did (已办), newest first; the cases `user` opened
  // (我发起), newest first; households of the subtree whose id is `text` or whose head's name
  // contains it.
  virtual std::vector<AuditEvent> EventsByActor(const std::string& actor, int limit) = 0;
  virtual std::vector<Case> CasesOpenedBy(const std::string& user, int limit) = 0;
  virtual std::vector<Household> SearchHouseholds(const std::string& org_path_prefix,
                                                  const std::string& text, int limit) = 0;

  // The first storage error any call on this view (or transaction) met, if any. It is sticky: a
  // failed query returns nothing, so an answer built after one must not be trusted (Checked).
  virtual const std::optional<Error>& failure() const = 0;

  // The stored answer for (principal, scope, key); scope is "METHOD /path" of the request.
  virtual std::optional<IdempotentReply> FindIdempotent(const std::string& principal,
                                                        const std::string& scope,
                                                        const std::string& key) = 0;
};

// A read's answer, unless the view failed on the way: then the store's error (503/500), never a
// partial answer, an empty list, "not found" or "unknown token" made of a failed query.
template <class T>
Result<T> Checked(const ReadView& view, Result<T> answer) {
  if (const auto& failure = view.failure()) return *failure;
  return answer;
}

// One command's view of the open write transaction. Mutations are undone as a unit if the
// command fails (a savepoint per command inside the group-commit batch).
class WriteTx : public ReadView {
 public:
  virtual Status InsertOrg(const Org& org) = 0;                 // Conflict if the code exists
  virtual Status InsertUser(const User& user, const std::string& token_hash) = 0;
  // Conflict if the platform id belongs to another user already.
  virtual Status InsertUserIm(const std::string& user, const std::string& platform,
                              const std::string& im_id) = 0;
  // Revokes (revoked = true) or reissues (a new hash, its expiry) a user's token.
  virtual void UpdateUserToken(const std::string& id, const std::string& token_hash, bool revoked,
                               std::optional<Instant> expires_at = std::nullopt) = 0;
  // Moves a user to another org (the caller checked the org exists).
  virtual void UpdateUserOrg(const std::string& id, const std::string& org,
                             const std::string& org_path) = 0;
  virtual Status InsertChannel(const Channel& channel) = 0;
  virtual Status InsertHousehold(const Household& household) = 0;  // Conflict if the id exists
  // Writes every field but id, village and created_*: the caller has bumped `version`.
  virtual void UpdateHousehold(const Household& household) = 0;
  // Replaces the household's member list. Conflict (nothing written) if an ID number belongs to
  // another household's member.
  virtual Status ReplaceMembers(const std::string& household,
                                const std::vector<Member>& members) = 0;
  virtual std::string NextLeadId() = 0;  // "L00000001", ...
  virtual void InsertLead(const Lead& lead) = 0;
  virtual void UpdateLead(const Lead& lead) = 0;  // status, outcome, case, comment, resolved_*
  virtual void UpsertMonitoring(const MonitoringObject& object) = 0;
  virtual std::int64_t InsertMeasure(const Measure& measure) = 0;
  virtual std::int64_t InsertVisit(const Visit& visit) = 0;
  virtual void InsertMovement(const Movement& movement) = 0;
  virtual std::int64_t InsertAttachment(const Attachment& attachment) = 0;  // returns the new id
  // Keeps `bytes` under `sha256` (their digest) in this transaction, once (the same bytes again
  // write nothing). PostgreSQL: a large object; SQLite keeps none (kInternal: files instead).
  virtual Status PutEvidenceBytes(const std::string& sha256, std::string_view bytes) = 0;

  virtual std::string NextCaseId() = 0;
  virtual void InsertCase(const Case& c) = 0;
  // A case moved (state, version, data, updated_at, closed, department, threshold_warning,
  // last_actor, last_from). Its identity (workflow and version, household, org_path, created_*)
  // is fixed when it is inserted and is not written again; an open case's `closed` column is
  // left alone, so the cases_household_open index is rewritten only when a case closes.
  virtual void UpdateCase(const Case& c) = 0;

  virtual std::int64_t InsertTask(const Task& task) = 0;  // returns the new id
  virtual void UpdateTask(const Task& task) = 0;
  // Narrow updates: only the columns named, so only the indexes over them are rewritten (a timer
  // firing touches the tasks_timer index, not the five others).
  virtual void UpdateTaskTimer(const Task& task) = 0;  // fire_index, next_fire_at
  // status, closed_at; clears next_fire_at. `task` as read in this transaction (or written since):
  // its org_path, org, role and assignee name the task_counts group it leaves.
  virtual void UpdateTaskClosed(const Task& task) = 0;
  // Tasks whose next timer is due at `now`, earliest first.
  virtual std::vector<Task> DueTasks(Instant now, int limit) = 0;
  virtual std::optional<Instant> NextFireAt() = 0;

  virtual std::string LastAuditHash() = 0;
  virtual std::int64_t AppendAudit(const AuditEvent& event) = 0;  // returns seq

  virtual std::int64_t InsertOutbox(const OutboxMessage& message) = 0;  // fills message_id if empty

  virtual void SaveIdempotent(const std::string& principal, const std::string& scope,
                              const std::string& key, const IdempotentReply& reply) = 0;
  // Deletes up to `limit` stored answers created before `before`; returns how many.
  virtual int PruneIdempotent(Instant before, int limit) = 0;

  // Named schedules (e.g. the daily overdue digest): the next engine time each runs.
  virtual std::optional<Instant> ScheduleNext(const std::string& name) = 0;
  virtual void SetScheduleNext(const std::string& name, Instant at) = 0;
};

// A write job runs inside the writer's transaction; its error undoes its writes. What it computes
// it keeps itself (Submit and Run below hand typed results back).
using WriteJob = std::function<Status(WriteTx&)>;
using WriteDone = std::function<void(Status)>;

class Store {
 public:
  virtual ~Store() = default;
  // Queues a job for the next group commit. `done` (may be empty) runs after the batch's COMMIT
  // is durable, or with the job's own error, in which case none of its writes remain. It is
  // called on the writer thread: keep it short (render replies elsewhere).
  virtual void Enqueue(WriteJob job, WriteDone done) = 0;
  // As Enqueue, for a job that may run more than once: when another job of its batch fails after
  // writing, the store may roll the whole batch back and run the others again (instead of a
  // savepoint per job). Such a job has no effect outside its transaction, or only one that a
  // second run overwrites (a result it assigns, not appends).
  virtual void EnqueueRerunnable(WriteJob job, WriteDone done) {
    Enqueue(std::move(job), std::move(done));
  }
  virtual std::unique_ptr<ReadView> Read() = 0;
  // Observer for commit batch sizes (metrics).
  virtual void OnBatch(std::function<void(std::size_t)> observer) = 0;

  // Typed forms of Enqueue: `job` returns Result<T>; `done` gets it once committed (or the error).
  template <class Job, class Done>
  void Submit(Job job, Done done);
  // Runs a job and waits for its durable result (CLI, tests, timers).
  template <class Job>
  std::invoke_result_t<Job&, WriteTx&> Run(Job job);

 private:
  Status Wait(WriteJob job);
};

template <class Job, class Done>
void Store::Submit(Job job, Done done) {
  using R = std::invoke_result_t<Job&, WriteTx&>;
  auto slot = std::make_shared<std::optional<R>>();
  WriteDone erased;
  if constexpr (!std::is_null_pointer_v<Done>) {
    erased = [slot, done = std::move(done)](Status st) mutable {
      if (!st.ok()) return done(R(st.error()));
      done(std::move(**slot));
    };
  }
  Enqueue([slot, job = std::move(job)](WriteTx& tx) mutable -> Status {
            R r = job(tx);
            if (!r.ok()) return r.error();
            slot->emplace(std::move(r));
            return OkStatus();
          },
          std::move(erased));
}

template <class Job>
std::invoke_result_t<Job&, WriteTx&> Store::Run(Job job) {
  using R = std::invoke_result_t<Job&, WriteTx&>;
  std::optional<R> slot;
  Status st = Wait([&slot, &job](WriteTx& tx) -> Status {
    R r = job(tx);
    if (!r.ok()) return r.error();
    slot.emplace(std::move(r));
    return OkStatus();
  });
  if (!st.ok()) return R(st.error());
  return std::move(*slot);
}

}  // namespace dixian::engine
