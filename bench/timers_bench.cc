// Deadlines: a database with N open cases/tasks of which K are due at one instant; firing them
// (ManualClock + RunDue); and the firing delay of the system-clock scheduler.
#include <sys/resource.h>

#include <future>
#include <thread>

#include "adapters/store/sqlite/sqlite_db.h"
#include "adapters/store/sql/write_tx.h"
#include "bench/bench_common.h"
#include "bench/modes.h"
#include "bench/province_seed.h"

namespace dixian::bench {

using nlohmann::json;

// dixian_bench timers-seed --db PATH --households N --open T [--open-cases C] --due K --seed S
//   [--report-data 1] (the report benchmark's data: ProvinceSpec::report_data)
// The synthetic province (bench/province_seed.cc): N households, 5 % monitored with a case in
// every state, T open tasks due over the coming year; K of them have their next timer at one
// instant (now + 1 day), printed as due_at.
int RunTimersSeed(int argc, char** argv) {
  const std::string db = Arg(argc, argv, "db", "bench/out/timers.db");
  ProvinceSpec spec;
  spec.seed = static_cast<std::uint64_t>(IntArg(argc, argv, "seed", 20260101));
  spec.households = IntArg(argc, argv, "households", 1000000);
  spec.open_tasks = IntArg(argc, argv, "open", 1000000);
  spec.open_cases = IntArg(argc, argv, "open-cases", spec.open_tasks);
  spec.due = std::max<std::int64_t>(1, IntArg(argc, argv, "due", 10000));
  spec.report_data = IntArg(argc, argv, "report-data", 0) != 0;
  World w = OpenWorld(db, true);
  SeedOrgChain(w, Arg(argc, argv, "channel", "http://127.0.0.1:9/bench-not-delivered"));
  const double t0 = NowSeconds();
  const ProvinceFigures f = SeedProvince(w, spec);
  const double seconds = NowSeconds() - t0;
  w.store->Close();
  const std::int64_t rows = f.households + f.monitored + f.cases + f.open_tasks;
  Emit({{"bench", "timers-seed"}, {"households", f.households}, {"monitored", f.monitored},
        {"cases", f.cases}, {"open_cases", f.open_cases}, {"states", f.states.size()}, {"open", f.open_tasks}, {"due", f.due},
        {"due_at", f.due_at}, {"overdue", f.overdue}, {"measures", f.measures}, {"visits", f.visits},
        {"movements", f.movements}, {"seconds", seconds}, {"rows_per_s", static_cast<double>(rows) / seconds}});
  return 0;
}

// dixian_bench timers-fire --db PATH --at INSTANT
// Sets a ManualClock to the due instant and times RunDue (reminders written with their outbox
// rows, next timers scheduled). Afterwards marks the outbox delivered so a server started on this
// database next has nothing to send (the idle measurement).
namespace {

// SQLite's plan for the engine's timer claim query (the one DueTasks runs), on this database.
std::string DueTasksPlan(const std::string& db) {
  auto conn = Must(store::SqliteConnection::Open(db, true, false, 1000), "open for EXPLAIN");
  auto st = conn->Prepare("EXPLAIN QUERY PLAN SELECT id" DIXIAN_DUE_TASKS_WHERE);
  std::string plan;
  while (st.Step()) plan += (plan.empty() ? "" : "; ") + st.Text(3);
  return plan;
}

}  // namespace

int RunTimersFire(int argc, char** argv) {
  const std::string db = Arg(argc, argv, "db", "bench/out/timers.db");
  const engine::Instant at = IntArg(argc, argv, "at", 0);
  // --nodes 2 (PostgreSQL): a second store and engine on the database fire at the same time, as
  // two processes would (each timer once: the write lock and FOR UPDATE SKIP LOCKED).
  const int nodes = static_cast<int>(IntArg(argc, argv, "nodes", 1));
  const std::string plan = store::IsPostgresUri(db) ? "" : DueTasksPlan(db);
  World w = OpenWorld(db, false, std::make_unique<engine::ManualClock>(at));
  std::vector<World> more;
  for (int n = 1; n < nodes; ++n) more.push_back(OpenWorld(db, false, std::make_unique<engine::ManualClock>(at)));
  const double t0 = NowSeconds();
  const double cpu0 = ProcessCpuSeconds();
  std::vector<std::future<std::int64_t>> others;
  for (auto& m : more)
    others.push_back(std::async(std::launch::async, [&m] { return Must(m.engine->RunDue(), "RunDue"); }));
  std::int64_t fired = Must(w.engine->RunDue(), "RunDue");
  for (auto& f : others) fired += f.get();
  const double seconds = NowSeconds() - t0;
  const double cpu_seconds = ProcessCpuSeconds() - cpu0;
  const std::int64_t outbox = w.store->PendingCount();
  while (true) {
    auto ready = Must(w.store->Ready(WallMs() / 1000 + 1, 5000), "Ready");
    if (ready.empty()) break;
    engine::DeliveryOutcomes outcomes;
    for (const auto& m : ready) outcomes.delivered.push_back(m.id);
    Must(w.store->RecordOutcomes(outcomes, WallMs() / 1000), "RecordOutcomes");
  }
  for (auto& m : more) m.store->Close();
  w.store->Close();
  Emit({{"bench", "timers-fire"}, {"nodes", nodes}, {"fired", fired}, {"seconds", seconds}, {"outbox_rows", outbox},
        {"timers_per_s", static_cast<double>(fired) / seconds}, {"cpu_seconds", cpu_seconds},
        {"plan", plan}});
  return 0;
}

// dixian_bench timers-delay --db PATH --rounds N --ahead S
// System clock and the engine's scheduler thread: a task's next timer is set S seconds ahead;
// the delay is from that instant to when the fired timer is visible in a committed read.
int RunTimersDelay(int argc, char** argv) {
  const std::string db = Arg(argc, argv, "db", "bench/out/delay.db");
  const int rounds = static_cast<int>(IntArg(argc, argv, "rounds", 3));
  const engine::Instant ahead = IntArg(argc, argv, "ahead", 2);
  World w = OpenWorld(db, true);
  SeedOrgChain(w, "");
  const engine::Instant now = w.clock->Now();
  SeedOpenCases(w, kVillage, w.village_path, 0, 1, now + 30 * 86400, [&](std::int64_t) { return now + 10 * 86400; });
  const std::int64_t task_id = w.store->Read()->OpenTasksOfHousehold(HouseholdId(0)).at(0).id;
  w.engine->StartScheduler();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let it go to sleep
  double total = 0, worst = 0;
  for (int r = 0; r < rounds; ++r) {
    const engine::Instant at = w.clock->Now() + ahead;
    Must(w.store->Run([&](engine::WriteTx& tx) -> engine::Result<json> {
      auto t = tx.FindTask(task_id);
      t->fire_index = 0;
      t->next_fire_at = at;
      tx.UpdateTask(*t);
      return json(nullptr);
    }), "schedule");
    w.engine->NoteTimer(at);
    while (w.store->Read()->FindTask(task_id)->fire_index == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    const double delay_ms = static_cast<double>(WallMs() - at * 1000);
    total += delay_ms;
    worst = std::max(worst, delay_ms);
  }
  w.engine->StopScheduler();
  w.store->Close();
  Emit({{"bench", "timers-delay"}, {"rounds", rounds}, {"avg_ms", total / rounds}, {"max_ms", worst}});
  return 0;
}

}  // namespace dixian::bench
