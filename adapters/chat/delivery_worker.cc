#include "adapters/chat/delivery_worker.h"

#include <algorithm>
#include <deque>
#include <functional>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "adapters/chat/mask.h"

namespace dixian::chat {

DeliveryCounters::DeliveryCounters() {
  for (const auto& kind : PlatformKinds()) by_kind_.try_emplace(kind);
}

PlatformCounters& DeliveryCounters::For(std::string_view kind) {
  auto it = by_kind_.find(kind);
  return it == by_kind_.end() ? other_ : it->second;
}

const PlatformCounters& DeliveryCounters::For(std::string_view kind) const {
  auto it = by_kind_.find(kind);
  return it == by_kind_.end() ? other_ : it->second;
}

bool InQuietHours(const engine::Channel& channel, std::int64_t wall_s) {
  const int start = channel.quiet_start_hour;
  const int end = channel.quiet_end_hour;
  if (start < 0 || end < 0 || start == end) return false;
  const int hour = static_cast<int>(((wall_s + engine::kChinaOffsetSeconds) % engine::kDaySeconds) / 3600);
  return start < end ? (hour >= start && hour < end) : (hour >= start || hour < end);
}

// One thread per channel, running one job at a time.
class DeliveryWorker::Lane {
 public:
  explicit Lane(std::function<void(const Job&)> run) : run_(std::move(run)), thread_([this] { Loop(); }) {}
  ~Lane() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void Post(Job job) {
    {
      std::lock_guard lock(mu_);
      jobs_.push_back(std::move(job));
    }
    cv_.notify_all();
  }

 private:
  void Loop() {
    for (;;) {
      Job job;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      run_(job);
    }
  }

  std::function<void(const Job&)> run_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  bool stop_ = false;
  std::thread thread_;  // last: starts after the members above exist
};

namespace {
std::shared_ptr<spdlog::logger> DeliveryLogger() {
  if (auto l = spdlog::get("delivery")) return l;
  try {
    return spdlog::stderr_color_mt("delivery");
  } catch (const spdlog::spdlog_ex&) {
    return spdlog::get("delivery");
  }
}
}  // namespace

DeliveryWorker::DeliveryWorker(engine::OutboxStore& store, const WallClock& clock,
                               DeliveryOptions options)
    : store_(store), clock_(clock), options_(std::move(options)), limiter_(clock) {
  logger_ = options_.logger ? options_.logger : DeliveryLogger();
}

DeliveryWorker::~DeliveryWorker() { Stop(); }

void DeliveryWorker::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void DeliveryWorker::Wake() {
  {
    std::lock_guard lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

void DeliveryWorker::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  stop_sends_ = true;
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  Quiesce();
  lanes_.clear();
}

void DeliveryWorker::Loop() {
  for (;;) {
    const auto scan_started = std::chrono::steady_clock::now();
    Step();
    if (!WaitForWork(scan_started)) return;
  }
}

// Every commit wakes the worker, and each read parses up to batch_limit rows (most of them
// already in flight under write load), so reads are rate-limited: a wake or a finished send
// within min_scan_interval of the last read waits for the interval to pass and then shares
// one read with everything else that arrived meanwhile. The flag is cleared before the read,
// so a wake that arrives during a read is never lost. The poll interval still forces a full
// read, which picks up retries and quiet-hour holds that came due.
bool DeliveryWorker::WaitForWork(std::chrono::steady_clock::time_point last_scan) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, options_.poll, [&] { return stopping_ || wake_ || !completions_.empty(); });
  if (stopping_) return false;
  if (cv_.wait_until(lock, last_scan + options_.min_scan_interval, [&] { return stopping_; })) {
    return false;
  }
  wake_ = false;
  return true;
}

void DeliveryWorker::Quiesce() {
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return busy_.empty(); });
  }
  ApplyCompletions();
}

bool DeliveryWorker::LoadPacing() {
  if (pacing_loaded_) return true;
  auto window = store_.RecentPacing(clock_.NowMs() - RateLimiter::kHorizonMs);
  if (!window.ok()) {
    logger_->error("cannot read recent sends, nothing is sent until they can be read: {}",
                   window.error().message);
    return false;
  }
  limiter_.Seed(window.value());
  pacing_loaded_ = true;
  return true;
}

int DeliveryWorker::Step() {
  ApplyCompletions();
  if (stop_sends_ || !LoadPacing()) return 0;
  const std::int64_t now_s = clock_.NowMs() / 1000;
  // Only this thread marks a channel busy, so the channels Ready returns stay free below.
  std::vector<std::string> busy;
  {
    std::lock_guard lock(mu_);
    busy.assign(busy_.begin(), busy_.end());
  }
  auto ready = store_.Ready(now_s, options_.batch_limit, busy);
  if (!ready.ok()) {
    logger_->error("cannot read the outbox: {}", ready.error().message);
    return 0;
  }
  std::map<std::string, std::vector<engine::OutboxMessage>> by_channel;
  for (auto& m : ready.value()) {
    if (!inflight_.count(m.id)) by_channel[m.channel_id].push_back(std::move(m));
  }
  int dispatched = 0;
  for (auto& [channel_id, messages] : by_channel) {
    auto found = store_.FindChannel(channel_id);
    if (!found.ok()) {
      logger_->error("cannot read channel {}: {}", channel_id, found.error().message);
      continue;
    }
    const auto& channel = found.value();
    const Platform* platform = channel ? FindPlatform(channel->kind) : nullptr;
    if (!platform) {
      const std::string reason = channel ? "不支持的通道类型：" + channel->kind : "通道不存在：" + channel_id;
      for (const auto& m : messages) AddDead(m, channel ? channel->kind : "", reason);
      continue;
    }
    if (InQuietHours(*channel, now_s)) {
      std::erase_if(messages, [](const engine::OutboxMessage& m) { return !m.urgent; });
    }
    if (messages.empty()) continue;
    const int available = limiter_.Available(channel->id, platform->limits().windows);
    if (available <= 0) continue;
    auto sends = PlanSends(*channel, std::move(messages), available);
    if (sends.empty()) continue;
    dispatched += static_cast<int>(sends.size());
    {
      std::lock_guard lock(mu_);
      busy_.insert(channel_id);
    }
    channel_kind_[channel_id] = channel->kind;
    auto& lane = lanes_[channel_id];
    if (!lane) lane = std::make_unique<Lane>([this](const Job& job) { RunJob(job); });
    lane->Post(Job{*channel, std::move(sends)});
  }
  FlushOutcomes(now_s);
  return dispatched;
}

std::vector<DeliveryWorker::Send> DeliveryWorker::PlanSends(
    const engine::Channel& channel, std::vector<engine::OutboxMessage> messages, int available) {
  std::vector<Send> sends;
  auto take = [&](const engine::OutboxMessage& m, Send send) {
    inflight_[m.id] = m;
    sends.push_back(std::move(send));
  };
  if (static_cast<int>(messages.size()) <= available) {
    for (const auto& m : messages) take(m, Send{RenderNotice(m, options_.templates), {m.id}});
    return sends;
  }
  // More waiting than the platform allows now: test messages go alone, the rest as digests.
  std::vector<engine::OutboxMessage> combinable;
  for (auto& m : messages) {
    if (m.kind == "test" && static_cast<int>(sends.size()) < available) {
      take(m, Send{RenderNotice(m, options_.templates), {m.id}});
    } else if (m.kind != "test") {
      combinable.push_back(std::move(m));
    }
  }
  const std::string format = options_.templates.For("digest").format;
  DigestPlan plan = RenderDigests(combinable, options_.templates,
                                  FindPlatform(channel.kind)->ContentBudget(format));
  for (std::size_t d = 0; d < plan.notices.size() && static_cast<int>(sends.size()) < available; ++d) {
    Send send{std::move(plan.notices[d]), {}};
    for (std::size_t i : plan.covers[d]) {
      send.ids.push_back(combinable[i].id);
      inflight_[combinable[i].id] = combinable[i];
    }
    sends.push_back(std::move(send));
  }
  // A message whose rows spilled into a digest that does not fit now is retried whole later;
  // its earlier part may then be repeated (receivers de-duplicate on message_id).
  return sends;
}

void DeliveryWorker::RunJob(const Job& job) {
  const Platform& platform = *FindPlatform(job.channel.kind);  // checked in Step
  const PlatformLimits& limits = platform.limits();
  std::vector<SendResult> results;
  bool halted = false;
  for (const Send& send : job.sends) {
    SendResult r{send.ids, false, {}, std::nullopt, std::nullopt};
    if (!halted && !stop_sends_) r.sent = limiter_.TryAcquire(job.channel.id, limits.windows);
    if (r.sent) {
      r.attempted = true;
      const OutgoingRequest req = platform.Build(job.channel, send.notice, clock_.NowMs());
      ++counters_.requests;
      auto res = HttpPost(req.url, req.headers, req.body, options_.timeouts);
      if (res) {
        r.outcome = platform.Classify(res->status, res->body);
      } else if (res.error().slug == "insecure_url" || res.error().slug == "bad_url") {
        r.outcome = {Verdict::kDead, res.error().message};
        r.sent.reset();  // nothing left this machine
      } else {
        r.outcome = TransportFailure(res.error().message);
      }
      if (r.outcome.verdict == Verdict::kRateLimited) {
        r.paused = engine::PauseMark{job.channel.id, clock_.NowMs() + limits.rate_limited_pause_ms};
        limiter_.Block(job.channel.id, r.paused->until_ms);
      }
      halted = r.outcome.verdict != Verdict::kDelivered;
    }
    results.push_back(std::move(r));
  }
  Complete(job.channel.id, std::move(results));
}

void DeliveryWorker::Complete(const std::string& channel_id, std::vector<SendResult> results) {
  {
    std::lock_guard lock(mu_);
    completions_.emplace_back(channel_id, std::move(results));
    busy_.erase(channel_id);
  }
  cv_.notify_all();
}

void DeliveryWorker::ApplyCompletions() {
  std::vector<std::pair<std::string, std::vector<SendResult>>> done;
  {
    std::lock_guard lock(mu_);
    done.swap(completions_);
  }
  const std::int64_t now_s = clock_.NowMs() / 1000;
  for (auto& [channel_id, results] : done) {
    // An id spread over several sends takes the worst outcome; unattempted sends leave it ready.
    std::map<std::int64_t, std::optional<Outcome>> worst;
    auto rank = [](const std::optional<Outcome>& o) {
      if (!o) return 1;  // not attempted
      return o->verdict == Verdict::kDelivered ? 0 : o->verdict == Verdict::kDead ? 3 : 2;
    };
    for (auto& r : results) {
      if (r.sent) unrecorded_.sends.push_back(std::move(*r.sent));
      if (r.paused) unrecorded_.pauses.push_back(std::move(*r.paused));
      for (std::int64_t id : r.ids) {
        std::optional<Outcome> o = r.attempted ? std::optional<Outcome>(r.outcome) : std::nullopt;
        auto it = worst.find(id);
        if (it == worst.end() || rank(o) > rank(it->second)) worst[id] = o;
      }
    }
    for (const auto& [id, outcome] : worst) {
      if (outcome) {
        AddOutcome(id, channel_kind_[channel_id], *outcome, now_s);
      } else {
        inflight_.erase(id);
      }
    }
  }
  FlushOutcomes(now_s);
}

void DeliveryWorker::AddOutcome(std::int64_t id, const std::string& kind, const Outcome& outcome,
                                std::int64_t now_s) {
  const engine::OutboxMessage& m = inflight_[id];
  PlatformCounters& per = counters_.For(kind);
  unrecorded_ids_.push_back(id);
  if (outcome.verdict == Verdict::kDelivered) {
    unrecorded_.delivered.push_back(id);
    ++counters_.total.delivered;
    ++per.delivered;
    return;
  }
  std::string reason = outcome.reason;
  Verdict verdict = outcome.verdict;
  if (verdict != Verdict::kDead && m.attempts + 1 >= options_.max_attempts) {
    verdict = Verdict::kDead;
    reason = "多次重试仍失败（" + std::to_string(m.attempts + 1) + "次）：" + reason;
  }
  if (verdict == Verdict::kDead) {
    unrecorded_ids_.pop_back();
    AddDead(m, kind, reason);
    return;
  }
  const std::int64_t delay = verdict == Verdict::kRateLimited
                                 ? (FindPlatform(kind)->limits().rate_limited_pause_ms + 999) / 1000
                                 : Backoff(m.attempts);
  unrecorded_.retries.push_back({id, now_s + delay, reason});
  ++counters_.total.retried;
  ++per.retried;
  logger_->warn("retry {} in {}s: {}", m.message_id, delay, MaskText(reason));
}

void DeliveryWorker::AddDead(const engine::OutboxMessage& m, const std::string& kind,
                             const std::string& reason) {
  inflight_.try_emplace(m.id, m);  // in flight until the write lands
  unrecorded_ids_.push_back(m.id);
  unrecorded_.dead.push_back({m.id, reason});
  ++counters_.total.dead;
  if (!kind.empty()) ++counters_.For(kind).dead;
  logger_->error("dead letter {} ({}, channel {}): {}", m.message_id, m.kind, m.channel_id,
                 MaskText(reason));
}

// One write for everything finished since the last one. If it fails, the outcomes stay here
// (their rows stay in flight, so they are not sent again) and the next pass writes them.
bool DeliveryWorker::FlushOutcomes(std::int64_t now_s) {
  if (unrecorded_.empty()) return true;
  unrecorded_.forget_before_ms = clock_.NowMs() - RateLimiter::kHorizonMs;
  if (auto st = store_.RecordOutcomes(unrecorded_, now_s); !st.ok()) {
    logger_->error("cannot record {} delivery outcomes, will try again: {}",
                   unrecorded_ids_.size(), st.error().message);
    return false;
  }
  for (std::int64_t id : unrecorded_ids_) inflight_.erase(id);
  unrecorded_ = {};
  unrecorded_ids_.clear();
  return true;
}

std::int64_t DeliveryWorker::Backoff(int attempts) {
  std::int64_t delay = options_.backoff_base_s;
  for (int i = 0; i < attempts && delay < options_.backoff_cap_s; ++i) delay *= 2;
  delay = std::min(delay, options_.backoff_cap_s);
  std::uniform_int_distribution<std::int64_t> jitter(delay / 2, delay);
  return std::max<std::int64_t>(1, jitter(rng_));  // "equal jitter"
}

std::string SendTest(const engine::Channel& channel, const Templates& templates,
                     const HttpTimeouts& timeouts, const WallClock* clock) {
  SystemWallClock system;
  const WallClock& wall = clock ? *clock : system;
  const Platform* platform = FindPlatform(channel.kind);
  if (!platform) return "发送失败：不支持的通道类型 " + channel.kind;
  engine::OutboxMessage m;
  m.kind = "test";
  m.message_id = "test-" + std::to_string(wall.NowMs());
  m.channel_id = channel.id;
  m.payload = {{"text", "这是一条测试消息，收到即表示通道配置正确。"}};
  const OutgoingRequest req = platform->Build(channel, RenderNotice(m, templates), wall.NowMs());
  auto res = HttpPost(req.url, req.headers, req.body, timeouts);
  if (!res) return "发送失败：" + res.error().message;
  const Outcome o = platform->Classify(res->status, res->body);
  if (o.verdict == Verdict::kDelivered) return "发送成功：测试消息已送达";
  return "发送失败：" + o.reason;
}

}  // namespace dixian::chat
