#pragma once
// The delivery worker: reads ready outbox rows, paces them per robot, digests bursts, sends
// through the platform descriptors and records the outcomes. Two threads whatever the number of
// channels: the worker's own (store reads and writes, planning) and one io thread where every
// channel's sends run as a coroutine on one io_context with one TLS context, so a slow or failing
// channel never holds up another. Outcomes are written once per round, with the pacing marks.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "adapters/chat/classify.h"
#include "adapters/chat/http_client.h"
#include "adapters/chat/platform.h"
#include "adapters/chat/rate_limiter.h"
#include "adapters/chat/render.h"
#include "adapters/chat/templates.h"
#include "engine/outbox/outbox.h"

namespace spdlog {
class logger;
}

namespace dixian::chat {

class AppClient;

struct PlatformCounters {
  std::atomic<std::int64_t> delivered{0};
  std::atomic<std::int64_t> retried{0};
  std::atomic<std::int64_t> dead{0};
};

// For /metrics. Counts outbox messages (a digest of 40 tasks delivers 40).
struct DeliveryCounters {
  DeliveryCounters();  // one entry per platform kind
  PlatformCounters total;
  std::atomic<std::int64_t> requests{0};         // HTTP requests sent
  std::atomic<std::int64_t> record_failures{0};  // outcome writes that failed (and were retried)
  // The counters of one channel kind (an unknown kind: a shared "other" entry).
  PlatformCounters& For(std::string_view kind);
  const PlatformCounters& For(std::string_view kind) const;

 private:
  std::map<std::string, PlatformCounters, std::less<>> by_kind_;
  PlatformCounters other_;
};

struct DeliveryOptions {
  Templates templates;
  HttpTimeouts timeouts;
  int batch_limit = 500;
  int max_attempts = 12;  // then dead: "多次重试仍失败"
  // Channels sending at once (each one a coroutine with one connection open at a time).
  int max_busy_channels = 256;
  std::int64_t poll_ms = 2000;  // re-reads the outbox at least this often (wall time)
  // Wakes and finished sends arriving sooner than this after the last outbox read are
  // coalesced into one read (a wake during a read always causes one more read).
  std::int64_t min_scan_interval_ms = 20;
  std::int64_t backoff_base_s = 10;
  std::int64_t backoff_cap_s = 3600;
  std::shared_ptr<spdlog::logger> logger;  // default: the named logger "delivery"
};

// True when `wall_s` falls in the channel's quiet hours (China time).
bool InQuietHours(const engine::Channel& channel, std::int64_t wall_s);

class DeliveryWorker {
 public:
  // `apps` is shared with the callbacks (tokens, one io loop); without it the worker has its own.
  DeliveryWorker(engine::OutboxStore& store, const WallClock& clock, DeliveryOptions options,
                 AppClient* apps = nullptr);
  ~DeliveryWorker();
  DeliveryWorker(const DeliveryWorker&) = delete;
  DeliveryWorker& operator=(const DeliveryWorker&) = delete;

  void Start();  // runs the loop (Step, then wait for work) on its own thread until Stop()
  // New outbox rows (or the clock moved): look again soon. Cheap; call it on every commit.
  // Under load, many wakes share one outbox read (see DeliveryOptions::min_scan_interval_ms).
  void Wake();
  void Stop();  // lets each in-flight send finish, records results, joins the threads

  // One pass on the calling thread (do not mix with Start()): records finished sends, then
  // dispatches what is ready. Returns the number of HTTP requests planned.
  int Step();
  // Waits until no send is in flight and records the results.
  void Quiesce();
  // Outbox reads the loop has made (Start()); a test waits on it as an explicit signal.
  std::int64_t scans() const;
  bool WaitForScans(std::int64_t n, std::chrono::milliseconds timeout) const;

  const DeliveryCounters& counters() const { return counters_; }

 private:
  struct Send {
    Notice notice;
    std::vector<std::int64_t> ids;
  };
  struct SendResult {
    std::vector<std::int64_t> ids;
    bool attempted = false;
    Outcome outcome;
    std::vector<engine::SendMark> sent;       // the request went out: the windows it took
    std::optional<engine::PauseMark> paused;  // the platform answered with its rate-limit code
  };
  struct Job {
    engine::Channel channel;
    const Platform* platform = nullptr;
    std::vector<Send> sends;
  };
  struct Coroutines;  // the send coroutines (delivery_worker.cc)

  void Loop();
  // Blocks until there is a reason to read the outbox again, no sooner than
  // min_scan_interval after `last_scan_ms`. False when stopping.
  bool WaitForWork(std::int64_t last_scan_ms);
  void AdvanceReadCursor(const std::vector<engine::OutboxMessage>& rows);
  std::vector<Send> PlanSends(const Platform& platform, std::vector<engine::OutboxMessage> messages,
                              int available);
  // App channels: one message per person, as far as the channel's and each person's windows go.
  std::vector<Send> PlanPersonSends(const engine::Channel& channel, const Platform& platform,
                                    std::vector<engine::OutboxMessage> messages, int available);
  void Complete(const std::string& channel_id, std::vector<SendResult> results);  // io thread
  // Records every finished send in one write (outcomes and pacing marks together).
  void ApplyCompletions();
  void AddOutcome(std::int64_t id, const std::string& kind, const Outcome& outcome,
                  std::int64_t now_s);
  void AddDead(const engine::OutboxMessage& m, const std::string& kind, const std::string& reason);
  bool FlushOutcomes(std::int64_t now_s);
  // Rebuilds the rate windows from the store's record of recent sends (before the first send).
  bool LoadPacing();
  bool ReloadTakenOver();
  std::int64_t Backoff(int attempts);

  engine::OutboxStore& store_;
  const WallClock& clock_;
  DeliveryOptions options_;
  RateLimiter limiter_;
  DeliveryCounters counters_;
  std::shared_ptr<spdlog::logger> logger_;
  std::mt19937_64 rng_{std::random_device{}()};

  // Worker-thread state.
  bool pacing_loaded_ = false;
  engine::DeliveryOutcomes unrecorded_;  // outcomes not yet written (kept across a failed write)
  std::vector<std::int64_t> unrecorded_ids_;  // their outbox ids: still in flight until written
  std::map<std::int64_t, engine::OutboxMessage> inflight_;  // by outbox id
  std::map<std::string, std::string> channel_kind_;
  std::string read_cursor_;  // the outbox read resumes after this channel

  // Shared with the io thread.
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool wake_ = false;
  bool stopping_ = false;
  std::int64_t scans_ = 0;
  std::set<std::string> busy_;  // channels with a job on the loop
  std::vector<std::pair<std::string, std::vector<SendResult>>> completions_;
  std::atomic<bool> stop_sends_{false};

  std::unique_ptr<AppClient> own_apps_;  // after the state its coroutines use: destroyed first
  AppClient& apps_;
  std::thread thread_;
};

// `dixian channel test`: sends one test message now and returns a Chinese sentence saying
// what happened (成功, or the reason it failed).
std::string SendTest(const engine::Channel& channel, const Templates& templates,
                     const HttpTimeouts& timeouts = {}, const WallClock* clock = nullptr);

}  // namespace dixian::chat
