#include "adapters/chat/delivery_worker.h"

#include <pthread.h>

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "adapters/chat/app_calls.h"
#include "adapters/chat/app_client.h"
#include "adapters/chat/chat_logger.h"
#include "adapters/chat/io_loop.h"
#include "adapters/chat/mask.h"

namespace dixian::chat {

namespace asio = boost::asio;

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

// One channel's sends, in order, as one coroutine on the io loop. A send that is not delivered
// halts the rest (they stay ready); each send takes its place in the rate window first.
struct DeliveryWorker::Coroutines {
  static asio::awaitable<void> RunJob(DeliveryWorker& w, Job job) {
    std::vector<SendResult> results;
    try {
      bool halted = false;
      for (const Send& send : job.sends) {
        SendResult r{send.ids, false, {}, {}, std::nullopt};
        if (!halted && !w.stop_sends_) co_await SendOne(w, job, send, r);
        halted = r.attempted && r.outcome.verdict != Verdict::kDelivered;
        results.push_back(std::move(r));
      }
    } catch (const std::exception& e) {  // never leave the channel busy for ever
      w.logger_->error("sending on channel {} failed: {}", job.channel.id, e.what());
      for (std::size_t i = results.size(); i < job.sends.size(); ++i) {
        results.push_back({job.sends[i].ids, false, {}, {}, std::nullopt});  // stay ready
      }
    }
    w.Complete(job.channel.id, std::move(results));
  }

  // Takes the send's place in the channel's window (and the person's, on an app channel), sends,
  // and judges the answer. Not attempted when a window is full.
  static asio::awaitable<void> SendOne(DeliveryWorker& w, const Job& job, const Send& send,
                                       SendResult& r) {
    const PlatformLimits& limits = job.platform->limits();
    const AppApi* app = job.platform->app();
    const std::string person = app ? PersonKey(job.channel.id, send.notice.to) : "";
    std::vector<RateLimiter::Claim> claims{{job.channel.id, limits.windows}};
    if (app) claims.push_back({person, app->person_windows()});
    auto marks = w.limiter_.TryAcquireAll(claims);
    if (!marks) co_return;
    r.attempted = true;
    r.sent = std::move(*marks);
    ++w.counters_.requests;
    // Named locals, no temporaries inside co_await expressions (GCC 12 mishandles some).
    engine::Result<HttpResponse> res = engine::Error::Internal("not sent");
    if (app) {
      const std::function<HttpRequest(const std::string&)> build = [&](const std::string& token) {
        return job.platform->Build(job.channel, send.notice, SendContext{w.clock_.NowMs(), token});
      };
      auto answer = co_await CallWithToken(w.apps_, job.channel, *app, build);
      res = std::move(answer);
    } else {
      HttpRequest request =
          job.platform->Build(job.channel, send.notice, SendContext{w.clock_.NowMs(), ""});
      auto answer = co_await Exchange(w.apps_.loop(), std::move(request), w.options_.timeouts);
      res = std::move(answer);
    }
    if (res) {
      r.outcome = job.platform->Classify(res->status, res->body);
    } else if (IsPermanentSendError(res.error()) || res.error().slug == "app_token_refused") {
      r.outcome = {Verdict::kDead, res.error().message};
      if (res.error().slug != "app_token_refused") r.sent.clear();  // nothing left this machine
    } else {
      r.outcome = TransportFailure(res.error().message);
    }
    if (r.outcome.verdict == Verdict::kRateLimited) {
      r.paused = engine::PauseMark{job.channel.id, w.clock_.NowMs() + limits.rate_limited_pause_ms};
      w.limiter_.Block(job.channel.id, r.paused->until_ms);
    }
  }
};

std::shared_ptr<spdlog::logger> ChatLogger() {
  if (auto l = spdlog::get("delivery")) return l;
  try {
    return spdlog::stderr_color_mt("delivery");
  } catch (const spdlog::spdlog_ex&) {
    return spdlog::get("delivery");
  }
}

DeliveryWorker::DeliveryWorker(engine::OutboxStore& store, const WallClock& clock,
                               DeliveryOptions options, AppClient* apps)
    : store_(store),
      clock_(clock),
      options_(std::move(options)),
      limiter_(clock),
      logger_(options_.logger ? options_.logger : ChatLogger()),
      own_apps_(apps ? nullptr : std::make_unique<AppClient>(clock, options_.timeouts, logger_)),
      apps_(apps ? *apps : *own_apps_) {}

DeliveryWorker::~DeliveryWorker() { Stop(); }

void DeliveryWorker::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
  pthread_setname_np(thread_.native_handle(), "delivery");
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
}

std::int64_t DeliveryWorker::scans() const {
  std::lock_guard lock(mu_);
  return scans_;
}

bool DeliveryWorker::WaitForScans(std::int64_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return scans_ >= n; });
}

void DeliveryWorker::Loop() {
  for (;;) {
    const std::int64_t scan_started = clock_.NowMs();
    Step();
    {
      std::lock_guard lock(mu_);
      ++scans_;
    }
    cv_.notify_all();
    if (!WaitForWork(scan_started)) return;
  }
}

// Every commit wakes the worker, and each read parses up to batch_limit rows (most of them
// already in flight under write load), so reads are rate-limited: a wake or a finished send
// within min_scan_interval of the last read waits for the interval to pass and then shares
// one read with everything else that arrived meanwhile. The flag is cleared before the read,
// so a wake that arrives during a read is never lost. The poll interval still forces a full
// read, which picks up retries and quiet-hour holds that came due. Both follow the wall clock.
bool DeliveryWorker::WaitForWork(std::int64_t last_scan_ms) {
  std::unique_lock lock(mu_);
  clock_.WaitUntil(lock, cv_, last_scan_ms + options_.poll_ms,
                   [&] { return stopping_ || wake_ || !completions_.empty(); });
  if (stopping_) return false;
  clock_.WaitUntil(lock, cv_, last_scan_ms + options_.min_scan_interval_ms,
                   [&] { return stopping_; });
  if (stopping_) return false;
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

// Channels this process took over from another (several processes on one database): the other
// one's recent sends are in the store, not in this limiter. Read them before sending anything.
bool DeliveryWorker::ReloadTakenOver() {
  for (const auto& channel : store_.TakenOver()) {
    auto window = store_.RecentPacing(clock_.NowMs() - RateLimiter::kHorizonMs, channel);
    if (!window.ok()) {
      logger_->error("cannot read the recent sends of channel {} taken over, nothing is sent until they can be read: {}",
                     channel, window.error().message);
      pacing_loaded_ = false;  // everything is read again at the next step
      return false;
    }
    limiter_.Seed(window.value());
    logger_->info("channel {} taken over from another process: {} recent sends read", channel,
                  window.value().sends.size());
  }
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
  auto ready = store_.Ready(now_s, options_.batch_limit, busy, read_cursor_);
  if (!ready.ok()) {
    logger_->error("cannot read the outbox: {}", ready.error().message);
    return 0;
  }
  if (!ReloadTakenOver()) return 0;
  std::map<std::string, std::vector<engine::OutboxMessage>> by_channel;
  for (auto& m : ready.value()) {
    if (!inflight_.count(m.id)) by_channel[m.channel_id].push_back(std::move(m));
  }
  AdvanceReadCursor(ready.value());
  int dispatched = 0;
  std::size_t busy_count = busy.size();
  for (auto& [channel_id, messages] : by_channel) {
    if (busy_count >= static_cast<std::size_t>(options_.max_busy_channels)) break;  // next round
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
    auto sends = platform->app() ? PlanPersonSends(*channel, *platform, std::move(messages), available)
                                 : PlanSends(*platform, std::move(messages), available);
    if (sends.empty()) continue;
    dispatched += static_cast<int>(sends.size());
    {
      std::lock_guard lock(mu_);
      busy_.insert(channel_id);
    }
    ++busy_count;
    channel_kind_[channel_id] = channel->kind;
    apps_.loop().Spawn(Coroutines::RunJob(*this, Job{*channel, platform, std::move(sends)}));
  }
  FlushOutcomes(now_s);
  return dispatched;
}

std::vector<DeliveryWorker::Send> DeliveryWorker::PlanPersonSends(
    const engine::Channel& channel, const Platform& platform,
    std::vector<engine::OutboxMessage> messages, int available) {
  std::vector<Send> sends;
  std::map<std::string, int> left;  // per person, what their windows allow now
  for (auto& m : messages) {
    if (static_cast<int>(sends.size()) >= available) break;
    Notice notice = RenderNotice(m, options_.templates);
    if (notice.to.empty()) {
      AddDead(m, channel.kind, "应用通道的消息没有收件人（用户未登记该平台账号）");
      continue;
    }
    auto [it, fresh] = left.try_emplace(notice.to, 0);
    if (fresh) {
      it->second = limiter_.Available(PersonKey(channel.id, notice.to), platform.app()->person_windows());
    }
    if (it->second <= 0) continue;  // this person's window is full: later
    --it->second;
    inflight_[m.id] = m;
    sends.push_back(Send{std::move(notice), {m.id}});
  }
  return sends;
}

// The next read starts after the last channel this one visited (channels after the cursor, in
// order, then wrapping around to those up to it), so with more channels than one read holds
// every channel gets its turn.
void DeliveryWorker::AdvanceReadCursor(const std::vector<engine::OutboxMessage>& rows) {
  std::string after_max, wrapped_max;
  for (const auto& m : rows) {
    std::string& slot = m.channel_id > read_cursor_ ? after_max : wrapped_max;
    if (m.channel_id > slot) slot = m.channel_id;
  }
  if (!wrapped_max.empty()) {
    read_cursor_ = wrapped_max;
  } else if (!after_max.empty()) {
    read_cursor_ = after_max;
  }
}

std::vector<DeliveryWorker::Send> DeliveryWorker::PlanSends(
    const Platform& platform, std::vector<engine::OutboxMessage> messages, int available) {
  std::vector<Send> sends;
  auto take = [&](const engine::OutboxMessage& m, Send send) {
    inflight_[m.id] = m;
    sends.push_back(std::move(send));
  };
  if (static_cast<int>(messages.size()) <= available) {
    for (const auto& m : messages) take(m, Send{RenderNotice(m, options_.templates), {m.id}});
    return sends;
  }
  // More waiting than the platform allows now: test messages and weekly reports (no task rows)
  // go alone, the rest as digests.
  std::vector<engine::OutboxMessage> combinable;
  for (auto& m : messages) {
    const bool alone = m.kind == "test" || m.kind == "weekly_report";
    if (alone && static_cast<int>(sends.size()) < available) {
      take(m, Send{RenderNotice(m, options_.templates), {m.id}});
    } else if (!alone) {
      combinable.push_back(std::move(m));
    }
  }
  const std::string format = options_.templates.For("digest").format;
  DigestPlan plan = RenderDigests(combinable, options_.templates, platform.ContentBudget(format));
  for (std::size_t d = 0; d < plan.notices.size() && static_cast<int>(sends.size()) < available; ++d) {
    Send send{std::move(plan.notices[d]), {}};
    for (std::size_t i : plan.covers[d]) {
      send.ids.push_back(combinable[i].id);
      inflight_[combinable[i].id] = combinable[i];
    }
    sends.push_back(std::move(send));
  }
  // A message whose rows spilled into a digest that does not fit now is retried whole later;
  // its earlier part is then shown again (chat platforms do not de-duplicate).
  return sends;
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
      for (auto& mark : r.sent) {
        if (!mark.key.empty()) unrecorded_.sends.push_back(std::move(mark));
      }
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
  if (outcome.verdict == Verdict::kDelivered) {
    unrecorded_ids_.push_back(id);
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
    AddDead(m, kind, reason);
    return;
  }
  const Platform* platform = FindPlatform(kind);
  const std::int64_t delay = verdict == Verdict::kRateLimited && platform
                                 ? (platform->limits().rate_limited_pause_ms + 999) / 1000
                                 : Backoff(m.attempts);
  unrecorded_ids_.push_back(id);
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
    ++counters_.record_failures;
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
  if (const AppApi* app = platform->app()) {  // no recipient to test with: check the credentials
    auto answer = HttpSend(app->TokenRequest(channel), timeouts);
    if (!answer) return "检查失败：" + answer.error().message;
    auto token = app->ParseToken(*answer, wall.NowMs());
    if (!token.ok()) return "检查失败：" + token.error().message;
    return "检查成功：应用凭证有效，已取得 access_token（应用通道只给具体人员发消息，不发测试消息）";
  }
  auto res = HttpSend(platform->Build(channel, RenderNotice(m, templates), SendContext{wall.NowMs(), ""}), timeouts);
  if (!res) return "发送失败：" + res.error().message;
  const Outcome o = platform->Classify(res->status, res->body);
  if (o.verdict == Verdict::kDelivered) return "发送成功：测试消息已送达";
  return "发送失败：" + o.reason;
}

}  // namespace dixian::chat
