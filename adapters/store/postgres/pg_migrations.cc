#include "adapters/store/postgres/pg_migrations.h"

#include <iterator>
#include <string>

#include "adapters/store/sql/connection.h"


namespace dixian::store {
namespace {

// The same schema as SQLite's (sqlite/migrations.cc), version for version, in PostgreSQL's terms:
// every text column is text COLLATE "C" (in byte order, as SQLite compares, so subtree ranges, ORDER
// BY and the indexes behave the same), integers are BIGINT, REAL is DOUBLE PRECISION. Row ids
// have no sequence: every write transaction holds the write lock (postgres/pg_store.h), and an
// insert without an id takes MAX(id) + 1 (trigger take_next_id), as SQLite's rowid does: a
// rolled-back command gives its number back on both, and the audit chain's seq has no gaps.
constexpr const char kSchemaV1[] = R"sql(
-- The shared SQL's instr() (SQLite's built-in).
CREATE FUNCTION instr(haystack text, needle text) RETURNS integer
  LANGUAGE sql IMMUTABLE STRICT AS 'SELECT strpos(haystack, needle)';

-- take_next_id: a BEFORE INSERT trigger filling a NULL id with MAX(id) + 1 (audit: seq).
CREATE FUNCTION take_next_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id IS NULL THEN
    EXECUTE format('SELECT COALESCE(MAX(id), 0) + 1 FROM %I.%I', TG_TABLE_SCHEMA, TG_TABLE_NAME)
      INTO NEW.id;
  END IF;
  RETURN NEW;
END $$;
CREATE FUNCTION take_next_seq() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.seq IS NULL THEN
    SELECT COALESCE(MAX(seq), 0) + 1 FROM audit INTO NEW.seq;
  END IF;
  RETURN NEW;
END $$;

CREATE TABLE meta(key text COLLATE "C" PRIMARY KEY, value text COLLATE "C" NOT NULL);

CREATE TABLE orgs(
  code text COLLATE "C" PRIMARY KEY, name text COLLATE "C" NOT NULL, level text COLLATE "C" NOT NULL, parent text COLLATE "C",
  path text COLLATE "C" NOT NULL UNIQUE);
CREATE INDEX orgs_parent ON orgs(parent);

CREATE TABLE users(
  id text COLLATE "C" PRIMARY KEY, name text COLLATE "C" NOT NULL, role text COLLATE "C" NOT NULL, org text COLLATE "C" NOT NULL DEFAULT '',
  org_path text COLLATE "C" NOT NULL DEFAULT '', department text COLLATE "C" NOT NULL DEFAULT '',
  mobile text COLLATE "C" NOT NULL DEFAULT '', token_hash text COLLATE "C" UNIQUE, revoked BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL);
CREATE INDEX users_org_role ON users(org, role);

CREATE TABLE channels(
  id text COLLATE "C" PRIMARY KEY, org text COLLATE "C" NOT NULL, kind text COLLATE "C" NOT NULL, url text COLLATE "C" NOT NULL,
  secret text COLLATE "C" NOT NULL DEFAULT '', quiet_start_hour BIGINT NOT NULL DEFAULT -1,
  quiet_end_hour BIGINT NOT NULL DEFAULT -1);
CREATE INDEX channels_org ON channels(org);

CREATE TABLE households(
  id text COLLATE "C" PRIMARY KEY, village text COLLATE "C" NOT NULL, village_path text COLLATE "C" NOT NULL,
  head_name text COLLATE "C" NOT NULL, members BIGINT NOT NULL, income_per_capita DOUBLE PRECISION NOT NULL,
  created_at BIGINT NOT NULL);

CREATE TABLE monitoring(
  household text COLLATE "C" PRIMARY KEY REFERENCES households(id), type text COLLATE "C" NOT NULL,
  status text COLLATE "C" NOT NULL, primary_cause text COLLATE "C" NOT NULL DEFAULT '', causes text COLLATE "C" NOT NULL DEFAULT '[]',
  admitted_at BIGINT NOT NULL DEFAULT 0, contact text COLLATE "C" NOT NULL DEFAULT '',
  updated_at BIGINT NOT NULL DEFAULT 0, village_path text COLLATE "C" NOT NULL DEFAULT '');
CREATE INDEX monitoring_village_path ON monitoring(village_path);

CREATE TABLE measures(
  id BIGINT PRIMARY KEY, household text COLLATE "C" NOT NULL REFERENCES households(id), kind text COLLATE "C" NOT NULL,
  description text COLLATE "C" NOT NULL DEFAULT '', department text COLLATE "C" NOT NULL DEFAULT '',
  created_by text COLLATE "C" NOT NULL DEFAULT '', created_at BIGINT NOT NULL);
CREATE INDEX measures_household ON measures(household);
CREATE TRIGGER measures_next_id BEFORE INSERT ON measures
  FOR EACH ROW EXECUTE FUNCTION take_next_id();

CREATE TABLE visits(
  id BIGINT PRIMARY KEY, household text COLLATE "C" NOT NULL REFERENCES households(id), mode text COLLATE "C" NOT NULL,
  note text COLLATE "C" NOT NULL DEFAULT '', "user" text COLLATE "C" NOT NULL, at BIGINT NOT NULL);
CREATE INDEX visits_household ON visits(household, at);
CREATE TRIGGER visits_next_id BEFORE INSERT ON visits
  FOR EACH ROW EXECUTE FUNCTION take_next_id();

CREATE TABLE cases(
  id text COLLATE "C" PRIMARY KEY, workflow text COLLATE "C" NOT NULL, workflow_version BIGINT NOT NULL,
  household text COLLATE "C" NOT NULL REFERENCES households(id), state text COLLATE "C" NOT NULL,
  version BIGINT NOT NULL, org_path text COLLATE "C" NOT NULL, data text COLLATE "C" NOT NULL DEFAULT '{}',
  created_by text COLLATE "C" NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
  closed BIGINT NOT NULL DEFAULT 0);
CREATE INDEX cases_household_open ON cases(household) WHERE closed = 0;

CREATE TABLE tasks(
  id BIGINT PRIMARY KEY, case_id text COLLATE "C" NOT NULL DEFAULT '', household text COLLATE "C" NOT NULL,
  workflow text COLLATE "C" NOT NULL DEFAULT '', workflow_version BIGINT NOT NULL DEFAULT 0,
  step text COLLATE "C" NOT NULL, org text COLLATE "C" NOT NULL, org_path text COLLATE "C" NOT NULL, role text COLLATE "C" NOT NULL,
  department text COLLATE "C" NOT NULL DEFAULT '', assignee text COLLATE "C" NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL, due_at BIGINT NOT NULL, status text COLLATE "C" NOT NULL,
  closed_at BIGINT NOT NULL DEFAULT 0, next_fire_at BIGINT, fire_index BIGINT NOT NULL DEFAULT 0,
  period text COLLATE "C" NOT NULL DEFAULT '');
CREATE INDEX tasks_timer ON tasks(next_fire_at) WHERE next_fire_at IS NOT NULL;
CREATE INDEX tasks_status_path ON tasks(status, org_path);
CREATE INDEX tasks_household ON tasks(household, status);
CREATE INDEX tasks_case ON tasks(case_id, status);
CREATE INDEX tasks_assignee ON tasks(assignee, status) WHERE assignee <> '';
CREATE INDEX tasks_open_due ON tasks(due_at) WHERE status = 'open';
CREATE TRIGGER tasks_next_id BEFORE INSERT ON tasks
  FOR EACH ROW EXECUTE FUNCTION take_next_id();

CREATE TABLE audit(
  seq BIGINT PRIMARY KEY, at BIGINT NOT NULL, case_id text COLLATE "C" NOT NULL DEFAULT '',
  household text COLLATE "C" NOT NULL DEFAULT '', actor text COLLATE "C" NOT NULL, actor_role text COLLATE "C" NOT NULL DEFAULT '',
  actor_org text COLLATE "C" NOT NULL DEFAULT '', action text COLLATE "C" NOT NULL, from_state text COLLATE "C" NOT NULL DEFAULT '',
  to_state text COLLATE "C" NOT NULL DEFAULT '', comment text COLLATE "C" NOT NULL DEFAULT '',
  data text COLLATE "C" NOT NULL DEFAULT '{}', prev_hash text COLLATE "C" NOT NULL DEFAULT '', hash text COLLATE "C" NOT NULL);
CREATE INDEX audit_case ON audit(case_id, seq);
CREATE TRIGGER audit_next_id BEFORE INSERT ON audit
  FOR EACH ROW EXECUTE FUNCTION take_next_seq();
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS
  'BEGIN RAISE EXCEPTION ''audit is append-only'' USING ERRCODE = ''restrict_violation''; END';
CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
  FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

CREATE TABLE outbox(
  id BIGINT PRIMARY KEY, message_id text COLLATE "C" UNIQUE, channel_id text COLLATE "C" NOT NULL, kind text COLLATE "C" NOT NULL,
  urgent BIGINT NOT NULL DEFAULT 0, payload text COLLATE "C" NOT NULL, created_at BIGINT NOT NULL,
  status text COLLATE "C" NOT NULL DEFAULT 'pending', attempts BIGINT NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL DEFAULT 0, last_error text COLLATE "C" NOT NULL DEFAULT '',
  delivered_at BIGINT);
CREATE INDEX outbox_ready ON outbox(status, next_attempt_at);
CREATE TRIGGER outbox_next_id BEFORE INSERT ON outbox
  FOR EACH ROW EXECUTE FUNCTION take_next_id();

CREATE TABLE idempotency(
  principal text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL, body_hash text COLLATE "C" NOT NULL, status BIGINT NOT NULL,
  response text COLLATE "C" NOT NULL, PRIMARY KEY(principal, key));

CREATE TABLE schedules(name text COLLATE "C" PRIMARY KEY, next_at BIGINT NOT NULL);
)sql";

constexpr const char kOutboxPendingByChannel[] = R"sql(
CREATE INDEX outbox_pending_channel ON outbox(channel_id, id) WHERE status = 'pending';
)sql";

constexpr const char kSecurityV3[] = R"sql(
DROP TABLE idempotency;
CREATE TABLE idempotency(
  principal text COLLATE "C" NOT NULL, scope text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL, body_hash text COLLATE "C" NOT NULL,
  status BIGINT NOT NULL, response text COLLATE "C" NOT NULL, created_at BIGINT NOT NULL,
  PRIMARY KEY(principal, scope, key));
CREATE INDEX idempotency_created ON idempotency(created_at);
ALTER TABLE audit ADD COLUMN key_id text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN token_expires_at BIGINT;
)sql";

constexpr const char kChatPacingAndApps[] = R"sql(
CREATE TABLE chat_sends(key text COLLATE "C" NOT NULL, at_ms BIGINT NOT NULL);
CREATE INDEX chat_sends_at ON chat_sends(at_ms);
CREATE TABLE chat_pauses(key text COLLATE "C" PRIMARY KEY, until_ms BIGINT NOT NULL);
CREATE TABLE user_im(
  platform text COLLATE "C" NOT NULL, im_id text COLLATE "C" NOT NULL, "user" text COLLATE "C" NOT NULL,
  PRIMARY KEY(platform, im_id));
CREATE INDEX user_im_user ON user_im("user");
ALTER TABLE channels ADD COLUMN app text COLLATE "C" NOT NULL DEFAULT '';
)sql";

constexpr const char kCaseFacts[] = R"sql(
ALTER TABLE cases ADD COLUMN department text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN threshold_warning text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN last_actor text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN last_from text COLLATE "C" NOT NULL DEFAULT '';
UPDATE cases SET
  department = COALESCE(CAST(data AS jsonb) ->> 'department', ''),
  threshold_warning = COALESCE(CAST(data AS jsonb) ->> 'threshold_warning', ''),
  last_actor = COALESCE(CAST(data AS jsonb) ->> 'last_actor', ''),
  last_from = COALESCE(CAST(data AS jsonb) ->> 'last_from', ''),
  data = CAST(CAST(data AS jsonb) - 'department' - 'threshold_warning' - 'last_actor' - 'last_from'
              AS text)
WHERE data LIKE '{%';
)sql";

// Version 6 (households): households as living records, members, leads (sqlite/migrations.cc).
constexpr const char kHouseholdsAndLeads[] = R"sql(
ALTER TABLE households ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE households ADD COLUMN registered_poor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE households ADD COLUMN away_long_term BIGINT NOT NULL DEFAULT 0;
ALTER TABLE households ADD COLUMN rigid_spending DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE households ADD COLUMN created_by text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE households ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
CREATE TABLE members(
  household text COLLATE "C" NOT NULL REFERENCES households(id), seq BIGINT NOT NULL,
  name text COLLATE "C" NOT NULL, relation text COLLATE "C" NOT NULL,
  id_number text COLLATE "C" NOT NULL, sex text COLLATE "C" NOT NULL, birth_year BIGINT NOT NULL,
  labour text COLLATE "C" NOT NULL, health text COLLATE "C" NOT NULL DEFAULT '',
  schooling text COLLATE "C" NOT NULL DEFAULT '', PRIMARY KEY(household, seq));
CREATE UNIQUE INDEX members_id_number ON members(id_number);
CREATE INDEX audit_household_changes ON audit(household, seq) WHERE action = 'update_household';
CREATE TABLE leads(
  id text COLLATE "C" PRIMARY KEY, household text COLLATE "C" NOT NULL REFERENCES households(id),
  village_path text COLLATE "C" NOT NULL, source text COLLATE "C" NOT NULL,
  indicator text COLLATE "C" NOT NULL, detail text COLLATE "C" NOT NULL DEFAULT '',
  status text COLLATE "C" NOT NULL, task BIGINT NOT NULL DEFAULT 0,
  outcome text COLLATE "C" NOT NULL DEFAULT '', case_id text COLLATE "C" NOT NULL DEFAULT '',
  comment text COLLATE "C" NOT NULL DEFAULT '', created_by text COLLATE "C" NOT NULL,
  created_at BIGINT NOT NULL, resolved_by text COLLATE "C" NOT NULL DEFAULT '',
  resolved_at BIGINT NOT NULL DEFAULT 0);
CREATE INDEX leads_path ON leads(village_path, created_at);
CREATE INDEX leads_household ON leads(household);
CREATE INDEX leads_case ON leads(case_id) WHERE case_id <> '';
ALTER TABLE measures ADD COLUMN cause text COLLATE "C" NOT NULL DEFAULT '';
)sql";

// Version 7 (reports): movements of monitoring objects.
constexpr const char kMovements[] = R"sql(
CREATE TABLE movements(
  id BIGINT PRIMARY KEY, at BIGINT NOT NULL, kind text COLLATE "C" NOT NULL,
  household text COLLATE "C" NOT NULL, village_path text COLLATE "C" NOT NULL,
  case_id text COLLATE "C" NOT NULL DEFAULT '', detail text COLLATE "C" NOT NULL DEFAULT '',
  detail_label text COLLATE "C" NOT NULL DEFAULT '', persons BIGINT NOT NULL DEFAULT 0);
CREATE INDEX movements_path_at ON movements(village_path, at);
CREATE TRIGGER movements_next_id BEFORE INSERT ON movements
  FOR EACH ROW EXECUTE FUNCTION take_next_id();
)sql";

// Version 8: channel leases of the delivery side (see sqlite/migrations.cc and pg_store.h).
constexpr const char kOutboxLeases[] = R"sql(
CREATE TABLE outbox_leases(
  channel_id text COLLATE "C" PRIMARY KEY, owner text COLLATE "C" NOT NULL,
  until_ms BIGINT NOT NULL);
)sql";

// Version 10 (evidence): attachments of cases and visits (sqlite/migrations.cc).
constexpr const char kAttachments[] = R"sql(
CREATE TABLE attachments(
  id BIGINT PRIMARY KEY, case_id text COLLATE "C" NOT NULL DEFAULT '',
  visit BIGINT NOT NULL DEFAULT 0, household text COLLATE "C" NOT NULL,
  village_path text COLLATE "C" NOT NULL, kind text COLLATE "C" NOT NULL,
  filename text COLLATE "C" NOT NULL, content_type text COLLATE "C" NOT NULL,
  size BIGINT NOT NULL, sha256 text COLLATE "C" NOT NULL, actor text COLLATE "C" NOT NULL,
  at BIGINT NOT NULL);
CREATE INDEX attachments_case ON attachments(case_id) WHERE case_id <> '';
CREATE INDEX attachments_visit ON attachments(visit) WHERE visit <> 0;
CREATE TRIGGER attachments_next_id BEFORE INSERT ON attachments
  FOR EACH ROW EXECUTE FUNCTION take_next_id();
)sql";

// Version 11 (report speed): open tasks counted per (org, role, assignee), kept by the write
// transaction (as on SQLite: sqlite/migrations.cc says why).
constexpr const char kTaskCounts[] = R"sql(
CREATE TABLE task_counts(
  org_path text COLLATE "C" NOT NULL, org text COLLATE "C" NOT NULL, role text COLLATE "C" NOT NULL,
  assignee text COLLATE "C" NOT NULL, open_tasks bigint NOT NULL,
  PRIMARY KEY(org_path, org, role, assignee));
INSERT INTO task_counts(org_path, org, role, assignee, open_tasks)
  SELECT org_path, org, role, assignee, COUNT(*) FROM tasks WHERE status = 'open'
  GROUP BY org_path, org, role, assignee;
DROP INDEX tasks_open_due;
CREATE INDEX tasks_open_due ON tasks(due_at, id, org_path, org, role, assignee) WHERE status = 'open';
)sql";

// Version 12 (evidence, issue 14): attachments' bytes as large objects, written in the same
// transaction as the attachment's row, one per distinct SHA-256 (the rows name the digest).
// Nodes on one database then need no shared folder. SQLite: nothing (its files stay).
constexpr const char kEvidenceObjects[] = R"sql(
CREATE TABLE evidence_objects(
  sha256 text COLLATE "C" PRIMARY KEY, oid oid NOT NULL UNIQUE, size BIGINT NOT NULL);
)sql";

constexpr Migration kPgMigrations[] = {
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

}  // namespace

// The schema version lives in its own table (SQLite: PRAGMA user_version).
engine::Result<int> PgSchemaVersion(Connection& conn) {
  auto exists = conn.Prepare("SELECT to_regclass('schema_version') IS NOT NULL");
  if (!exists.Step()) return exists.error() ? *exists.error() : engine::Error::Internal("to_regclass");
  if (exists.Text(0) != "t") return 0;
  exists.Reset();
  auto st = conn.Prepare("SELECT version FROM schema_version");
  if (st.Step()) return st.Int(0);
  if (st.error()) return *st.error();
  return 0;
}

std::span<const Migration> PgMigrations() { return kPgMigrations; }

int PgLatestSchemaVersion() { return kPgMigrations[std::size(kPgMigrations) - 1].version; }

engine::Status MigratePg(Connection& conn, const MigrationHook& in_transaction) {
  Transaction tx(conn);
  if (auto st = tx.Begin(Transaction::Mode::kImmediate); !st) return st;
  // One process migrates; another starting at the same time waits, then finds it done.
  if (auto st = conn.Exec("SELECT pg_advisory_xact_lock(7133, 0)"); !st) return st;
  auto current = PgSchemaVersion(conn);
  if (!current) return current.error();
  const int latest = PgLatestSchemaVersion();
  if (*current > latest)
    return engine::Error::Unavailable(
        "schema_too_new", "数据库版本（" + std::to_string(*current) + "）高于本程序支持的版本（" +
                              std::to_string(latest) + "），请升级程序");
  if (*current == latest) return tx.Commit();
  if (*current == 0) {
    if (auto st = conn.Exec("CREATE TABLE schema_version(version BIGINT NOT NULL);"
                            " INSERT INTO schema_version VALUES(0)");
        !st)
      return st;
  }
  for (const auto& m : kPgMigrations) {
    if (m.version <= *current) continue;
    if (auto st = conn.Exec(m.sql); !st) return st;
    if (auto st = conn.Exec("UPDATE schema_version SET version = " + std::to_string(m.version)); !st)
      return st;
  }
  if (in_transaction)
    if (auto st = in_transaction(conn, *current); !st) return st;
  return tx.Commit();
}

}  // namespace dixian::store
