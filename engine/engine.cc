#include "engine/engine.h"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <limits>
#include <stdexcept>
#include <utility>

#include "engine/commands/sessions.h"
#include "engine/core/fields.h"
#include "engine/core/sha256.h"
#include "engine/engine_tx.h"
#include "engine/idempotency.h"

namespace dixian::engine {

Engine::Engine(Store& store, Clock& clock, WorkflowRegistry workflows, WorkCalendar calendar,
               EngineOptions options)
    : store_(store),
      clock_(clock),
      workflows_(std::move(workflows)),
      calendar_(std::move(calendar)),
      options_(std::move(options)),
      wall_clock_(options_.wall_clock ? *options_.wall_clock : system_clock_),
      audit_chain_(options_.keys) {
  if (!options_.keys) throw std::invalid_argument("EngineOptions::keys is required (the audit chain's key)");
  if (options_.session_key.empty()) options_.session_key = NewSessionKey();
}

Engine::~Engine() { StopScheduler(); }

Result<Principal> Engine::Authenticate(const std::string& token) {
  if (token.empty()) return Error::Unauthenticated("未登录：请求缺少访问令牌");
  if (IsSessionToken(token)) return AuthenticateSession(*this, token);
  if (!options_.admin_token.empty() && ConstantTimeEquals(Sha256Hex(token), Sha256Hex(options_.admin_token))) {
    Principal admin;
    admin.user.id = "admin";
    admin.user.name = "系统管理员";
    admin.user.role = Role::kAdmin;
    return admin;
  }
  auto view = store_.Read();
  auto user = view->FindUserByTokenHash(Sha256Hex(token));
  if (view->failure()) return *view->failure();  // fail closed: not "unknown token", not a user
  if (!user || user->revoked) return Error::Unauthenticated("登录已失效：访问令牌无效或已撤销，请重新登录");
  if (user->token_expires_at && clock_.Now() >= *user->token_expires_at)
    return Error{ErrorCode::kUnauthenticated, "token_expired", "登录已过期：访问令牌已到期，请重新登录或请管理员重新签发"};
  return Principal{*user};
}

void Engine::SubmitJob(const Principal& who, const Idempotency& idempotency,
                       std::function<Status(EngineTx&)> run, std::function<std::string()> reply,
                       std::function<void(std::string)> replayed, std::function<void(Status)> done) {
  const std::string principal = who.user.id;
  const std::string key = idempotency.key;
  const std::string scope = idempotency.scope;
  const std::string body_hash = key.empty() ? "" : Sha256Hex(idempotency.fingerprint);
  const Instant now = wall_clock_.Now();
  auto notify = outbox_notify_;
  store_.EnqueueRerunnable(
      [this, principal, key, scope, body_hash, now, run = std::move(run), reply = std::move(reply),
       replayed = std::move(replayed)](WriteTx& tx) -> Status {
        if (!key.empty()) {
          if (key.size() > 200) return InvalidField("Idempotency-Key", "过长，最多 200 个字符");
          auto prior = tx.FindIdempotent(principal, scope, key);
          if (prior && prior->created_at > now - kIdempotencyTtl) {
            if (prior->body_hash != body_hash)
              return Error::Unprocessable("idempotency_key_reused",
                                          "同一 Idempotency-Key 已用于内容不同的请求，请换一个新的键");
            replayed(prior->response);
            return OkStatus();
          }
        }
        EngineTx etx(*this, tx);
        auto st = run(etx);
        if (st.ok() && !key.empty()) tx.SaveIdempotent(principal, scope, key, {body_hash, 200, reply(), now});
        return st;
      },
      [done = std::move(done), notify](Status st) {
        if (notify) notify();
        if (done) done(std::move(st));
      });
}

// Fires what is due in batches of options_.timer_batch, one write job each. The jobs are
// pipelined: the next one is queued as soon as the previous one has run on the writer (not once
// it is durable), so the writer claims and fires batch k+1 while batch k's WAL is fsynced. Batch
// k+1 runs in a later transaction on the same connection, so its claim sees batch k's timers
// moved on; if batch k fails, none of its writes remain and k+1 claims those timers again: each
// fires once. Returns once every batch is durable (or the first error).
Result<std::int64_t> Engine::RunDue() {
  std::lock_guard lock(run_due_mu_);
  struct Pipeline {
    std::mutex mu;
    std::condition_variable cv;
    int queued = 0, ran = 0, finished = 0;
    std::int64_t last_claimed = -1;  // timers the last job that ran claimed
    std::int64_t durable = 0;        // timers fired in batches acknowledged durable
    std::optional<Error> error;
  };
  auto p = std::make_shared<Pipeline>();
  const int batch = std::max(1, options_.timer_batch);
  bool prune = true;  // stored idempotent answers past their time, a batch per run
  std::unique_lock wait(p->mu);
  while (true) {
    const int index = p->queued++;
    wait.unlock();
    auto claimed = std::make_shared<std::int64_t>(0);
    store_.Enqueue(
        [this, p, claimed, batch, prune = std::exchange(prune, false)](WriteTx& tx) -> Status {
          EngineTx etx(*this, tx);
          if (prune) tx.PruneIdempotent(wall_clock_.Now() - kIdempotencyTtl, kIdempotencyPruneBatch);
          etx.RunDigestIfDue();
          etx.RunWeeklyReportIfDue();
          const auto due = tx.DueTasks(etx.now(), batch);
          for (const auto& task : due) etx.FireNext(task);
          *claimed = static_cast<std::int64_t>(due.size());
          {
            std::lock_guard l(p->mu);
            ++p->ran;
            p->last_claimed = *claimed;
          }
          p->cv.notify_all();
          return OkStatus();
        },
        [p, claimed](Status st) {
          {
            std::lock_guard l(p->mu);
            ++p->finished;
            if (!st.ok() && !p->error) p->error = st.error();
            if (st.ok()) p->durable += *claimed;
          }
          p->cv.notify_all();
        });
    wait.lock();
    // Wait until this job has run (its claim is known) or failed.
    p->cv.wait(wait, [&] { return p->ran > index || p->finished > index || p->error; });
    if (p->error || p->ran <= index || p->last_claimed == 0) break;
  }
  p->cv.wait(wait, [&] { return p->finished == p->queued; });
  if (p->error) return *p->error;
  const std::int64_t total = p->durable;
  wait.unlock();
  if (total > 0 && outbox_notify_) outbox_notify_();
  return total;
}

// The next engine time anything is due: a task timer or the daily digest.
static Result<std::optional<Instant>> NextDue(Store& store) {
  return store.Run([](WriteTx& tx) -> Result<std::optional<Instant>> {
    auto next = tx.NextFireAt();
    for (const char* schedule : {"overdue_digest", "weekly_report"})
      if (auto at = tx.ScheduleNext(schedule); at && (!next || *at < *next)) next = at;
    return next;
  });
}

Result<Instant> Engine::AdvanceClock(const Principal& who, std::int64_t seconds) {
  if (auto st = Require(who, Capability::kAdvanceClock, ""); !st.ok()) return st.error();
  auto* manual = dynamic_cast<ManualClock*>(&clock_);
  if (!manual) return Error::NotFound("no_fake_clock", "服务未以 --fake-clock 启动，不能调整时钟");
  if (seconds < 0 || seconds > 10LL * 365 * kDaySeconds)
    return InvalidField("advance_seconds", "应在 0 到 10 年（以秒计）之间");
  // Step day by day so each timer fires at its own engine time, as it would have in real time.
  const Instant target = manual->Now() + seconds;
  while (true) {
    auto due = NextDue(store_);
    if (!due.ok()) return due.error();
    const std::optional<Instant> next = due.value();
    if (!next || *next > target) break;
    if (*next > manual->Now()) manual->Set(*next);
    if (auto r = RunDue(); !r.ok()) return r.error();
  }
  manual->Set(target);
  if (auto r = RunDue(); !r.ok()) return r.error();
  return manual->Now();
}

void Engine::StartScheduler() {
  if (clock_.IsManual() || scheduler_.joinable()) return;
  scheduler_stop_ = false;
  scheduler_ = std::thread([this] { SchedulerLoop(); });
}

void Engine::StopScheduler() {
  {
    std::lock_guard lock(scheduler_mu_);
    scheduler_stop_ = true;
  }
  scheduler_cv_.notify_all();
  if (scheduler_.joinable()) scheduler_.join();
}

void Engine::Wake() {
  {
    std::lock_guard lock(scheduler_mu_);
    scheduler_woken_ = true;
  }
  scheduler_cv_.notify_all();
}

void Engine::NoteTimer(Instant at) {
  if (at < sleeping_until_.load()) Wake();
}

void Engine::SchedulerLoop() {
  while (true) {
    sleeping_until_ = std::numeric_limits<Instant>::max();  // timers written from here on wake us
    (void)RunDue();
    auto next = NextDue(store_);
    std::unique_lock lock(scheduler_mu_);
    if (scheduler_stop_) return;
    // Sleep until the next due time; an earlier timer written meanwhile calls NoteTimer -> Wake().
    Instant wait_s = 3600;
    if (next.ok() && next.value()) wait_s = std::max<Instant>(0, *next.value() - clock_.Now());
    sleeping_until_ = clock_.Now() + std::min<Instant>(wait_s, 3600);
    scheduler_cv_.wait_for(lock, std::chrono::seconds(std::min<Instant>(wait_s, 3600)),
                           [this] { return scheduler_stop_ || scheduler_woken_; });
    scheduler_woken_ = false;
    if (scheduler_stop_) return;
  }
}

void Engine::ClearChannelCache() {
  std::lock_guard lock(cache_mu_);
  channel_cache_.clear();
}

}  // namespace dixian::engine
