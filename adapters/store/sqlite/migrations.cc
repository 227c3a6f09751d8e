#include "adapters/store/sqlite/migrations.h"

#include <string>

namespace dixian::store {
namespace {

// Version 1: the whole first schema. Org subtrees are path prefixes (range scans on an index);
// the audit table is append-only (triggers abort UPDATE and DELETE).
constexpr const char kSchemaV1[] = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE orgs(
  code TEXT PRIMARY KEY, name TEXT NOT NULL, level TEXT NOT NULL, parent TEXT,
  path TEXT NOT NULL UNIQUE);
CREATE INDEX orgs_parent ON orgs(parent);

CREATE TABLE users(
  id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, org TEXT NOT NULL DEFAULT '',
  org_path TEXT NOT NULL DEFAULT '', department TEXT NOT NULL DEFAULT '',
  mobile TEXT NOT NULL DEFAULT '', token_hash TEXT UNIQUE, revoked INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL);
CREATE INDEX users_org_role ON users(org, role);

CREATE TABLE channels(
  id TEXT PRIMARY KEY, org TEXT NOT NULL, kind TEXT NOT NULL, url TEXT NOT NULL,
  secret TEXT NOT NULL DEFAULT '', quiet_start_hour INTEGER NOT NULL DEFAULT -1,
  quiet_end_hour INTEGER NOT NULL DEFAULT -1);
CREATE INDEX channels_org ON channels(org);

CREATE TABLE households(
  id TEXT PRIMARY KEY, village TEXT NOT NULL, village_path TEXT NOT NULL,
  head_name TEXT NOT NULL, members INTEGER NOT NULL, income_per_capita REAL NOT NULL,
  created_at INTEGER NOT NULL) WITHOUT ROWID;

CREATE TABLE monitoring(
  household TEXT PRIMARY KEY REFERENCES households(id), type TEXT NOT NULL,
  status TEXT NOT NULL, primary_cause TEXT NOT NULL DEFAULT '', causes TEXT NOT NULL DEFAULT '[]',
  admitted_at INTEGER NOT NULL DEFAULT 0, contact TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL DEFAULT 0, village_path TEXT NOT NULL DEFAULT '');
CREATE INDEX monitoring_village_path ON monitoring(village_path);

CREATE TABLE measures(
  id INTEGER PRIMARY KEY, household TEXT NOT NULL REFERENCES households(id), kind TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '', department TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL);
CREATE INDEX measures_household ON measures(household);

CREATE TABLE visits(
  id INTEGER PRIMARY KEY, household TEXT NOT NULL REFERENCES households(id), mode TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '', user TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX visits_household ON visits(household, at);

CREATE TABLE cases(
  id TEXT PRIMARY KEY, workflow TEXT NOT NULL, workflow_version INTEGER NOT NULL,
  household TEXT NOT NULL REFERENCES households(id), state TEXT NOT NULL,
  version INTEGER NOT NULL, org_path TEXT NOT NULL, data TEXT NOT NULL DEFAULT '{}',
  created_by TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  closed INTEGER NOT NULL DEFAULT 0);
CREATE INDEX cases_household_open ON cases(household) WHERE closed = 0;

CREATE TABLE tasks(
  id INTEGER PRIMARY KEY, case_id TEXT NOT NULL DEFAULT '', household TEXT NOT NULL,
  workflow TEXT NOT NULL DEFAULT '', workflow_version INTEGER NOT NULL DEFAULT 0,
  step TEXT NOT NULL, org TEXT NOT NULL, org_path TEXT NOT NULL, role TEXT NOT NULL,
  department TEXT NOT NULL DEFAULT '', assignee TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL, due_at INTEGER NOT NULL, status TEXT NOT NULL,
  closed_at INTEGER NOT NULL DEFAULT 0, next_fire_at INTEGER, fire_index INTEGER NOT NULL DEFAULT 0,
  period TEXT NOT NULL DEFAULT '');
CREATE INDEX tasks_timer ON tasks(next_fire_at) WHERE next_fire_at IS NOT NULL;
CREATE INDEX tasks_status_path ON tasks(status, org_path);
CREATE INDEX tasks_household ON tasks(household, status);
CREATE INDEX tasks_case ON tasks(case_id, status);
CREATE INDEX tasks_assignee ON tasks(assignee, status) WHERE assignee <> '';
CREATE INDEX tasks_open_due ON tasks(due_at) WHERE status = 'open';

CREATE TABLE audit(
  seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, case_id TEXT NOT NULL DEFAULT '',
  household TEXT NOT NULL DEFAULT '', actor TEXT NOT NULL, actor_role TEXT NOT NULL DEFAULT '',
  actor_org TEXT NOT NULL DEFAULT '', action TEXT NOT NULL, from_state TEXT NOT NULL DEFAULT '',
  to_state TEXT NOT NULL DEFAULT '', comment TEXT NOT NULL DEFAULT '',
  data TEXT NOT NULL DEFAULT '{}', prev_hash TEXT NOT NULL DEFAULT '', hash TEXT NOT NULL);
CREATE INDEX audit_case ON audit(case_id, seq);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;

CREATE TABLE outbox(
  id INTEGER PRIMARY KEY, message_id TEXT UNIQUE, channel_id TEXT NOT NULL, kind TEXT NOT NULL,
  urgent INTEGER NOT NULL DEFAULT 0, payload TEXT NOT NULL, created_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '',
  delivered_at INTEGER);
CREATE INDEX outbox_ready ON outbox(status, next_attempt_at);

CREATE TABLE idempotency(
  principal TEXT NOT NULL, key TEXT NOT NULL, body_hash TEXT NOT NULL, status INTEGER NOT NULL,
  response TEXT NOT NULL, PRIMARY KEY(principal, key)) WITHOUT ROWID;

CREATE TABLE schedules(name TEXT PRIMARY KEY, next_at INTEGER NOT NULL) WITHOUT ROWID;
)sql";

// The delivery worker reads each channel's oldest pending rows; with a backlog (a robot down for
// hours) the v1 index made every read walk all due pending rows of all channels.
constexpr const char kOutboxPendingByChannel[] = R"sql(
CREATE INDEX outbox_pending_channel ON outbox(channel_id, id) WHERE status = 'pending';
)sql";

// Security hardening (issue 17). Idempotency keys are scoped to (caller, method and path) and
// expire; the old table held replies with tokens in clear, so it is dropped, not copied. Audit
// events name the key that MACs them ('' = the SHA-256 chain of older builds). Tokens may expire.
constexpr const char kSecurityV3[] = R"sql(
DROP TABLE idempotency;
CREATE TABLE idempotency(
  principal TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL, body_hash TEXT NOT NULL,
  status INTEGER NOT NULL, response TEXT NOT NULL, created_at INTEGER NOT NULL,
  PRIMARY KEY(principal, scope, key)) WITHOUT ROWID;
CREATE INDEX idempotency_created ON idempotency(created_at);
ALTER TABLE audit ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN token_expires_at INTEGER;
)sql";

// Version 4 (chat): the rate windows of robots and of people on app channels survive a restart
// and hold across processes sharing the database: every send to a platform is recorded with its
// wall time (ms) in the write that records its outcome, and so is a pause a platform imposed
// after its rate-limit answer. Also what the app channels need: each person's id on each chat
// platform (a press on a card maps back to the user), and the app credentials of a channel.
constexpr const char kChatPacingAndApps[] = R"sql(
CREATE TABLE chat_sends(key TEXT NOT NULL, at_ms INTEGER NOT NULL);
CREATE INDEX chat_sends_at ON chat_sends(at_ms);
CREATE TABLE chat_pauses(key TEXT PRIMARY KEY, until_ms INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE user_im(
  platform TEXT NOT NULL, im_id TEXT NOT NULL, user TEXT NOT NULL,
  PRIMARY KEY(platform, im_id)) WITHOUT ROWID;
CREATE INDEX user_im_user ON user_im(user);
ALTER TABLE channels ADD COLUMN app TEXT NOT NULL DEFAULT '';
)sql";

// What the engine records about a case itself (the department it is dispatched to, the threshold
// warning, who moved it last and from where) leaves the user's `data` for columns of its own.
constexpr const char kCaseFacts[] = R"sql(
ALTER TABLE cases ADD COLUMN department TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN threshold_warning TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN last_actor TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN last_from TEXT NOT NULL DEFAULT '';
UPDATE cases SET
  department = COALESCE(CAST(json_extract(data, '$.department') AS TEXT), ''),
  threshold_warning = COALESCE(CAST(json_extract(data, '$.threshold_warning') AS TEXT), ''),
  last_actor = COALESCE(CAST(json_extract(data, '$.last_actor') AS TEXT), ''),
  last_from = COALESCE(CAST(json_extract(data, '$.last_from') AS TEXT), ''),
  data = json_remove(data, '$.department', '$.threshold_warning', '$.last_actor', '$.last_from')
WHERE json_valid(data);
)sql";

// Version 6 (households, issue 13): households as living records (version, 建档立卡 and away flags,
// rigid spending, who created it), their members as persons (one ID number in one household: a
// unique index), changes read from the audit chain by household, and leads (线索) with the
// verification task each opened and the case it ended in.
constexpr const char kHouseholdsAndLeads[] = R"sql(
ALTER TABLE households ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE households ADD COLUMN registered_poor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE households ADD COLUMN away_long_term INTEGER NOT NULL DEFAULT 0;
ALTER TABLE households ADD COLUMN rigid_spending REAL NOT NULL DEFAULT 0;
ALTER TABLE households ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE households ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
CREATE TABLE members(
  household TEXT NOT NULL REFERENCES households(id), seq INTEGER NOT NULL, name TEXT NOT NULL,
  relation TEXT NOT NULL, id_number TEXT NOT NULL, sex TEXT NOT NULL, birth_year INTEGER NOT NULL,
  labour TEXT NOT NULL, health TEXT NOT NULL DEFAULT '', schooling TEXT NOT NULL DEFAULT '',
  PRIMARY KEY(household, seq)) WITHOUT ROWID;
CREATE UNIQUE INDEX members_id_number ON members(id_number);
CREATE INDEX audit_household_changes ON audit(household, seq) WHERE action = 'update_household';
CREATE TABLE leads(
  id TEXT PRIMARY KEY, household TEXT NOT NULL REFERENCES households(id),
  village_path TEXT NOT NULL, source TEXT NOT NULL, indicator TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '', status TEXT NOT NULL, task INTEGER NOT NULL DEFAULT 0,
  outcome TEXT NOT NULL DEFAULT '', case_id TEXT NOT NULL DEFAULT '',
  comment TEXT NOT NULL DEFAULT '', created_by TEXT NOT NULL, created_at INTEGER NOT NULL,
  resolved_by TEXT NOT NULL DEFAULT '', resolved_at INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE INDEX leads_path ON leads(village_path, created_at);
CREATE INDEX leads_household ON leads(household);
CREATE INDEX leads_case ON leads(case_id) WHERE case_id <> '';
ALTER TABLE measures ADD COLUMN cause TEXT NOT NULL DEFAULT '';
)sql";

// Version 7 (reports): movements of monitoring objects (新识别, 风险消除, 清退, 回退, 变更类型),
// one row per movement, written in the transaction that moves the case; counted per org subtree
// and period (range scan on village_path, then at).
constexpr const char kMovements[] = R"sql(
CREATE TABLE movements(
  id INTEGER PRIMARY KEY, at INTEGER NOT NULL, kind TEXT NOT NULL, household TEXT NOT NULL,
  village_path TEXT NOT NULL, case_id TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '',
  detail_label TEXT NOT NULL DEFAULT '', persons INTEGER NOT NULL DEFAULT 0);
CREATE INDEX movements_path_at ON movements(village_path, at);
)sql";

// Version 8 (several processes on one PostgreSQL database): the delivery side of each process
// sends a channel's messages while it holds the channel's lease (postgres/pg_store.h), so each
// message goes out from one process and each robot's rate window is kept by one sender. One
// process owns an SQLite file, which never takes leases; the table is here so that a schema
// version means the same tables on both stores (and `dixian migrate` copies them alike).
constexpr const char kOutboxLeases[] = R"sql(
CREATE TABLE outbox_leases(
  channel_id TEXT PRIMARY KEY, owner TEXT NOT NULL, until_ms INTEGER NOT NULL) WITHOUT ROWID;
)sql";

// Version 10 (evidence, issue 14): attachments (佐证材料) of cases and visits. The bytes are files
// named by their SHA-256 beside the database (adapters/evidence); a row is written only once its
// file is durable. village_path is the household's, for the permission checks.
constexpr const char kAttachments[] = R"sql(
CREATE TABLE attachments(
  id INTEGER PRIMARY KEY, case_id TEXT NOT NULL DEFAULT '', visit INTEGER NOT NULL DEFAULT 0,
  household TEXT NOT NULL, village_path TEXT NOT NULL, kind TEXT NOT NULL,
  filename TEXT NOT NULL, content_type TEXT NOT NULL, size INTEGER NOT NULL,
  sha256 TEXT NOT NULL, actor TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX attachments_case ON attachments(case_id) WHERE case_id <> '';
CREATE INDEX attachments_visit ON attachments(visit) WHERE visit <> 0;
)sql";

// Version 11 (report speed, issue 14): open tasks counted per (org, role, assignee), kept by the
// write transaction that opens, moves or closes a task (SqlWriteTx: InsertTask, UpdateTask,
// UpdateTaskClosed), so the overdue report reads a few thousand counters instead of scanning
// every open task; only overdue tasks are scanned, in the due-time index, which now carries the
// group's columns (no table lookups). Filled from the open tasks when the migration runs.
constexpr const char kTaskCounts[] = R"sql(
CREATE TABLE task_counts(
  org_path TEXT NOT NULL, org TEXT NOT NULL, role TEXT NOT NULL, assignee TEXT NOT NULL,
  open_tasks INTEGER NOT NULL, PRIMARY KEY(org_path, org, role, assignee)) WITHOUT ROWID;
INSERT INTO task_counts(org_path, org, role, assignee, open_tasks)
  SELECT org_path, org, role, assignee, COUNT(*) FROM tasks WHERE status = 'open'
  GROUP BY org_path, org, role, assignee;
DROP INDEX tasks_open_due;
CREATE INDEX tasks_open_due ON tasks(due_at, id, org_path, org, role, assignee) WHERE status = 'open';
)sql";

// Version 12 (evidence in PostgreSQL, issue 14): nothing on SQLite, whose attachments stay files
// beside the database; PostgreSQL keeps them as large objects from this version on
// (postgres/pg_migrations.cc). Kept so that a schema version means the same on both stores.
constexpr const char kEvidenceObjects[] = "SELECT 12";

// Numbers are taken per branch (security 3, chat 4, engine 5): applied in order, gaps allowed.
constexpr Migration kMigrations[] = {
    {1, kSchemaV1},
    {2, kOutboxPendingByChannel},
    {3, kSecurityV3},
    {4, kChatPacingAndApps},
    {5, kCaseFacts},
    {6, kHouseholdsAndLeads},
    {7, kMovements},
    {8, kOutboxLeases},
    {10, kAttachments},
    {11, kTaskCounts},
    {12, kEvidenceObjects},
};

engine::Result<int> UserVersion(Connection& conn) {
  auto st = conn.Prepare("PRAGMA user_version");
  if (!st.Step()) return st.error() ? *st.error() : engine::Error::Internal("user_version");
  return st.Int(0);
}

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

int LatestSchemaVersion() { return kMigrations[std::size(kMigrations) - 1].version; }

engine::Status Migrate(Connection& conn, const MigrationHook& in_transaction) {
  auto current = UserVersion(conn);
  if (!current) return current.error();
  int latest = LatestSchemaVersion();
  if (*current > latest)
    return engine::Error::Unavailable(
        "schema_too_new", "数据库版本（" + std::to_string(*current) + "）高于本程序支持的版本（" +
                              std::to_string(latest) + "），请升级程序");
  if (*current == latest) return engine::OkStatus();

  Transaction tx(conn);
  if (auto st = tx.Begin(Transaction::Mode::kImmediate); !st) return st;
  for (const auto& m : kMigrations) {
    if (m.version <= *current) continue;
    if (auto st = conn.Exec(m.sql); !st) return st;
    if (auto st = conn.Exec("PRAGMA user_version = " + std::to_string(m.version)); !st) return st;
  }
  if (in_transaction)
    if (auto st = in_transaction(conn, *current); !st) return st;
  return tx.Commit();
}

}  // namespace dixian::store
