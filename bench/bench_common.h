#pragma once
// Shared set-up for the in-process benchmarks (bench/dixian_bench): a real SQLite store, the
// shipped workflows and calendar, a small org chain with one user per chain role, and bulk
// seeding of households, cases and tasks straight through the store's WriteTx in big jobs.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/store/database.h"
#include "adapters/store/sqlite/sqlite_store.h"
#include "engine/commands/admin.h"
#include "engine/commands/cases.h"
#include "engine/commands/households.h"
#include "engine/engine.h"

namespace dixian::bench {

inline constexpr const char* kAdminToken = "bench-admin-token";
inline constexpr const char* kProvince = "520000000000";
inline constexpr const char* kCity = "520100000000";
inline constexpr const char* kCounty = "520102000000";
inline constexpr const char* kTownship = "520102001000";
inline constexpr const char* kVillage = "520102001001";

// `--name value` from argv, else the fallback.
std::string Arg(int argc, char** argv, const std::string& name, const std::string& fallback);
std::int64_t IntArg(int argc, char** argv, const std::string& name, std::int64_t fallback);

double NowSeconds();        // steady clock, seconds
double ProcessCpuSeconds();  // CPU of every thread of the process, user + system
std::int64_t WallMs();      // system clock, ms since the epoch
void Emit(const nlohmann::json& line);  // one JSON line on stdout, flushed

// Aborts the benchmark with a message (set-up failures are fatal).
void Check(bool ok, const std::string& what);
template <class T>
T Must(engine::Result<T> r, const std::string& what) {
  Check(r.ok(), what + ": " + (r.ok() ? "" : r.error().message));
  return std::move(r.value());
}

// A store + engine on a fresh (deleted first) database file, or a PostgreSQL database
// (postgresql://...: bench/run.sh's pg rows create an empty one per benchmark).
struct World {
  std::unique_ptr<store::Database> store;
  std::unique_ptr<engine::Clock> clock;
  std::unique_ptr<engine::Engine> engine;
  engine::Principal admin, clerk, township, county, province;
  std::string village_path;
  std::vector<std::string> tokens;  // clerk, township, county, province
};

// fresh=true deletes the file (and -wal/-shm) first. clock: nullptr = SystemClock.
World OpenWorld(const std::string& db, bool fresh, std::unique_ptr<engine::Clock> clock = nullptr);
// Another node on `first`'s PostgreSQL database: its own store (connections, writer) and engine,
// the same users (SeedOrgChain's, authenticated again).
World JoinWorld(const std::string& db, const World& first, std::unique_ptr<engine::Clock> clock = nullptr);

// Province > city > county > township > village, one user per chain role (tokens kept), and a
// "webhook" channel at the province pointing at `channel_url` (every task notice writes an
// outbox row, as in production). Empty url = no channel.
void SeedOrgChain(World& w, const std::string& channel_url);

// Households "H<first>".."H<first+count-1>" in the village, as monitoring objects with risk not
// eliminated (the subject of the risk_elimination chain). Jobs of `per_job` rows.
void SeedMonitoredHouseholds(World& w, std::int64_t first, std::int64_t count, int per_job = 20000);

std::string HouseholdId(std::int64_t i);

// `count` open risk_elimination cases at the village step (version 1), each on its own new
// monitored household H<first+i> in `village` (code, path), each with its open village task due
// at `due_at` whose next timer fires at fire_at(i). Returns the case ids. Written directly
// through WriteTx in jobs of `per_job` (set-up only, not what is measured).
std::vector<std::string> SeedOpenCases(World& w, const std::string& village, const std::string& path,
                                       std::int64_t first, std::int64_t count, engine::Instant due_at,
                                       const std::function<engine::Instant(std::int64_t)>& fire_at,
                                       int per_job = 20000);

// VmHWM / VmRSS of a process in KiB (pid 0 = self).
std::int64_t ProcStatusKb(int pid, const std::string& field);

}  // namespace dixian::bench
