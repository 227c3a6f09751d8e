#include "adapters/store/sql/write_tx.h"

#include <cstdio>

#include "adapters/store/sql/rows.h"

namespace dixian::store {

std::optional<engine::Error> SqlWriteTx::TakeError() { return TakeRecordedError(); }

void SqlWriteTx::Write(Statement& st) {
  if (Failed(st)) return;  // failed to prepare
  (void)st.Run();
  Failed(st);
}

std::int64_t SqlWriteTx::InsertReturningId(Statement& st) {
  auto id = One<std::int64_t>(st, [](const Statement& s) { return s.Int64(0); });
  (void)st.Run();  // finish the statement so the write is complete
  if (!id && !Failed(st)) RecordError(engine::Error::Internal("内部错误：插入未返回编号"));
  return id.value_or(0);
}

std::int64_t SqlWriteTx::InsertGettingId(Statement& st) {
  if (conn().dialect() == Dialect::kPostgres) return InsertReturningId(st);
  if (Failed(st)) return 0;  // failed to prepare
  (void)st.Run();
  if (Failed(st)) return 0;
  if (conn().Changes() != 1) {
    RecordError(engine::Error::Internal("内部错误：插入未返回编号"));
    return 0;
  }
  return conn().LastInsertId();
}

engine::Status SqlWriteTx::Insert(Statement& st) {
  auto status = st.Run();
  if (!status && status.error().code != engine::ErrorCode::kConflict) RecordError(status.error());
  if (status && conn().Changes() == 0)
    return engine::Error::Conflict("duplicate", "记录已存在，不能重复添加");
  return status;
}

engine::Status SqlWriteTx::InsertOrg(const engine::Org& org) {
  auto st = conn().Prepare(
      "INSERT INTO orgs(code, name, level, parent, path) VALUES(?1, ?2, ?3, ?4, ?5)"
      " ON CONFLICT DO NOTHING");
  st.Bind(1, org.code).Bind(2, org.name).Bind(3, engine::Name(org.level)).BindNullIfEmpty(4, org.parent);
  st.Bind(5, org.path);
  return Insert(st);
}

engine::Status SqlWriteTx::InsertUser(const engine::User& user, const std::string& token_hash) {
  auto st = conn().Prepare(
      "INSERT INTO users(id, name, role, org, org_path, department, mobile, token_hash, revoked,"
      " created_at, token_expires_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
      " ON CONFLICT DO NOTHING");
  st.Bind(1, user.id).Bind(2, user.name).Bind(3, engine::Name(user.role)).Bind(4, user.org);
  st.Bind(5, user.org_path).Bind(6, NameOrEmpty(user.department)).Bind(7, user.mobile);
  st.BindNullIfEmpty(8, token_hash).Bind(9, user.revoked).Bind(10, user.created_at);
  st.Bind(11, user.token_expires_at);
  return Insert(st);
}

engine::Status SqlWriteTx::InsertUserIm(const std::string& user, const std::string& platform,
                                        const std::string& im_id) {
  auto st = conn().Prepare("INSERT INTO user_im(platform, im_id, \"user\") VALUES(?1, ?2, ?3)"
                           " ON CONFLICT DO NOTHING");
  st.Bind(1, platform).Bind(2, im_id).Bind(3, user);
  return Insert(st);
}

void SqlWriteTx::UpdateUserToken(const std::string& id, const std::string& token_hash, bool revoked,
                                 std::optional<engine::Instant> expires_at) {
  auto st = conn().Prepare(
      "UPDATE users SET token_hash = ?2, revoked = ?3, token_expires_at = ?4 WHERE id = ?1");
  st.Bind(1, id).BindNullIfEmpty(2, token_hash).Bind(3, revoked).Bind(4, expires_at);
  Write(st);
}

void SqlWriteTx::UpdateUserOrg(const std::string& id, const std::string& org,
                              const std::string& org_path) {
  auto st = conn().Prepare("UPDATE users SET org = ?2, org_path = ?3 WHERE id = ?1");
  st.Bind(1, id).Bind(2, org).Bind(3, org_path);
  Write(st);
}

engine::Status SqlWriteTx::InsertChannel(const engine::Channel& c) {
  // The robot URL (its access token), the signing secret and the app's credentials are sealed.
  std::string url = c.url, secret = c.secret, app = AppToText(c.app);
  if (secrets()) {
    auto sealed_url = secrets()->Seal(c.url, ChannelColumn("url", c.id));
    if (!sealed_url.ok()) return sealed_url.error();
    auto sealed_secret = secrets()->Seal(c.secret, ChannelColumn("secret", c.id));
    if (!sealed_secret.ok()) return sealed_secret.error();
    auto sealed_app = secrets()->Seal(app, ChannelColumn("app", c.id));
    if (!sealed_app.ok()) return sealed_app.error();
    url = std::move(sealed_url.value());
    secret = std::move(sealed_secret.value());
    app = std::move(sealed_app.value());
  }
  auto st = conn().Prepare(
      "INSERT INTO channels(id, org, kind, url, secret, quiet_start_hour, quiet_end_hour, app)"
      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING");
  st.Bind(1, c.id).Bind(2, c.org).Bind(3, c.kind).Bind(4, url).Bind(5, secret);
  st.Bind(6, c.quiet_start_hour).Bind(7, c.quiet_end_hour).Bind(8, app);
  return Insert(st);
}

engine::Status SqlWriteTx::InsertHousehold(const engine::Household& h) {
  auto st = conn().Prepare(
      "INSERT INTO households(" DIXIAN_HOUSEHOLD_COLUMNS ")"
      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) ON CONFLICT DO NOTHING");
  st.Bind(1, h.id).Bind(2, h.village).Bind(3, h.village_path).Bind(4, h.head_name);
  st.Bind(5, h.members).Bind(6, h.income_per_capita).Bind(7, h.created_at).Bind(8, h.version);
  st.Bind(9, h.registered_poor).Bind(10, h.away_long_term).Bind(11, h.rigid_spending);
  st.Bind(12, h.created_by).Bind(13, h.updated_at);
  return Insert(st);
}

void SqlWriteTx::UpdateHousehold(const engine::Household& h) {
  auto st = conn().Prepare(
      "UPDATE households SET head_name = ?2, members = ?3, income_per_capita = ?4, version = ?5,"
      " registered_poor = ?6, away_long_term = ?7, rigid_spending = ?8, updated_at = ?9"
      " WHERE id = ?1");
  st.Bind(1, h.id).Bind(2, h.head_name).Bind(3, h.members).Bind(4, h.income_per_capita);
  st.Bind(5, h.version).Bind(6, h.registered_poor).Bind(7, h.away_long_term);
  st.Bind(8, h.rigid_spending).Bind(9, h.updated_at);
  Write(st);
}

engine::Status SqlWriteTx::ReplaceMembers(const std::string& household,
                                          const std::vector<engine::Member>& members) {
  for (const auto& m : members)
    if (auto other = FindMemberByIdNumber(m.id_number); other && other->household != household)
      return engine::Error::Conflict("duplicate_id_number", "身份证号码已属于另一户");
  auto del = conn().Prepare("DELETE FROM members WHERE household = ?1");
  del.Bind(1, household);
  Write(del);
  for (const auto& m : members) {
    auto st = conn().Prepare("INSERT INTO members(" DIXIAN_MEMBER_COLUMNS
                             ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                             " ON CONFLICT DO NOTHING");
    st.Bind(1, household).Bind(2, m.seq).Bind(3, m.name).Bind(4, engine::Name(m.relation));
    st.Bind(5, m.id_number).Bind(6, engine::Name(m.sex)).Bind(7, m.birth_year);
    st.Bind(8, engine::Name(m.labour)).Bind(9, m.health).Bind(10, m.schooling);
    if (auto status = Insert(st); !status.ok()) return status;  // a repeat inside the list
  }
  return engine::OkStatus();
}

std::string SqlWriteTx::NextLeadId() {
  auto st = conn().Prepare(
      "INSERT INTO meta(key, value) VALUES('lead_seq', '1')"
      " ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT)"
      " RETURNING CAST(value AS INTEGER)");
  auto seq = One<std::int64_t>(st, [](const Statement& s) { return s.Int64(0); });
  (void)st.Run();
  Failed(st);
  char id[32];
  std::snprintf(id, sizeof id, "L%08lld", static_cast<long long>(seq.value_or(0)));
  return id;
}

void SqlWriteTx::InsertLead(const engine::Lead& l) {
  auto st = conn().Prepare("INSERT INTO leads(" DIXIAN_LEAD_COLUMNS ") VALUES(?1, ?2, ?3, ?4,"
                           " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
  st.Bind(1, l.id).Bind(2, l.household).Bind(3, l.village_path).Bind(4, engine::Name(l.source));
  st.Bind(5, l.indicator).Bind(6, l.detail).Bind(7, engine::Name(l.status)).Bind(8, l.task);
  st.Bind(9, NameOrEmpty(l.outcome)).Bind(10, l.case_id).Bind(11, l.comment);
  st.Bind(12, l.created_by).Bind(13, l.created_at).Bind(14, l.resolved_by);
  st.Bind(15, l.resolved_at);
  Write(st);
}

void SqlWriteTx::UpdateLead(const engine::Lead& l) {
  auto st = conn().Prepare(
      "UPDATE leads SET status = ?2, task = ?3, outcome = ?4, case_id = ?5, comment = ?6,"
      " resolved_by = ?7, resolved_at = ?8 WHERE id = ?1");
  st.Bind(1, l.id).Bind(2, engine::Name(l.status)).Bind(3, l.task).Bind(4, NameOrEmpty(l.outcome));
  st.Bind(5, l.case_id).Bind(6, l.comment).Bind(7, l.resolved_by).Bind(8, l.resolved_at);
  Write(st);
}

void SqlWriteTx::UpsertMonitoring(const engine::MonitoringObject& m) {
  auto st = conn().Prepare(
      "INSERT INTO monitoring(household, type, status, primary_cause, causes, admitted_at,"
      " contact, updated_at, village_path)"
      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
      "        COALESCE((SELECT village_path FROM households WHERE id = ?1), ''))"
      " ON CONFLICT(household) DO UPDATE SET type = excluded.type, status = excluded.status,"
      "   primary_cause = excluded.primary_cause, causes = excluded.causes,"
      "   admitted_at = excluded.admitted_at, contact = excluded.contact,"
      "   updated_at = excluded.updated_at, village_path = excluded.village_path");
  st.Bind(1, m.household).Bind(2, engine::Name(m.type)).Bind(3, engine::Name(m.status));
  st.Bind(4, NameOrEmpty(m.primary_cause));
  st.Bind(5, CausesToJson(m.causes)).Bind(6, m.admitted_at).Bind(7, m.contact);
  st.Bind(8, m.updated_at);
  Write(st);
}

std::int64_t SqlWriteTx::InsertMeasure(const engine::Measure& m) {
  auto st = conn().Prepare(
      "INSERT INTO measures(household, kind, description, department, created_by, created_at,"
      " cause) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id");
  st.Bind(1, m.household).Bind(2, m.kind).Bind(3, m.description).Bind(4, NameOrEmpty(m.department));
  st.Bind(5, m.created_by).Bind(6, m.created_at).Bind(7, NameOrEmpty(m.cause));
  return InsertReturningId(st);
}

std::int64_t SqlWriteTx::InsertVisit(const engine::Visit& v) {
  auto st = conn().Prepare(
      "INSERT INTO visits(household, mode, note, \"user\", at) VALUES(?1, ?2, ?3, ?4, ?5)"
      " RETURNING id");
  st.Bind(1, v.household).Bind(2, engine::Name(v.mode)).Bind(3, v.note).Bind(4, v.user).Bind(5, v.at);
  return InsertReturningId(st);
}

std::int64_t SqlWriteTx::InsertAttachment(const engine::Attachment& a) {
  auto st = conn().Prepare(
      "INSERT INTO attachments(case_id, visit, household, village_path, kind, filename,"
      " content_type, size, sha256, actor, at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
      " RETURNING id");
  st.Bind(1, a.case_id).Bind(2, a.visit).Bind(3, a.household).Bind(4, a.org_path);
  st.Bind(5, engine::Name(a.kind)).Bind(6, a.filename).Bind(7, a.content_type).Bind(8, a.size);
  st.Bind(9, a.sha256).Bind(10, a.actor).Bind(11, a.at);
  return InsertReturningId(st);
}

engine::Status SqlWriteTx::PutEvidenceBytes(const std::string& sha256, std::string_view bytes) {
  if (conn().dialect() != Dialect::kPostgres)
    return engine::Error::Internal("SQLite 存储不在数据库中保存佐证材料（保存为数据库旁的文件）");
  {
    auto known = conn().Prepare("SELECT 1 FROM evidence_objects WHERE sha256 = ?1");
    known.Bind(1, sha256);
    if (known.Step()) return engine::OkStatus();  // the same bytes: one object
    if (known.error()) return *known.error();
  }
  auto oid = conn().WriteLargeObject(bytes);
  if (!oid.ok()) return oid.error();
  auto st = conn().Prepare("INSERT INTO evidence_objects(sha256, oid, size) VALUES(?1, ?2, ?3)");
  st.Bind(1, sha256).Bind(2, *oid).Bind(3, static_cast<std::int64_t>(bytes.size()));
  return st.Run();
}

void SqlWriteTx::InsertMovement(const engine::Movement& m) {
  auto st = conn().Prepare(
      "INSERT INTO movements(at, kind, household, village_path, case_id, detail, detail_label,"
      " persons) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  st.Bind(1, m.at).Bind(2, engine::Name(m.kind)).Bind(3, m.household).Bind(4, m.village_path);
  st.Bind(5, m.case_id).Bind(6, m.detail).Bind(7, m.detail_label).Bind(8, std::int64_t{m.persons});
  Write(st);
}

std::string SqlWriteTx::NextCaseId() {
  auto st = conn().Prepare(
      "INSERT INTO meta(key, value) VALUES('case_seq', '1')"
      " ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT)"
      " RETURNING CAST(value AS INTEGER)");
  auto seq = One<std::int64_t>(st, [](const Statement& s) { return s.Int64(0); });
  (void)st.Run();  // finish the statement so the write is complete
  Failed(st);
  char id[32];
  std::snprintf(id, sizeof id, "C%08lld", static_cast<long long>(seq.value_or(0)));
  return id;
}

namespace {
// Binds every case column (parameters 1..16 in DIXIAN_CASE_COLUMNS order).
void BindCase(Statement& st, const engine::Case& c) {
  st.Bind(1, c.id).Bind(2, c.workflow).Bind(3, c.workflow_version).Bind(4, c.household);
  st.Bind(5, c.state).Bind(6, c.version).Bind(7, c.org_path).Bind(8, c.data.dump());
  st.Bind(9, c.created_by).Bind(10, c.created_at).Bind(11, c.updated_at).Bind(12, c.closed);
  st.Bind(13, NameOrEmpty(c.department)).Bind(14, c.threshold_warning).Bind(15, c.last_actor);
  st.Bind(16, c.last_from);
}
}  // namespace

void SqlWriteTx::InsertCase(const engine::Case& c) {
  auto st = conn().Prepare("INSERT INTO cases(" DIXIAN_CASE_COLUMNS ") VALUES(?1, ?2, ?3, ?4, ?5, ?6,"
                           " ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)");
  BindCase(st, c);
  Write(st);
}

// Only the columns a move changes: SQLite rebuilds the row either way but rewrites only the
// indexes over the columns named (and checks the household's foreign key only when `household`
// is set). An open case leaves `closed` out, and with it the cases_household_open index whose
// WHERE names it; a case still closed in the table (reopened, never done today) takes the second
// statement, which sets it.
void SqlWriteTx::UpdateCase(const engine::Case& c) {
#define DIXIAN_UPDATE_CASE                                                                   \
  "UPDATE cases SET state = ?2, version = ?3, data = ?4, updated_at = ?5, department = ?6," \
  " threshold_warning = ?7, last_actor = ?8, last_from = ?9"
  auto bind = [&c](Statement& st) {
    st.Bind(1, c.id).Bind(2, c.state).Bind(3, c.version).Bind(4, c.data.dump());
    st.Bind(5, c.updated_at).Bind(6, NameOrEmpty(c.department)).Bind(7, c.threshold_warning);
    st.Bind(8, c.last_actor).Bind(9, c.last_from);
  };
  if (!c.closed) {
    auto st = conn().Prepare(DIXIAN_UPDATE_CASE " WHERE id = ?1 AND closed = 0");
    bind(st);
    Write(st);
    if (failure() || conn().Changes() == 1) return;
  }
  auto st = conn().Prepare(DIXIAN_UPDATE_CASE ", closed = ?10 WHERE id = ?1");
#undef DIXIAN_UPDATE_CASE
  bind(st);
  st.Bind(10, c.closed);
  Write(st);
}

namespace {
// Binds every task column but id (parameters 2..18 in DIXIAN_TASK_COLUMNS order).
void BindTask(Statement& st, const engine::Task& t) {
  st.Bind(2, t.case_id).Bind(3, t.household).Bind(4, t.workflow).Bind(5, t.workflow_version);
  st.Bind(6, t.step).Bind(7, t.org).Bind(8, t.org_path).Bind(9, engine::Name(t.role));
  st.Bind(10, NameOrEmpty(t.department));
  st.Bind(11, t.assignee).Bind(12, t.created_at).Bind(13, t.due_at).Bind(14, engine::Name(t.status));
  st.Bind(15, t.closed_at).Bind(17, t.fire_index).Bind(18, t.period);
  // Only open tasks keep a timer.
  if (t.status == engine::TaskStatus::kOpen) st.Bind(16, t.next_fire_at);
  else st.BindNull(16);
}
}  // namespace

std::int64_t SqlWriteTx::InsertTask(const engine::Task& task) {
  // An id of 0 takes the next one: MAX(id) + 1 (SQLite's rowid; PostgreSQL: the table's
  // take_next_id trigger, under the write lock), so a rolled-back command gives its number back.
#define DIXIAN_INSERT_TASK                                                                        \
  "INSERT INTO tasks(" DIXIAN_TASK_COLUMNS ") VALUES(NULLIF(CAST(?1 AS BIGINT), 0), ?2, ?3, ?4," \
  " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)"
  auto st = conn().Prepare(conn().Sql(DIXIAN_INSERT_TASK, DIXIAN_INSERT_TASK " RETURNING id"));
#undef DIXIAN_INSERT_TASK
  st.Bind(1, task.id);
  BindTask(st, task);
  const std::int64_t id = InsertGettingId(st);
  CountOpen(task);
  return id;
}

void SqlWriteTx::CountOpen(const engine::Task& task) {
  if (task.status != engine::TaskStatus::kOpen) return;
  auto st = conn().Prepare(
      "INSERT INTO task_counts(org_path, org, role, assignee, open_tasks) VALUES(?1, ?2, ?3, ?4, 1)"
      " ON CONFLICT(org_path, org, role, assignee) DO UPDATE"
      " SET open_tasks = task_counts.open_tasks + 1");
  st.Bind(1, task.org_path).Bind(2, task.org).Bind(3, engine::Name(task.role)).Bind(4, task.assignee);
  Write(st);
}

void SqlWriteTx::UncountOpen(std::int64_t task_id) {
  auto st = conn().Prepare(
      "UPDATE task_counts SET open_tasks = open_tasks - 1"
      " WHERE (org_path, org, role, assignee) ="
      " (SELECT org_path, org, role, assignee FROM tasks WHERE id = ?1 AND status = 'open')");
  st.Bind(1, task_id);
  Write(st);
}

void SqlWriteTx::UpdateTask(const engine::Task& task) {
  auto st = conn().Prepare(
      "UPDATE tasks SET case_id = ?2, household = ?3, workflow = ?4, workflow_version = ?5,"
      " step = ?6, org = ?7, org_path = ?8, role = ?9, department = ?10, assignee = ?11,"
      " created_at = ?12, due_at = ?13, status = ?14, closed_at = ?15,"
      " next_fire_at = ?16,"
      " fire_index = ?17, period = ?18 WHERE id = ?1");
  st.Bind(1, task.id);
  BindTask(st, task);
  UncountOpen(task.id);
  Write(st);
  CountOpen(task);
}

void SqlWriteTx::UpdateTaskTimer(const engine::Task& task) {
  auto st = conn().Prepare(
      "UPDATE tasks SET next_fire_at = CASE WHEN status = 'open' THEN CAST(?2 AS BIGINT) END,"
      " fire_index = ?3"
      " WHERE id = ?1");
  st.Bind(1, task.id).Bind(2, task.next_fire_at).Bind(3, task.fire_index);
  Write(st);
}

// An open task closes in one statement that says whether it was open, and its group's counter
// is decremented by the group's key as the task carries it (UncountOpen's subquery read the row
// again). A task already closed is written as before, without touching the counters.
void SqlWriteTx::UpdateTaskClosed(const engine::Task& task) {
  auto open = conn().Prepare(
      "UPDATE tasks SET status = ?2, closed_at = ?3, next_fire_at = NULL"
      " WHERE id = ?1 AND status = 'open'");
  open.Bind(1, task.id).Bind(2, engine::Name(task.status)).Bind(3, task.closed_at);
  Write(open);
  if (failure()) return;
  if (conn().Changes() == 1) {
    auto uncount = conn().Prepare(
        "UPDATE task_counts SET open_tasks = open_tasks - 1"
        " WHERE org_path = ?1 AND org = ?2 AND role = ?3 AND assignee = ?4");
    uncount.Bind(1, task.org_path).Bind(2, task.org).Bind(3, engine::Name(task.role));
    uncount.Bind(4, task.assignee);
    Write(uncount);
  } else {
    auto st = conn().Prepare(
        "UPDATE tasks SET status = ?2, closed_at = ?3, next_fire_at = NULL WHERE id = ?1");
    st.Bind(1, task.id).Bind(2, engine::Name(task.status)).Bind(3, task.closed_at);
    Write(st);
  }
  CountOpen(task);
}

// The timer queries read the partial index tasks_timer only (SQLite: "+status" keeps the planner
// off the status index); closed tasks never keep a next_fire_at (InsertTask, UpdateTask,
// UpdateTaskClosed clear it, and UpdateTaskTimer leaves it NULL on a closed task). On PostgreSQL
// the due rows are claimed (FOR UPDATE SKIP LOCKED): a transaction of another process firing
// timers at the same time takes others, and a claim ends with the transaction that fires them.
std::vector<engine::Task> SqlWriteTx::DueTasks(engine::Instant now, int limit) {
  auto st = conn().Prepare(conn().Sql("SELECT " DIXIAN_TASK_COLUMNS DIXIAN_DUE_TASKS_WHERE,
                                      "SELECT " DIXIAN_TASK_COLUMNS DIXIAN_DUE_TASKS_WHERE_PG));
  st.Bind(1, now).Bind(2, limit);
  return Collect<engine::Task>(st, TaskFromRow);
}

std::optional<engine::Instant> SqlWriteTx::NextFireAt() {
  auto st = conn().Prepare(conn().Sql(
      "SELECT next_fire_at FROM tasks WHERE next_fire_at IS NOT NULL"
      " AND +status = 'open' ORDER BY next_fire_at LIMIT 1",
      "SELECT next_fire_at FROM tasks WHERE next_fire_at IS NOT NULL"
      " AND status = 'open' ORDER BY next_fire_at LIMIT 1"));
  return One<engine::Instant>(st, [](const Statement& s) { return s.Int64(0); });
}

std::string SqlWriteTx::LastAuditHash() {
  if (last_audit_hash_) return *last_audit_hash_;
  auto st = conn().Prepare("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1");
  auto hash = One<std::string>(st, [](const Statement& s) { return s.Text(0); }).value_or("");
  if (!Failed(st)) last_audit_hash_ = hash;
  return hash;
}

std::int64_t SqlWriteTx::AppendAudit(const engine::AuditEvent& e) {
#define DIXIAN_INSERT_AUDIT                                                                   \
  "INSERT INTO audit(" DIXIAN_AUDIT_COLUMNS ") VALUES(NULLIF(CAST(?1 AS BIGINT), 0),"   \
  " ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
  auto st = conn().Prepare(conn().Sql(DIXIAN_INSERT_AUDIT, DIXIAN_INSERT_AUDIT " RETURNING seq"));
#undef DIXIAN_INSERT_AUDIT
  st.Bind(1, e.seq).Bind(2, e.at).Bind(3, e.case_id).Bind(4, e.household).Bind(5, e.actor);
  st.Bind(6, e.actor_role).Bind(7, e.actor_org).Bind(8, e.action).Bind(9, e.from_state);
  st.Bind(10, e.to_state).Bind(11, e.comment).Bind(12, e.data.dump()).Bind(13, e.prev_hash);
  st.Bind(14, e.hash).Bind(15, e.key_id);
  const std::int64_t seq = InsertGettingId(st);
  if (seq != 0) last_audit_hash_ = e.hash;
  else last_audit_hash_.reset();
  return seq;
}

std::int64_t SqlWriteTx::InsertOutbox(const engine::OutboxMessage& m) {
  // An empty message_id reads back as "msg-<id>" (COALESCE in DIXIAN_OUTBOX_COLUMNS): stable.
#define DIXIAN_INSERT_OUTBOX                                                                     \
  "INSERT INTO outbox(message_id, channel_id, kind, urgent, payload, created_at, attempts,"      \
  " next_attempt_at, last_error) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
  auto st = conn().Prepare(conn().Sql(DIXIAN_INSERT_OUTBOX, DIXIAN_INSERT_OUTBOX " RETURNING id"));
#undef DIXIAN_INSERT_OUTBOX
  st.BindNullIfEmpty(1, m.message_id).Bind(2, m.channel_id).Bind(3, m.kind).Bind(4, m.urgent);
  const bool has_facts = !m.facts.empty() || !m.facts.text.empty();
  st.Bind(5, has_facts ? NoticeFactsToJson(m.facts) : m.payload.dump()).Bind(6, m.created_at);
  st.Bind(7, m.attempts);
  st.Bind(8, m.next_attempt_at).Bind(9, m.last_error);
  return InsertGettingId(st);
}

void SqlWriteTx::SaveIdempotent(const std::string& principal, const std::string& scope,
                                   const std::string& key, const engine::IdempotentReply& reply) {
  auto st = conn().Prepare(
      "INSERT INTO idempotency(principal, scope, key, body_hash, status, response, created_at)"
      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(principal, scope, key) DO UPDATE SET"
      " body_hash = excluded.body_hash, status = excluded.status, response = excluded.response,"
      " created_at = excluded.created_at");
  st.Bind(1, principal).Bind(2, scope).Bind(3, key).Bind(4, reply.body_hash);
  st.Bind(5, reply.status).Bind(6, reply.response).Bind(7, reply.created_at);
  Write(st);
}

int SqlWriteTx::PruneIdempotent(engine::Instant before, int limit) {
  auto st = conn().Prepare(
      "DELETE FROM idempotency WHERE (principal, scope, key) IN (SELECT principal, scope, key"
      " FROM idempotency WHERE created_at < ?1 LIMIT ?2)");
  st.Bind(1, before).Bind(2, limit);
  Write(st);
  return conn().Changes();
}

std::optional<engine::Instant> SqlWriteTx::ScheduleNext(const std::string& name) {
  auto st = conn().Prepare("SELECT next_at FROM schedules WHERE name = ?1");
  st.Bind(1, name);
  return One<engine::Instant>(st, [](const Statement& s) { return s.Int64(0); });
}

void SqlWriteTx::SetScheduleNext(const std::string& name, engine::Instant at) {
  auto st = conn().Prepare(
      "INSERT INTO schedules(name, next_at) VALUES(?1, ?2)"
      " ON CONFLICT(name) DO UPDATE SET next_at = excluded.next_at");
  st.Bind(1, name).Bind(2, at);
  Write(st);
}

void SqlWriteTx::RecordOutcomes(const engine::DeliveryOutcomes& o, engine::Instant wall_now) {
  auto delivered = conn().Prepare(
      "UPDATE outbox SET status = 'delivered', attempts = attempts + 1, delivered_at = ?2,"
      " last_error = '' WHERE id = ?1");
  for (std::int64_t id : o.delivered) {
    delivered.Bind(1, id).Bind(2, wall_now);
    Write(delivered);
    delivered.Reset();
  }
  auto retry = conn().Prepare(
      "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3"
      " WHERE id = ?1");
  for (const auto& r : o.retries) {
    retry.Bind(1, r.id).Bind(2, r.next_attempt_at).Bind(3, r.error);
    Write(retry);
    retry.Reset();
  }
  auto dead = conn().Prepare(
      "UPDATE outbox SET status = 'dead', attempts = attempts + 1, last_error = ?2"
      " WHERE id = ?1");
  for (const auto& d : o.dead) {
    dead.Bind(1, d.id).Bind(2, d.reason);
    Write(dead);
    dead.Reset();
  }
  auto send = conn().Prepare("INSERT INTO chat_sends(key, at_ms) VALUES(?1, ?2)");
  for (const auto& s : o.sends) {
    send.Bind(1, s.key).Bind(2, s.at_ms);
    Write(send);
    send.Reset();
  }
  auto pause = conn().Prepare(
      "INSERT INTO chat_pauses(key, until_ms) VALUES(?1, ?2) ON CONFLICT(key)"
      " DO UPDATE SET until_ms = CASE WHEN excluded.until_ms > chat_pauses.until_ms"
      "   THEN excluded.until_ms ELSE chat_pauses.until_ms END");
  for (const auto& p : o.pauses) {
    pause.Bind(1, p.key).Bind(2, p.until_ms);
    Write(pause);
    pause.Reset();
  }
  if (o.forget_before_ms > 0) {
    auto forget = conn().Prepare("DELETE FROM chat_sends WHERE at_ms < ?1");
    forget.Bind(1, o.forget_before_ms);
    Write(forget);
    auto ended = conn().Prepare("DELETE FROM chat_pauses WHERE until_ms < ?1");
    ended.Bind(1, o.forget_before_ms);
    Write(ended);
  }
}

int SqlWriteTx::Redrive(std::int64_t id, engine::Instant wall_now) {
  auto st = conn().Prepare(
      "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?2"
      " WHERE status = 'dead' AND (CAST(?1 AS BIGINT) = 0 OR id = ?1)");
  st.Bind(1, id).Bind(2, wall_now);
  Write(st);
  return conn().Changes();
}

}  // namespace dixian::store
