// The raw durable-write limit of SQLite on this disk, for rows shaped like one engine transition:
// update the case row (step, version), append a hash-chained audit row (64-hex SHA-256, ~200 bytes
// of JSON detail) and insert an outbox row. WAL mode, synchronous=FULL: each commit is fsync'd.
//
//   sqlite_limit [--db PATH] [--transitions N] [--cases N]
//
// Runs three modes on a fresh database each: one transaction per transition, and batches of 64 and
// 256 transitions per transaction (what group commit can reach). Prints one JSON line per mode.
//
// Then the same three batch sizes for the rows one engine action really writes, on dixian's own
// schema (store::Migrations(): every index and the audit triggers, foreign keys on): the case row
// rewritten, its open task closed, the next step's task inserted, the audit event and the outbox
// message ("rows":"engine"). That is the ceiling for engine.transitions with this schema.
// Last, batches of 64 of those rows through the WAL-buffering VFS the engine's writer uses
// ("vfs":"wal_buffer"), printed beside the ceiling.
#include <openssl/evp.h>
#include <sqlite3.h>

#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/store/sqlite/migrations.h"
#include "adapters/store/sqlite/wal_buffer_vfs.h"

namespace {

void Check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "sqlite %s: %s\n", what, sqlite3_errmsg(db));
    std::exit(1);
  }
}

void Exec(sqlite3* db, const char* sql) {
  Check(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), db, sql);
}

sqlite3_stmt* Prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* s = nullptr;
  Check(sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr), db, sql);
  return s;
}

void Step(sqlite3* db, sqlite3_stmt* s) {
  Check(sqlite3_step(s), db, "step");
  sqlite3_reset(s);
}

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

constexpr const char* kSchema = R"sql(
CREATE TABLE cases (id TEXT PRIMARY KEY, household TEXT NOT NULL, chain TEXT NOT NULL,
  step TEXT NOT NULL, status TEXT NOT NULL, version INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE audit (seq INTEGER PRIMARY KEY, case_id TEXT NOT NULL, at INTEGER NOT NULL,
  actor TEXT NOT NULL, action TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,
  detail TEXT NOT NULL);
CREATE INDEX audit_case ON audit(case_id, seq);
CREATE TABLE outbox (id INTEGER PRIMARY KEY, org TEXT NOT NULL, kind TEXT NOT NULL,
  payload TEXT NOT NULL, due_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT 'pending');
CREATE INDEX outbox_due ON outbox(state, due_at);
)sql";

struct Db {
  sqlite3* db = nullptr;
  sqlite3_stmt* update_case = nullptr;
  sqlite3_stmt* insert_audit = nullptr;
  sqlite3_stmt* insert_outbox = nullptr;
};

Db Open(const std::string& path, int cases) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  Db d;
  Check(sqlite3_open(path.c_str(), &d.db), d.db, "open");
  Exec(d.db, "PRAGMA journal_mode=WAL");
  Exec(d.db, "PRAGMA synchronous=FULL");
  Exec(d.db, kSchema);
  Exec(d.db, "BEGIN");
  sqlite3_stmt* ins = Prepare(d.db,
                              "INSERT INTO cases VALUES (?1, ?2, 'risk_elimination', "
                              "'village_submit', 'open', 0, 0)");
  for (int i = 0; i < cases; ++i) {
    const std::string id = "C" + std::to_string(i);
    sqlite3_bind_text(ins, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 2, ("5201011012010" + std::to_string(i)).c_str(), -1, SQLITE_TRANSIENT);
    Step(d.db, ins);
  }
  sqlite3_finalize(ins);
  Exec(d.db, "COMMIT");
  d.update_case = Prepare(d.db,
                          "UPDATE cases SET step = ?1, version = version + 1, "
                          "updated_at = ?2 WHERE id = ?3");
  d.insert_audit = Prepare(d.db,
                           "INSERT INTO audit (case_id, at, actor, action, prev_hash, hash, "
                           "detail) VALUES (?1, ?2, ?3, 'approve', ?4, ?5, ?6)");
  d.insert_outbox = Prepare(d.db,
                            "INSERT INTO outbox (org, kind, payload, due_at) "
                            "VALUES (?1, 'task_assigned', ?2, ?3)");
  return d;
}

void Close(Db& d) {
  sqlite3_finalize(d.update_case);
  sqlite3_finalize(d.insert_audit);
  sqlite3_finalize(d.insert_outbox);
  sqlite3_close(d.db);
}

void Transition(Db& d, int i, int cases, std::string& prev_hash) {
  const std::string case_id = "C" + std::to_string(i % cases);
  const long long at = 1767225600LL + i;
  const std::string detail =
      R"({"case":")" + case_id + R"(","from":"township_approve","to":"county_approve",)" +
      R"("action":"approve","actor":"u-township-0101","org":"520101101000",)" +
      R"("comment":"经镇审查，情况属实，同意上报县级审核。","version":)" + std::to_string(i) + "}";
  const std::string hash = Sha256Hex(prev_hash + detail);
  sqlite3_bind_text(d.update_case, 1, "county_approve", -1, SQLITE_STATIC);
  sqlite3_bind_int64(d.update_case, 2, at);
  sqlite3_bind_text(d.update_case, 3, case_id.c_str(), -1, SQLITE_TRANSIENT);
  Step(d.db, d.update_case);
  sqlite3_bind_text(d.insert_audit, 1, case_id.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(d.insert_audit, 2, at);
  sqlite3_bind_text(d.insert_audit, 3, "u-township-0101", -1, SQLITE_STATIC);
  sqlite3_bind_text(d.insert_audit, 4, prev_hash.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(d.insert_audit, 5, hash.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(d.insert_audit, 6, detail.c_str(), -1, SQLITE_TRANSIENT);
  Step(d.db, d.insert_audit);
  sqlite3_bind_text(d.insert_outbox, 1, "520101000000", -1, SQLITE_STATIC);
  sqlite3_bind_text(d.insert_outbox, 2, detail.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(d.insert_outbox, 3, at);
  Step(d.db, d.insert_outbox);
  prev_hash = hash;
}

double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Seconds to run `transitions` transitions, `batch` per BEGIN IMMEDIATE ... COMMIT.
template <class F>
double TimeBatches(sqlite3* db, int transitions, int batch, F transition) {
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < transitions; i += batch) {
    Exec(db, "BEGIN IMMEDIATE");
    for (int j = i; j < i + batch && j < transitions; ++j) transition(j);
    Exec(db, "COMMIT");
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void RunMode(const std::string& path, int transitions, int cases, int batch) {
  Db d = Open(path, cases);
  std::string prev_hash(64, '0');
  const double s = TimeBatches(d.db, transitions, batch, [&](int j) { Transition(d, j, cases, prev_hash); });
  Close(d);
  std::printf(
      "{\"bench\":\"sqlite_limit\",\"batch\":%d,\"transitions\":%d,\"seconds\":%.3f,"
      "\"transitions_per_s\":%.0f,\"commits_per_s\":%.0f}\n",
      batch, transitions, s, transitions / s, (transitions + batch - 1) / batch / s);
  std::fflush(stdout);
}

// ---- the engine's own rows on the engine's own schema ----

struct EngineRows {
  sqlite3* db = nullptr;
  sqlite3_stmt* update_case = nullptr;
  sqlite3_stmt* close_task = nullptr;
  sqlite3_stmt* insert_task = nullptr;
  sqlite3_stmt* insert_audit = nullptr;
  sqlite3_stmt* insert_outbox = nullptr;
  sqlite3_stmt* count_closed = nullptr;  // task_counts (migration 11), as SqlWriteTx keeps it
  sqlite3_stmt* count_opened = nullptr;
  std::vector<long long> open_task;  // per case: the id of its open step task
};

constexpr const char* kCaseData =
    R"({"causes":["illness"],"income_per_capita":6120.5,)"
    R"("primary_cause":"illness","reason":"因病导致家庭刚性支出较大","type":"marginal"})";
// A notice as the engine writes it: compact facts (names are looked up after commit).
constexpr const char* kPayload = R"({"facts":{"task":12}})";

void BindText(sqlite3_stmt* s, int i, const std::string& v) { sqlite3_bind_text(s, i, v.c_str(), -1, SQLITE_TRANSIENT); }

// buffer_wal: through the writer's WAL-buffering VFS (adapters/store/sqlite/wal_buffer_vfs.h).
EngineRows OpenEngineRows(const std::string& path, int cases, bool buffer_wal) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  EngineRows d;
  Check(sqlite3_open_v2(path.c_str(), &d.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        buffer_wal ? dixian::store::WalBufferVfsName() : nullptr),
        d.db, "open");
  Exec(d.db, "PRAGMA journal_mode=WAL");
  Exec(d.db, "PRAGMA synchronous=FULL");
  Exec(d.db, "PRAGMA foreign_keys=ON");
  for (const auto& m : dixian::store::Migrations()) Exec(d.db, m.sql);
  Exec(d.db, "BEGIN");
  sqlite3_stmt* hh = Prepare(d.db, "INSERT INTO households (id, village, village_path, head_name, members,"
                                   " income_per_capita, created_at) VALUES (?1, '520101101201',"
                                   " '520101/520101101/520101101201', '王建国', 4, 6120.5, 0)");
  sqlite3_stmt* cs = Prepare(d.db, "INSERT INTO cases (id, workflow, workflow_version, household, state, version,"
                                   " org_path, data, created_by, created_at, updated_at, closed) VALUES (?1,"
                                   " 'risk_elimination', 1, ?2, 'township_review', 1, '520101/520101101/520101101201',"
                                   " ?3, 'u-clerk', 0, 0, 0)");
  sqlite3_stmt* tk = Prepare(d.db, "INSERT INTO tasks (case_id, household, workflow, workflow_version, step, org, "
                                   "org_path, role, created_at, due_at, status, next_fire_at) VALUES (?1, ?2, "
                                   "'risk_elimination', 1, 'township_review', '520101101000', '520101/520101101', "
                                   "'township_reviewer', 0, 864000, 'open', 432000)");
  for (int i = 0; i < cases; ++i) {
    const std::string id = "C" + std::to_string(i), household = "5201011012010" + std::to_string(i);
    BindText(hh, 1, household);
    Step(d.db, hh);
    BindText(cs, 1, id);
    BindText(cs, 2, household);
    sqlite3_bind_text(cs, 3, kCaseData, -1, SQLITE_STATIC);
    Step(d.db, cs);
    BindText(tk, 1, id);
    BindText(tk, 2, household);
    Step(d.db, tk);
    d.open_task.push_back(sqlite3_last_insert_rowid(d.db));
  }
  for (auto* s : {hh, cs, tk}) sqlite3_finalize(s);
  const std::string counts = "INSERT INTO task_counts VALUES ('520101/520101101', '520101101000',"
                             " 'township_reviewer', '', " + std::to_string(cases) + ")";
  Exec(d.db, counts.c_str());
  Exec(d.db, "COMMIT");
  d.update_case = Prepare(d.db, "UPDATE cases SET workflow = ?2, workflow_version = 1, household = ?3, state = ?4,"
                                " version = version + 1, org_path = '520101/520101101/520101101201', data = ?5,"
                                " created_by = 'u-clerk', created_at = 0, updated_at = ?6, closed = 0, department = '',"
                                " threshold_warning = '', last_actor = 'u-township-0101',"
                                " last_from = 'township_review' WHERE id = ?1");
  d.close_task = Prepare(d.db, "UPDATE tasks SET status = 'done', closed_at = ?2, next_fire_at = NULL WHERE id = ?1");
  d.insert_task = Prepare(d.db, "INSERT INTO tasks (case_id, household, workflow, workflow_version, step, org,"
                                " org_path, role, created_at, due_at, status, next_fire_at) VALUES (?1, ?2,"
                                " 'risk_elimination', 1, 'county_review', '520101000000', '520101', 'county_reviewer',"
                                " ?3, ?4, 'open', ?5)");
  d.insert_audit = Prepare(d.db, "INSERT INTO audit (at, case_id, household, actor, actor_role, actor_org, action,"
                                 " from_state, to_state, comment, data, prev_hash, hash) VALUES (?1, ?2, ?3,"
                                 " 'u-township-0101', 'township_reviewer', '520101101000', 'approve',"
                                 " 'township_review', 'county_review', '经镇审查，情况属实，同意上报县级审核。', '{}', ?4, ?5)");
  d.insert_outbox = Prepare(d.db, "INSERT INTO outbox (channel_id, kind, payload, created_at) VALUES"
                                  " ('ch-county', 'new_task', ?1, ?2)");
  d.count_closed = Prepare(d.db, "UPDATE task_counts SET open_tasks = open_tasks - 1 WHERE org_path ="
                                 " '520101/520101101' AND org = '520101101000' AND role = 'township_reviewer'"
                                 " AND assignee = ''");
  d.count_opened = Prepare(d.db, "INSERT INTO task_counts(org_path, org, role, assignee, open_tasks) VALUES"
                                 " ('520101', '520101000000', 'county_reviewer', '', 1) ON CONFLICT DO UPDATE"
                                 " SET open_tasks = task_counts.open_tasks + 1");
  return d;
}

void EngineTransition(EngineRows& d, int i, int cases, std::string& prev_hash) {
  const int k = i % cases;
  const std::string case_id = "C" + std::to_string(k), household = "5201011012010" + std::to_string(k);
  const long long at = 1767225600LL + i;
  BindText(d.update_case, 1, case_id);
  sqlite3_bind_text(d.update_case, 2, "risk_elimination", -1, SQLITE_STATIC);
  BindText(d.update_case, 3, household);
  sqlite3_bind_text(d.update_case, 4, "county_review", -1, SQLITE_STATIC);
  sqlite3_bind_text(d.update_case, 5, kCaseData, -1, SQLITE_STATIC);
  sqlite3_bind_int64(d.update_case, 6, at);
  Step(d.db, d.update_case);
  sqlite3_bind_int64(d.close_task, 1, d.open_task[static_cast<size_t>(k)]);
  sqlite3_bind_int64(d.close_task, 2, at);
  Step(d.db, d.close_task);
  Step(d.db, d.count_closed);
  BindText(d.insert_task, 1, case_id);
  BindText(d.insert_task, 2, household);
  sqlite3_bind_int64(d.insert_task, 3, at);
  sqlite3_bind_int64(d.insert_task, 4, at + 10 * 86400);
  sqlite3_bind_int64(d.insert_task, 5, at + 5 * 86400);
  Step(d.db, d.insert_task);
  d.open_task[static_cast<size_t>(k)] = sqlite3_last_insert_rowid(d.db);
  Step(d.db, d.count_opened);
  const std::string hash = Sha256Hex(prev_hash + case_id + std::to_string(at) + kCaseData);
  sqlite3_bind_int64(d.insert_audit, 1, at);
  BindText(d.insert_audit, 2, case_id);
  BindText(d.insert_audit, 3, household);
  BindText(d.insert_audit, 4, prev_hash);
  BindText(d.insert_audit, 5, hash);
  Step(d.db, d.insert_audit);
  sqlite3_bind_text(d.insert_outbox, 1, kPayload, -1, SQLITE_STATIC);
  sqlite3_bind_int64(d.insert_outbox, 2, at);
  Step(d.db, d.insert_outbox);
  prev_hash = hash;
}

void RunEngineRowsMode(const std::string& path, int transitions, int cases, int batch, bool buffer_wal = false) {
  EngineRows d = OpenEngineRows(path, cases, buffer_wal);
  std::string prev_hash(64, '0');
  const double cpu0 = CpuSeconds();  // one thread: the process's CPU is this loop's
  const double s =
      TimeBatches(d.db, transitions, batch, [&](int j) { EngineTransition(d, j, cases, prev_hash); });
  const double cpu_us = (CpuSeconds() - cpu0) * 1e6 / transitions;
  for (auto* st : {d.update_case, d.close_task, d.insert_task, d.insert_audit, d.insert_outbox, d.count_closed,
                    d.count_opened})
    sqlite3_finalize(st);
  sqlite3_close(d.db);
  std::printf(
      "{\"bench\":\"sqlite_limit\",\"rows\":\"engine\",\"vfs\":\"%s\",\"batch\":%d,\"transitions\":%d,"
      "\"seconds\":%.3f,\"transitions_per_s\":%.0f,\"cpu_us_per_transition\":%.1f}\n",
      buffer_wal ? "wal_buffer" : "unix", batch, transitions, s, transitions / s, cpu_us);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::string db = "bench/out/sqlite_limit.db";
  int transitions = 3000;
  int cases = 10000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view k = argv[i];
    if (k == "--db")
      db = argv[i + 1];
    else if (k == "--transitions")
      transitions = std::atoi(argv[i + 1]);
    else if (k == "--cases")
      cases = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  if (transitions < 1 || cases < 1) return 2;
  std::filesystem::path parent = std::filesystem::path(db).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  RunMode(db, transitions, cases, 1);
  // Batched modes are cheap per transition: give them more work so the timing is not noise.
  RunMode(db, transitions * 10, cases, 64);
  RunMode(db, transitions * 10, cases, 256);
  RunEngineRowsMode(db, transitions, cases, 1);
  RunEngineRowsMode(db, transitions * 10, cases, 64);
  RunEngineRowsMode(db, transitions * 10, cases, 256);
  // The same rows through the VFS the engine's writer uses: the ceiling if SQLite's own unix VFS
  // is not taken as given (printed beside it; the target is against the plain one above).
  RunEngineRowsMode(db, transitions * 10, cases, 64, /*buffer_wal=*/true);
  return 0;
}
