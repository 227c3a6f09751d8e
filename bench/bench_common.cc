#include "bench/bench_common.h"

#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>

#include "adapters/runtime/config.h"

namespace dixian::bench {

using nlohmann::json;

std::string Arg(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (argv[i] == "--" + name) return argv[i + 1];
  return fallback;
}

std::int64_t IntArg(int argc, char** argv, const std::string& name, std::int64_t fallback) {
  return std::stoll(Arg(argc, argv, name, std::to_string(fallback)));
}

double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

std::int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void Emit(const json& line) {
  std::cout << line.dump() << std::endl;
}

void Check(bool ok, const std::string& what) {
  if (ok) return;
  std::cerr << "bench: " << what << std::endl;
  std::exit(1);
}

World OpenWorld(const std::string& db, bool fresh, std::unique_ptr<engine::Clock> clock) {
  World w;
  // A fixed key: the bench reopens its databases across runs (never a real installation's key).
  static const auto keys = std::make_shared<const engine::KeyRing>(
      Must(engine::KeyRing::Parse("bench " + std::string(64, 'b')), "bench key"));
  if (fresh && !store::IsPostgresUri(db))
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
  if (store::IsPostgresUri(db)) {
    store::DatabaseOptions store_options;
    store_options.keys = keys;
    w.store = Must(store::OpenDatabase(db, store_options), "open " + store::DescribeDatabase(db));
  } else {
    store::SqliteOptions store_options;
    store_options.keys = keys;
    // BENCH_SYNC_BEHIND=0: the COMMIT itself waits for the disk (no syncer thread), to compare.
    if (const char* s = std::getenv("BENCH_SYNC_BEHIND")) store_options.sync_behind = std::string(s) != "0";
    if (const char* s = std::getenv("BENCH_BUFFER_WAL")) store_options.buffer_wal = std::string(s) != "0";
    if (const char* s = std::getenv("BENCH_CHECKPOINT_PAGES")) store_options.checkpoint_pages = std::atoi(s);
    w.store = Must(store::SqliteStore::Open(db, store_options), "open " + db);
  }
  w.clock = clock ? std::move(clock) : std::make_unique<engine::SystemClock>();
  auto config = runtime::LoadConfig(runtime::ResolvePaths(""));
  engine::EngineOptions options;
  options.admin_token = kAdminToken;
  options.keys = keys;
  // Timers per write job (EngineOptions::timer_batch), for tuning it: BENCH_TIMER_BATCH.
  if (const char* b = std::getenv("BENCH_TIMER_BATCH")) options.timer_batch = std::atoi(b);
  w.engine = std::make_unique<engine::Engine>(*w.store, *w.clock, std::move(config.workflows),
                                              std::move(config.calendar), options);
  w.admin = Must(w.engine->Authenticate(kAdminToken), "admin token");
  return w;
}

World JoinWorld(const std::string& db, const World& first, std::unique_ptr<engine::Clock> clock) {
  World w = OpenWorld(db, false, std::move(clock));
  w.tokens = first.tokens;
  engine::Principal* roles[] = {&w.clerk, &w.township, &w.county, &w.province};
  for (std::size_t i = 0; i < w.tokens.size() && i < 4; ++i)
    *roles[i] = Must(w.engine->Authenticate(w.tokens[i]), "authenticate on the second node");
  w.village_path = first.village_path;
  return w;
}

namespace {

engine::Principal AddUser(World& w, const std::string& id, const std::string& name, const std::string& role,
                          const std::string& org, const std::string& mobile) {
  auto r = engine::RunNow(*w.engine, &engine::CreateUser, w.admin, {id, name, role, org, mobile, ""});
  const std::string token = Must(std::move(r), "create user " + id).token;
  w.tokens.push_back(token);
  return Must(w.engine->Authenticate(token), "authenticate " + id);
}

}  // namespace

void SeedOrgChain(World& w, const std::string& channel_url) {
  const std::vector<std::vector<std::string>> orgs = {
      {kProvince, "贵州省", "province", ""},       {kCity, "贵阳市", "city", kProvince},
      {kCounty, "南明区", "county", kCity},         {kTownship, "云关乡", "township", kCounty},
      {kVillage, "尖坡村", "village", kTownship}};
  for (const auto& o : orgs)
    Must(engine::RunNow(*w.engine, &engine::CreateOrg, w.admin, {o[0], o[1], o[2], o[3]}), "create org " + o[0]);
  w.clerk = AddUser(w, "clerk", "王村文书", "village_clerk", kVillage, "13800000001");
  w.township = AddUser(w, "township", "李审查", "township_reviewer", kTownship, "13800000002");
  w.county = AddUser(w, "county", "张审核", "county_officer", kCounty, "13800000003");
  w.province = AddUser(w, "province", "赵备案", "province_officer", kProvince, "13800000004");
  w.village_path = w.store->Read()->FindOrg(kVillage)->path;
  if (!channel_url.empty())
    Must(engine::RunNow(*w.engine, &engine::CreateChannel, w.admin,
                        {"", kProvince, "webhook", channel_url, "", std::nullopt}),
         "create channel");
}

std::string HouseholdId(std::int64_t i) { return "H" + std::to_string(i); }

void SeedMonitoredHouseholds(World& w, std::int64_t first, std::int64_t count, int per_job) {
  const engine::Instant now = w.clock->Now();
  for (std::int64_t start = first; start < first + count; start += per_job) {
    const std::int64_t end = std::min(first + count, start + per_job);
    Must(w.store->Run([&](engine::WriteTx& tx) -> engine::Result<json> {
      for (std::int64_t i = start; i < end; ++i) {
        engine::Household h{HouseholdId(i), kVillage, w.village_path, "王某某", 4, 4800, now};
        if (auto st = tx.InsertHousehold(h); !st.ok()) return st.error();
        tx.UpsertMonitoring({h.id, engine::MonitoringType::kMarginal, engine::MonitoringStatus::kRiskActive,
                             engine::Cause::kIllness, {engine::Cause::kIllness}, now, "", now});
      }
      return json(nullptr);
    }), "seed households");
  }
}

std::vector<std::string> SeedOpenCases(World& w, const std::string& village, const std::string& path,
                                       std::int64_t first, std::int64_t count, engine::Instant due_at,
                                       const std::function<engine::Instant(std::int64_t)>& fire_at,
                                       int per_job) {
  const engine::Instant now = w.clock->Now();
  std::vector<std::string> ids;
  ids.reserve(static_cast<std::size_t>(count));
  for (std::int64_t start = first; start < first + count; start += per_job) {
    const std::int64_t end = std::min(first + count, start + per_job);
    Must(w.store->Run([&](engine::WriteTx& tx) -> engine::Result<json> {
      for (std::int64_t i = start; i < end; ++i) {
        engine::Household h{HouseholdId(i), village, path, "王某某", 4, 4800, now};
        if (auto st = tx.InsertHousehold(h); !st.ok()) return st.error();
        tx.UpsertMonitoring({h.id, engine::MonitoringType::kMarginal, engine::MonitoringStatus::kRiskActive,
                             engine::Cause::kIllness, {engine::Cause::kIllness}, now, "", now});
        engine::Case c;
        c.id = tx.NextCaseId();
        c.workflow = "risk_elimination";
        c.workflow_version = 1;
        c.household = h.id;
        c.state = "village_fill";
        c.version = 1;
        c.org_path = path;
        c.last_actor = "clerk";
        c.created_by = "clerk";
        c.created_at = c.updated_at = now;
        tx.InsertCase(c);
        engine::Task t;
        t.case_id = c.id;
        t.household = h.id;
        t.workflow = "risk_elimination";
        t.workflow_version = 1;
        t.step = "village_fill";
        t.org = village;
        t.org_path = path;
        t.role = engine::Role::kVillageClerk;
        t.created_at = now;
        t.due_at = due_at;
        t.next_fire_at = fire_at(i);
        tx.InsertTask(t);
        ids.push_back(c.id);
      }
      return json(nullptr);
    }), "seed open cases");
  }
  return ids;
}

std::int64_t ProcStatusKb(int pid, const std::string& field) {
  std::ifstream in(pid ? "/proc/" + std::to_string(pid) + "/status" : std::string("/proc/self/status"));
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field + ":", 0) == 0) return std::atoll(line.c_str() + field.size() + 1);
  return -1;
}

}  // namespace dixian::bench
