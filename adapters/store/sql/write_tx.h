#pragma once
// The write transaction handed to each job of a group-commit batch, on either store: every
// ReadView query (on the write connection, so it sees its own writes) plus the mutations.
// Mutations that cannot return an error through the interface record it instead; the writer then
// fails the job and rolls its savepoint back (see sql/group_commit.h).
#include "adapters/store/sql/read_ops.h"

namespace dixian::store {

// The timer claim (DueTasks): the oldest due open tasks, read from the partial index tasks_timer
// only (SQLite: "+status" keeps the planner off the status index; PostgreSQL: the rows are
// claimed FOR UPDATE SKIP LOCKED, see DueTasks). ?1 now, ?2 the batch size. Public so tests and
// the timer benchmark show its plan.
#define DIXIAN_DUE_TASKS_WHERE                                       \
  " FROM tasks WHERE next_fire_at IS NOT NULL AND next_fire_at <= ?1" \
  " AND +status = 'open' ORDER BY next_fire_at, id LIMIT ?2"
#define DIXIAN_DUE_TASKS_WHERE_PG                                    \
  " FROM tasks WHERE next_fire_at IS NOT NULL AND next_fire_at <= ?1" \
  " AND status = 'open' ORDER BY next_fire_at, id LIMIT ?2 FOR UPDATE SKIP LOCKED"

class SqlWriteTx final : public SqlReadOps<engine::WriteTx> {
 public:
  explicit SqlWriteTx(Connection& conn, const engine::SecretBox* secrets = nullptr)
      : SqlReadOps(conn, secrets) {}

  // The write connection, inside the batch's transaction (maintenance that is plain SQL).
  Connection& connection() { return conn(); }

  engine::Status InsertOrg(const engine::Org& org) override;
  engine::Status InsertUser(const engine::User& user, const std::string& token_hash) override;
  engine::Status InsertUserIm(const std::string& user, const std::string& platform,
                              const std::string& im_id) override;
  void UpdateUserOrg(const std::string& id, const std::string& org,
                     const std::string& org_path) override;
  void UpdateUserToken(const std::string& id, const std::string& token_hash, bool revoked,
                       std::optional<engine::Instant> expires_at) override;
  engine::Status InsertChannel(const engine::Channel& channel) override;
  engine::Status InsertHousehold(const engine::Household& household) override;
  void UpdateHousehold(const engine::Household& household) override;
  engine::Status ReplaceMembers(const std::string& household,
                                const std::vector<engine::Member>& members) override;
  std::string NextLeadId() override;
  void InsertLead(const engine::Lead& lead) override;
  void UpdateLead(const engine::Lead& lead) override;
  void UpsertMonitoring(const engine::MonitoringObject& object) override;
  std::int64_t InsertMeasure(const engine::Measure& measure) override;
  std::int64_t InsertVisit(const engine::Visit& visit) override;
  std::int64_t InsertAttachment(const engine::Attachment& attachment) override;
  engine::Status PutEvidenceBytes(const std::string& sha256, std::string_view bytes) override;
  void InsertMovement(const engine::Movement& movement) override;

  std::string NextCaseId() override;
  void InsertCase(const engine::Case& c) override;
  void UpdateCase(const engine::Case& c) override;

  std::int64_t InsertTask(const engine::Task& task) override;
  void UpdateTask(const engine::Task& task) override;
  void UpdateTaskTimer(const engine::Task& task) override;
  void UpdateTaskClosed(const engine::Task& task) override;
  std::vector<engine::Task> DueTasks(engine::Instant now, int limit) override;
  std::optional<engine::Instant> NextFireAt() override;

  std::string LastAuditHash() override;
  std::int64_t AppendAudit(const engine::AuditEvent& event) override;

  std::int64_t InsertOutbox(const engine::OutboxMessage& message) override;

  void SaveIdempotent(const std::string& principal, const std::string& scope,
                      const std::string& key, const engine::IdempotentReply& reply) override;
  int PruneIdempotent(engine::Instant before, int limit) override;

  std::optional<engine::Instant> ScheduleNext(const std::string& name) override;
  void SetScheduleNext(const std::string& name, engine::Instant at) override;

  // Outbox bookkeeping for the delivery worker (run as writer jobs by the stores).
  void RecordOutcomes(const engine::DeliveryOutcomes& outcomes, engine::Instant wall_now);
  int Redrive(std::int64_t id, engine::Instant wall_now);  // id 0 = every dead message

  // Clears the recorded error before the next job (the writer keeps one tx per batch).
  std::optional<engine::Error> TakeError();
  // A job's writes were rolled back (its savepoint): what this tx remembers of them goes too.
  void ForgetJob() { last_audit_hash_.reset(); }

 private:
  // Runs a mutation; records any error.
  void Write(Statement& st);
  // Runs an INSERT ... RETURNING id; records any error. Returns the id (0 on failure).
  std::int64_t InsertReturningId(Statement& st);
  // `st` is a plain INSERT on SQLite (its rowid read back: a RETURNING clause makes SQLite open an
  // ephemeral table per row, ~10,000 instructions) and an INSERT ... RETURNING on PostgreSQL.
  std::int64_t InsertGettingId(Statement& st);
  // Runs an INSERT ... ON CONFLICT DO NOTHING: a row that was not inserted is a duplicate, handed
  // back (kConflict "duplicate") instead of recorded; so is any other constraint violation.
  engine::Status Insert(Statement& st);
  // task_counts (migration 11): the open task's group counted once more; the task with this id,
  // if open, counted once less (run before its row changes).
  void CountOpen(const engine::Task& task);
  void UncountOpen(std::int64_t task_id);

  // The audit chain's last hash once read or appended in this transaction (it holds the write
  // lock: nobody else appends meanwhile); saves the query in every job of a batch but the first.
  std::optional<std::string> last_audit_hash_;
};

}  // namespace dixian::store
