// Crash safety: the real server is SIGKILLed at seeded moments (after a seeded number of further
// acknowledged writes) while several clients create households and cases and move them up the
// identification chain, and while the fake clock is advanced. After each kill the server restarts on the same database. At the end: every
// acknowledged write is present, every case's history explains its state, the file is intact, the
// audit chain verifies, no timer fired twice, and every outbox message was delivered.
//
// DIXIAN_SOAK_KILLS sets the number of kills (default 20; scripts/soak.sh uses 200).
#include <atomic>
#include <cstdio>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "engine/core/time.h"
#include "tests/reliability/reliability_util.h"
#include "tests/support/fake_platform.h"
#include "tests/support/slow_test.h"

namespace dixian::reliability {
namespace {

using test_support::HttpClient;
using test_support::ServerProcess;
using test_support::ServerProcessOptions;

constexpr engine::Instant kStart = 1772413200;  // 2026-03-02T09:00:00+08:00

// The server across restarts: clients read the current port, wait while it is down.
class Harness {
 public:
  Harness(std::string db, std::string key_file)
      : db_(std::move(db)), key_file_(std::move(key_file)) {}

  bool Start(engine::Instant clock) {
    ServerProcessOptions o;
    o.binary = Binary();
    o.db = db_;
    o.key_file = key_file_;  // one key across the restarts
    o.fake_clock = engine::FormatRfc3339(clock);
    auto next = std::make_unique<ServerProcess>(o);
    if (!next->Start()) {
      ADD_FAILURE() << "restart failed: " << next->error();
      return false;
    }
    std::lock_guard lock(mu_);
    server_ = std::move(next);
    port_ = server_->port();
    ++generation_;
    cv_.notify_all();
    return true;
  }
  void Kill() {
    std::lock_guard lock(mu_);
    port_ = 0;
    logs_ += server_->Log();
    server_->Kill();
  }
  int Stop() {
    std::lock_guard lock(mu_);
    port_ = 0;
    const int code = server_->Stop();
    logs_ += server_->Log();
    return code;
  }
  // Waits until the server is up in a generation newer than `seen`; returns (port, generation).
  std::pair<unsigned short, int> Up(int seen) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(60), [&] { return port_ != 0 && generation_ > seen; });
    return {port_, generation_};
  }
  std::pair<unsigned short, int> Current() {
    std::lock_guard lock(mu_);
    return {port_, generation_};
  }
  const std::string& admin_token() const { return server_->admin_token(); }
  std::string logs() const { return logs_; }

 private:
  std::string db_;
  std::string key_file_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::unique_ptr<ServerProcess> server_;
  unsigned short port_ = 0;
  int generation_ = 0;
  std::string logs_;
};

// Sends a request until the server answers (any status): a dead connection waits for the restart
// and retries with the same Idempotency-Key, so a write committed before the kill is replayed.
Answer Durable(Harness& h, const std::string& token, const std::string& method, const std::string& target,
               const Json& body, const std::string& key) {
  auto [port0, gen0] = h.Current();
  unsigned short port = port0;
  int gen = gen0;
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (port == 0) std::tie(port, gen) = h.Up(gen - 1);
    HttpClient c(port);
    c.SetBearer(token);
    c.SetTimeout(std::chrono::milliseconds(15000));
    auto a = Call(c, method, target, body, {{"Idempotency-Key", key}});
    if (a.status != 0) return a;
    std::tie(port, gen) = h.Up(gen);
  }
  return {};
}

struct Ledger {
  std::mutex mu;
  std::set<std::string> households;
  std::map<std::string, std::pair<std::int64_t, std::string>> cases;  // id -> (version, state)
  std::vector<std::string> unexpected;
  std::atomic<int> acked{0};
  std::condition_variable acked_cv;  // notified with mu held on every acknowledged write

  void Household(const std::string& id) {
    std::lock_guard lock(mu);
    households.insert(id);
    ++acked;
    acked_cv.notify_all();
  }
  void Case(const Json& b) {
    std::lock_guard lock(mu);
    auto& slot = cases[b["id"].get<std::string>()];
    if (b["version"].get<std::int64_t>() >= slot.first) slot = {b["version"].get<std::int64_t>(), b["state"].get<std::string>()};
    ++acked;
    acked_cv.notify_all();
  }
  // Waits until the server has acknowledged `n` more writes than `since` (the kill's signal);
  // false after 60 s without them, or when every client has given up.
  bool WaitAcked(int since, int n, const std::atomic<int>& clients) {
    std::unique_lock lock(mu);
    return acked_cv.wait_for(lock, std::chrono::seconds(60),
                             [&] { return acked.load() >= since + n || clients.load() == 0; }) &&
           acked.load() >= since + n;
  }
  void Unexpected(const std::string& what, const Answer& a) {
    std::lock_guard lock(mu);
    unexpected.push_back(what + " -> " + std::to_string(a.status) + " " + a.raw.substr(0, 300));
  }
};

// One client: households in its village taken up the identification chain.
Answer DurableMinutes(Harness& h, const std::string& token, const std::string& case_id);

void Worker(Harness& h, const County& county, const std::string& village, Ledger& ledger, const std::atomic<bool>& stop) {
  const std::string clerk = county.tokens.at("clerk_" + village);
  const std::string reviewer = county.tokens.at("rev_" + County::TownshipOf(village));
  const std::string officer = county.tokens.at("county");
  for (int n = 0; !stop; ++n) {
    const std::string hid = "h-" + village + "-" + std::to_string(n);
    Json hh = {{"id", hid}, {"village", village}, {"head_name", "户主" + std::to_string(n)}, {"members", 3},
               {"income_per_capita", 4000}};
    auto a = Durable(h, clerk, "POST", "/api/v1/households", hh, "hh-" + hid);
    if (a.status != 201) return ledger.Unexpected("household " + hid, a);
    ledger.Household(hid);
    Json open = {{"workflow", "identification"}, {"household", hid},
                 {"data", {{"type", "marginal"}, {"primary_cause", "illness"}}}};
    a = Durable(h, clerk, "POST", "/api/v1/cases", open, "case-" + hid);
    if (a.status != 201) return ledger.Unexpected("case for " + hid, a);
    ledger.Case(a.body);
    const std::string id = a.body["id"];
    std::int64_t version = a.body["version"];
    // Every third case stays at the township, so timers fire on it while the clock moves.
    const int steps = n % 3 == 2 ? 1 : 3;
    const std::pair<const char*, std::string> chain[] = {{"submit", clerk}, {"approve", reviewer}, {"approve", officer}};
    // The minutes the village submit requires: kill -9 may land between the file and its row.
    a = DurableMinutes(h, clerk, id);
    if (a.status != 201) return ledger.Unexpected("minutes for " + id, a);
    for (int s = 0; s < steps && !stop; ++s) {
      Json act = {{"action", chain[s].first}, {"comment", "同意"}, {"expected_version", version}};
      a = Durable(h, chain[s].second, "POST", "/api/v1/cases/" + id + "/actions", act,
                  "act-" + id + "-" + std::to_string(version));
      if (a.status != 200) return ledger.Unexpected("action " + id, a);
      ledger.Case(a.body);
      version = a.body["version"];
    }
  }
}

// Durable for an evidence upload (a raw body): the same retries and Idempotency-Key.
Answer DurableMinutes(Harness& h, const std::string& token, const std::string& case_id) {
  auto [port, gen] = h.Current();
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (port == 0) std::tie(port, gen) = h.Up(gen - 1);
    HttpClient c(port);
    c.SetBearer(token);
    c.SetTimeout(std::chrono::milliseconds(15000));
    auto a = AttachMinutes(c, case_id, {{"Idempotency-Key", "minutes-" + case_id}});
    if (a.status != 0) return a;
    std::tie(port, gen) = h.Up(gen);
  }
  return {};
}

int Kills() {
  const char* env = std::getenv("DIXIAN_SOAK_KILLS");
  return env ? std::max(1, std::atoi(env)) : 20;
}

// Replays each case's history from the database: each event's from is the previous to, and the
// last to is the case's state. Returns the problems found.
std::vector<std::string> ReplayHistories(const std::string& db) {
  std::vector<std::string> problems;
  std::map<std::string, std::string> state;
  for (const auto& r : Sql(db, "SELECT id, state FROM cases")) state[r[0]] = r[1];
  std::map<std::string, std::string> at;
  for (const auto& r : Sql(db, "SELECT case_id, action, from_state, to_state, seq FROM audit WHERE case_id <> '' ORDER BY seq")) {
    const auto& [id, action, from, to, seq] = std::tie(r[0], r[1], r[2], r[3], r[4]);
    auto it = at.find(id);
    if (it == at.end()) {
      if (action != "create") problems.push_back(id + ": first event " + action + " (seq " + seq + ")");
      at[id] = to;
      continue;
    }
    if (from != it->second) problems.push_back(id + ": event " + seq + " " + action + " from " + from + " after " + it->second);
    it->second = to;
  }
  for (const auto& [id, s] : state) {
    auto it = at.find(id);
    if (it == at.end()) problems.push_back(id + ": no history");
    else if (it->second != s) problems.push_back(id + ": state " + s + " but history ends at " + it->second);
  }
  return problems;
}

TEST(CrashSafety, SurvivesRandomKills) {
  DIXIAN_SLOW_TEST();
  testing::TempDir dir;
  testing::TestDb test_db(dir.File("crash.db"));
  const std::string db = test_db.db();
  const std::string key_file = dir.File("crash.key");
  testing::FakePlatform receiver("webhook", "");
  Harness h(db, key_file);
  engine::Instant clock = kStart;
  ASSERT_TRUE(h.Start(clock));
  County county;
  ASSERT_TRUE(SeedCountyAt(h.Current().first, h.admin_token(), &county, receiver.Url()));

  Ledger ledger;
  std::atomic<bool> stop{false};
  std::vector<std::thread> workers;
  std::atomic<int> clients{static_cast<int>(county.villages.size())};
  for (const auto& v : county.villages)
    workers.emplace_back([&, v] {
      Worker(h, county, v, ledger, stop);
      std::lock_guard lock(ledger.mu);
      --clients;
      ledger.acked_cv.notify_all();
    });

  std::mt19937 rng(20260302);
  const int kills = Kills();
  int survived = 0;
  for (int k = 0; k < kills; ++k) {
    // Advance the engine clock by a day on a side thread, so some kills land inside RunDue. The
    // kill comes once the server has acknowledged a chosen number of further writes (1 to 40,
    // seeded): an explicit signal from the run itself, not a guess in wall time.
    clock += 86400;
    const int since = ledger.acked.load();
    std::thread advance([&h, token = h.admin_token()] {
      auto [port, gen] = h.Current();
      (void)gen;
      if (port == 0) return;
      HttpClient c(port);
      c.SetBearer(token);
      (void)Call(c, "POST", "/api/v1/admin/clock", {{"advance_seconds", 86400}});
    });
    const int wanted = std::uniform_int_distribution<int>(1, 40)(rng);
    const bool signalled = ledger.WaitAcked(since, wanted, clients);
    h.Kill();
    advance.join();
    if (!signalled) {
      ADD_FAILURE() << "kill " << k << ": the server did not acknowledge " << wanted << " more writes";
      break;
    }
    ASSERT_TRUE(h.Start(clock)) << "after kill " << k;  // the restart fires what came due while down
    ++survived;
  }
  stop = true;
  for (auto& w : workers) w.join();
  for (const auto& u : ledger.unexpected) ADD_FAILURE() << "unexpected answer: " << u;

  // Let the delivery worker drain the outbox (wall-time pacing): wait while it makes progress,
  // fail after 60 s without any. The server is another process with no drain signal, so this
  // polls the condition itself (the sleep orders nothing; it paces the poll).
  auto last_progress = std::chrono::steady_clock::now();
  std::string pending = "?";
  long long best = -1;
  while (std::chrono::steady_clock::now() - last_progress < std::chrono::seconds(60)) {
    pending = Scalar(db, "SELECT count(*) FROM outbox WHERE status <> 'delivered'");
    if (pending == "0") break;
    const long long n = std::stoll(pending);
    if (best < 0 || n < best) best = n, last_progress = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(h.Stop(), 0) << "graceful stop after the run";
  std::printf("[crash] kills survived: %d, acknowledged writes: %d, cases: %zu\n", survived, ledger.acked.load(),
              ledger.cases.size());

  // 1. Every acknowledged write is there, at least at the acknowledged version.
  std::set<std::string> households;
  for (const auto& r : Sql(db, "SELECT id FROM households")) households.insert(r[0]);
  for (const auto& id : ledger.households) EXPECT_TRUE(households.count(id)) << "acknowledged household lost: " << id;
  std::map<std::string, std::pair<std::int64_t, std::string>> cases;
  for (const auto& r : Sql(db, "SELECT id, version, state FROM cases")) cases[r[0]] = {std::stoll(r[1]), r[2]};
  for (const auto& [id, acked] : ledger.cases) {
    auto it = cases.find(id);
    ASSERT_NE(it, cases.end()) << "acknowledged case lost: " << id;
    EXPECT_GE(it->second.first, acked.first) << id;
    if (it->second.first == acked.first) {
      EXPECT_EQ(it->second.second, acked.second) << id;
    }
  }
  // 2. Histories explain states.
  for (const auto& p : ReplayHistories(db)) ADD_FAILURE() << p;
  // 3. File and audit chain.
  if (!testing::OnPostgres()) { EXPECT_EQ(Scalar(db, "PRAGMA integrity_check"), "ok"); }
  auto verify = test_support::RunCommand(Binary(), {"audit", "verify", "--db", db, "--key-file", key_file});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_NE(verify.out.find("\"ok\":true"), std::string::npos) << verify.out;
  // 4. Each timer point fired once.
  const std::string task_point = testing::OnPostgres()
                                     ? "CAST(data AS jsonb) ->> 'task', CAST(data AS jsonb) ->> 'fire_index'"
                                     : "json_extract(data,'$.task'), json_extract(data,'$.fire_index')";
  auto dup = Sql(db, "SELECT " + task_point + ", count(*) FROM audit "
                     "WHERE action IN ('overdue','escalate') GROUP BY 1, 2 HAVING count(*) > 1");
  for (const auto& r : dup) ADD_FAILURE() << "timer fired " << r[2] << " times: task " << r[0] << " point " << r[1];
  EXPECT_GT(std::stoi(Scalar(db, "SELECT count(*) FROM audit WHERE action IN ('overdue','escalate')")), 0)
      << "the clock moved far enough for timers to fire";
  // 5. Outbox: all delivered; ids unique per message (same id, same content).
  EXPECT_EQ(pending, "0") << "outbox messages never delivered";
  std::set<std::string> outbox_ids;
  for (const auto& r : Sql(db, "SELECT COALESCE(message_id, 'msg-' || id) FROM outbox")) outbox_ids.insert(r[0]);
  std::map<std::string, std::string> seen;
  for (const auto& m : receiver.Received()) {
    const std::string id = m.body.value("message_id", "");
    ASSERT_FALSE(id.empty()) << m.raw_body;
    EXPECT_EQ(m.headers.count("x-dixian-message-id") ? m.headers.at("x-dixian-message-id") : id, id);
    if (id.rfind("digest-", 0) != 0) {
      EXPECT_TRUE(outbox_ids.count(id)) << "unknown message id " << id;
    }
    const std::string content = m.body["title"].dump() + m.body["lines"].dump();
    auto [it, fresh] = seen.emplace(id, content);
    if (!fresh) {
      EXPECT_EQ(it->second, content) << "message id " << id << " reused for other content";
    }
  }
  EXPECT_FALSE(seen.empty()) << "the receiver got messages";
}

}  // namespace
}  // namespace dixian::reliability
