// Durable engine transitions (group commit) with concurrent submitters, and the HTTP seed.
#include <atomic>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <fstream>
#include <future>
#include <iterator>
#include <mutex>
#include <optional>
#include <thread>

#include "bench/bench_common.h"
#include "bench/modes.h"

namespace dixian::bench {

using engine::Engine;
using nlohmann::json;

namespace {

// The risk_elimination chain after the case is opened by the clerk: who acts, and how.
struct ChainStep {
  const engine::Principal World::*who;
  const char* action;
};
constexpr ChainStep kChain[] = {
    {&World::clerk, "submit"}, {&World::township, "approve"}, {&World::county, "approve"}, {&World::province, "approve"}};

// One submitter: runs the risk_elimination chain (create, village submit, township approve,
// county approve, province file) on its own households until the deadline, waiting for each
// write to be durable before the next (a closed loop, as one client would).
struct Submitter {
  World& w;
  std::int64_t first, count;
  double deadline;
  std::atomic<std::int64_t>& writes;
  std::atomic<std::int64_t>& instances;
  std::atomic<std::int64_t>& failures;

  bool Done(const engine::Result<engine::CaseView>& r) {
    if (!r.ok()) {
      if (failures++ == 0) std::fprintf(stderr, "bench: write failed: %s\n", r.error().message.c_str());
      return false;
    }
    ++writes;
    return true;
  }

  void Run() {
    for (std::int64_t i = first; i < first + count && NowSeconds() < deadline; ++i) {
      auto created = engine::RunNow(*w.engine, &engine::OpenCase, w.clerk, {"risk_elimination", HouseholdId(i)});
      if (!Done(created)) return;
      const std::string id = created->c.id;
      std::int64_t version = created->c.version;
      for (const auto& step : kChain) {
        if (!Done(engine::RunNow(*w.engine, &engine::ActOnCase, w.*step.who, {id, step.action, "同意", version})))
          return;
        ++version;
      }
      ++instances;
    }
  }
};

// The same chains driven the way the HTTP server drives the engine: each submitter is a state
// machine whose next write starts when the previous one's answer arrives, run by a few driver
// threads (the server's io threads) instead of one OS thread blocked on every write. Still a
// closed loop: a submitter has one write in flight, so `submitters` of them make at most that
// many concurrent writes.
class DrivenSubmitters {
 public:
  DrivenSubmitters(World& w, std::int64_t per, int submitters, double deadline, std::atomic<std::int64_t>& writes,
                   std::atomic<std::int64_t>& instances, std::atomic<std::int64_t>& failures)
      : w_(w), deadline_(deadline), writes_(writes), instances_(instances), failures_(failures) {
    for (int s = 0; s < submitters; ++s) clients_.push_back(Client{s * per, s * per + per, {}, -1, 0});
  }

  void Run(int drivers) {
    {
      std::lock_guard lock(mu_);
      for (auto& c : clients_) ready_.push_back({&c, std::nullopt});
      running_ = clients_.size();
    }
    std::vector<std::thread> threads;
    for (int d = 0; d < drivers; ++d) threads.emplace_back([this] { Drive(); });
    for (auto& t : threads) t.join();
  }

 private:
  using Answer = engine::Result<engine::Answer<engine::CaseView>>;
  struct Client {
    std::int64_t next, end;
    std::string case_id;
    int step;  // -1: open the next case; 0..3: kChain's actions
    std::int64_t version;
  };
  struct Ready {
    Client* client;
    std::optional<Answer> answer;  // empty: nothing written yet
  };

  void Drive() {
    std::vector<Ready> mine;
    for (;;) {
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return !ready_.empty() || running_ == 0; });
        if (ready_.empty()) return;
        mine.swap(ready_);
      }
      for (auto& r : mine) Advance(*r.client, r.answer);
      mine.clear();
    }
  }

  // Takes the answer of the client's last write and starts its next one (or retires it).
  void Advance(Client& c, const std::optional<Answer>& answer) {
    if (answer) {
      if (!answer->ok()) {
        if (failures_++ == 0) std::fprintf(stderr, "bench: write failed: %s\n", answer->error().message.c_str());
        return Retire();
      }
      ++writes_;
      const auto& view = *answer->value().value;
      if (c.step < 0) c.case_id = view.c.id;
      c.version = view.c.version;
      if (++c.step == static_cast<int>(std::size(kChain))) {
        ++instances_;
        c.step = -1;
      }
    }
    if (NowSeconds() >= deadline_ || (c.step < 0 && c.next >= c.end)) return Retire();
    auto done = [this, &c](Answer a) {
      {
        std::lock_guard lock(mu_);
        ready_.push_back({&c, std::move(a)});
      }
      cv_.notify_one();
    };
    if (c.step < 0) {
      engine::OpenCase(*w_.engine, {w_.clerk, std::move(done)}, {"risk_elimination", HouseholdId(c.next++)});
    } else {
      const auto& step = kChain[c.step];
      engine::ActOnCase(*w_.engine, {w_.*step.who, std::move(done)}, {c.case_id, step.action, "同意", c.version});
    }
  }

  void Retire() {
    std::lock_guard lock(mu_);
    if (--running_ == 0) cv_.notify_all();
  }

  World& w_;
  const double deadline_;
  std::atomic<std::int64_t>& writes_;
  std::atomic<std::int64_t>& instances_;
  std::atomic<std::int64_t>& failures_;
  std::deque<Client> clients_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Ready> ready_;
  std::size_t running_ = 0;
};

// CPU seconds the calling thread has used.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// The writer thread's CPU per job, from the batch observer (it runs on the writer after each
// batch): a figure that CPU contention from other processes changes far less than throughput.
struct WriterCpu {
  std::mutex mu;
  bool measuring = false;
  double first = -1, last = 0;
  std::int64_t jobs = 0;  // jobs of the batches after the first measured one
  void Batch(std::size_t n) {
    std::lock_guard lock(mu);
    if (!measuring) return;
    const double now = ThreadCpuSeconds();
    if (first < 0) {
      first = now;
      return;
    }
    last = now;
    jobs += static_cast<std::int64_t>(n);
  }
  double MicrosPerJob() {
    std::lock_guard lock(mu);
    return jobs ? (last - first) * 1e6 / static_cast<double>(jobs) : 0.0;
  }
};

}  // namespace

// dixian_bench transitions --db PATH --submitters N --seconds S --households H
int RunTransitions(int argc, char** argv) {
  const std::string db = Arg(argc, argv, "db", "bench/out/engine.db");
  const int submitters = static_cast<int>(IntArg(argc, argv, "submitters", 8));
  const double seconds = static_cast<double>(IntArg(argc, argv, "seconds", 5));
  const std::int64_t households = IntArg(argc, argv, "households", 40000);
  // --nodes 2 (PostgreSQL): a second store and engine on the same database, as a second
  // process would be; the submitters alternate between them.
  const int nodes = static_cast<int>(IntArg(argc, argv, "nodes", 1));
  // --drivers N: the submitters run as state machines on N threads (DrivenSubmitters); 0: one
  // blocked OS thread per submitter.
  const int drivers = static_cast<int>(IntArg(argc, argv, "drivers", 0));
  World w = OpenWorld(db, true);
  SeedOrgChain(w, "http://127.0.0.1:9/bench-not-delivered");
  SeedMonitoredHouseholds(w, 0, households);
  std::vector<World> more;
  for (int n = 1; n < nodes; ++n) more.push_back(JoinWorld(db, w));
  std::vector<World*> worlds = {&w};
  for (auto& m : more) worlds.push_back(&m);
  std::atomic<std::int64_t> batches{0}, batched{0};
  WriterCpu writer_cpu;  // the first node's writer
  for (World* x : worlds)
    x->store->OnBatch([&, x](std::size_t n) {
      ++batches;
      batched += static_cast<std::int64_t>(n);
      if (x == &w) writer_cpu.Batch(n);
    });
  std::atomic<std::int64_t> writes{0}, instances{0}, failures{0};
  const std::int64_t per = households / submitters;
  {
    std::lock_guard lock(writer_cpu.mu);
    writer_cpu.measuring = true;
  }
  const double t0 = NowSeconds();
  const double cpu0 = ProcessCpuSeconds();
  if (drivers > 0 && nodes == 1) {
    DrivenSubmitters(w, per, submitters, t0 + seconds, writes, instances, failures).Run(drivers);
  } else {
    std::vector<std::thread> threads;
    for (int s = 0; s < submitters; ++s)
      threads.emplace_back([&, s] {
        Submitter{*worlds[static_cast<std::size_t>(s) % worlds.size()], s * per, per, t0 + seconds, writes, instances,
                  failures}
            .Run();
      });
    for (auto& t : threads) t.join();
  }
  const double elapsed = NowSeconds() - t0;
  const double cpu = ProcessCpuSeconds() - cpu0;
  Emit({{"bench", "transitions"}, {"submitters", submitters}, {"nodes", nodes}, {"drivers", drivers}, {"seconds", elapsed}, {"writes", writes.load()},
        {"instances", instances.load()}, {"failures", failures.load()},
        {"transitions_per_s", static_cast<double>(writes) / elapsed},
        {"chain_steps_per_s", static_cast<double>(instances * 4) / elapsed},
        {"instances_per_s", static_cast<double>(instances) / elapsed},
        {"avg_batch", batches ? static_cast<double>(batched) / static_cast<double>(batches) : 0.0},
        {"writer_cpu_us_per_write", writer_cpu.MicrosPerJob()},
        {"cpu_us_per_write", writes ? cpu * 1e6 / static_cast<double>(writes) : 0.0}});
  for (auto& m : more) m.store->Close();
  w.store->Close();
  return failures ? 1 : 0;
}

// dixian_bench http-seed --db PATH --cases N --channel URL --out DIR
// Writes DIR/http_tokens.txt (clerk token, small-inbox clerk token) and DIR/http_cases.txt.
int RunHttpSeed(int argc, char** argv) {
  const std::string db = Arg(argc, argv, "db", "bench/out/http.db");
  const std::int64_t cases = IntArg(argc, argv, "cases", 100000);
  const std::string out = Arg(argc, argv, "out", "bench/out");
  World w = OpenWorld(db, true);
  SeedOrgChain(w, Arg(argc, argv, "channel", ""));
  // A second village whose clerk has a small inbox (20 open tasks) for the GET benchmark.
  const std::string village2 = "520102001002";
  Must(engine::RunNow(*w.engine, &engine::CreateOrg, w.admin, {village2, "小河村", "village", kTownship}),
       "village 2");
  auto user = Must(engine::RunNow(*w.engine, &engine::CreateUser, w.admin,
                                  {"clerk2", "刘文书", "village_clerk", village2, "13800000005", ""}),
                   "clerk2");
  const engine::Instant now = w.clock->Now();
  const auto path2 = w.store->Read()->FindOrg(village2)->path;
  SeedOpenCases(w, village2, path2, 10'000'000, 20, now + 30 * 86400, [&](std::int64_t) { return now + 15 * 86400; });
  auto ids = SeedOpenCases(w, kVillage, w.village_path, 0, cases, now + 30 * 86400,
                           [&](std::int64_t) { return now + 15 * 86400; });
  std::ofstream tokens(out + "/http_tokens.txt");
  tokens << w.tokens[0] << "\n" << user.token << "\n";
  std::ofstream list(out + "/http_cases.txt");
  for (const auto& id : ids) list << id << "\n";
  w.store->Close();
  Emit({{"bench", "http-seed"}, {"cases", cases}});
  return 0;
}

}  // namespace dixian::bench
