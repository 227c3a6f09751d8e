// Deadlines: a database with N open cases/tasks of which K are due at one instant; firing them
// (ManualClock + RunDue); and the firing delay of the system-clock scheduler.
#include <thread>

#include "bench/bench_common.h"
#include "bench/modes.h"

namespace dixian::bench {

using nlohmann::json;

// dixian_bench timers-seed --db PATH --open N --due K
// Open tasks are created "now" (system time) due in 30 days; K of them (spread over the set) have
// their next timer at now+1 day, the rest at now+10 days. Prints the due instant.
int RunTimersSeed(int argc, char** argv) {
  const std::string db = Arg(argc, argv, "db", "bench/out/timers.db");
  const std::int64_t open = IntArg(argc, argv, "open", 1000000);
  const std::int64_t due = std::max<std::int64_t>(1, IntArg(argc, argv, "due", 10000));
  World w = OpenWorld(db, true);
  SeedOrgChain(w, Arg(argc, argv, "channel", "http://127.0.0.1:9/bench-not-delivered"));
  const engine::Instant now = w.clock->Now();
  const engine::Instant at = now + 86400;
  const std::int64_t stride = std::max<std::int64_t>(1, open / due);
  const double t0 = NowSeconds();
  SeedOpenCases(w, kVillage, w.village_path, 0, open, now + 30 * 86400, [&](std::int64_t i) {
    return (i % stride == 0 && i / stride < due) ? at : now + 10 * 86400;
  });
  const double seconds = NowSeconds() - t0;
  w.store->Close();
  Emit({{"bench", "timers-seed"}, {"open", open}, {"due", due}, {"due_at", at}, {"seconds", seconds},
        {"rows_per_s", static_cast<double>(open * 4) / seconds}});
  return 0;
}

// dixian_bench timers-fire --db PATH --at INSTANT
// Sets a ManualClock to the due instant and times RunDue (reminders written with their outbox
// rows, next timers scheduled). Afterwards marks the outbox delivered so a server started on this
// database next has nothing to send (the idle measurement).
int RunTimersFire(int argc, char** argv) {
  const std::string db = Arg(argc, argv, "db", "bench/out/timers.db");
  const engine::Instant at = IntArg(argc, argv, "at", 0);
  World w = OpenWorld(db, false, std::make_unique<engine::ManualClock>(at));
  const double t0 = NowSeconds();
  const std::int64_t fired = Must(w.engine->RunDue(), "RunDue");
  const double seconds = NowSeconds() - t0;
  const std::int64_t outbox = w.store->PendingCount();
  while (true) {
    auto ready = w.store->Ready(WallMs() / 1000 + 1, 5000);
    if (ready.empty()) break;
    std::vector<std::int64_t> ids;
    for (const auto& m : ready) ids.push_back(m.id);
    w.store->MarkDelivered(ids, WallMs() / 1000);
  }
  w.store->Close();
  Emit({{"bench", "timers-fire"}, {"fired", fired}, {"seconds", seconds}, {"outbox_rows", outbox},
        {"timers_per_s", static_cast<double>(fired) / seconds}});
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
