#pragma once
// The engine core: store, clock, workflows and calendar, the write path (one transaction per
// command: state + audit + tasks + outbox, answered once durable) and the timers. The commands
// themselves live in engine/commands/, one file per capability; engine/commands/write.h says how
// a write is called and answered.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "engine/access/access.h"
#include "engine/audit/audit_chain.h"
#include "engine/calendar/work_calendar.h"
#include "engine/commands/write.h"
#include "engine/core/clock.h"
#include "engine/store/evidence_store.h"
#include "engine/store/store.h"
#include "engine/workflow/loader.h"

namespace dixian::engine {

class EngineTx;

struct Thresholds {                   // entry criteria (config/thresholds.json)
  double income_line = 6000;          // per-capita net income below this line (yuan/year)
  double rigid_spending_ratio = 1.0;  // rigid spending above this share of last year's income
  double income_drop_ratio = 0.3;     // income fell by at least this share
};

struct ChannelKinds {
  // Checks a channel before it is stored (kind, url, app settings) and completes it (an app
  // channel's API base); an error names the field. Unset: any non-empty kind is accepted.
  std::function<Status(Channel& channel)> check;
  // The platform whose user ids (users' `im`) a channel kind addresses one person with; "" for a
  // group robot. Unset: no channel addresses persons.
  std::function<std::string(const std::string& kind)> person_platform;
  // The platforms users' `im` may name (e.g. dingtalk, wecom, feishu). Empty: none accepted.
  std::vector<std::string> im_platforms;
};

struct EngineOptions {
  std::string console_base_url = "http://127.0.0.1:8080";
  Thresholds thresholds;
  int digest_hour = 8;      // daily overdue digest to supervisors' channels, China time
  int weekly_report_hour = 17;  // Fridays' weekly report to counties' channels, China time
  std::string admin_token;  // from DIXIAN_ADMIN_TOKEN; empty = no built-in admin
  // What the chat adapter says about channel kinds (wired by runtime/; the engine names none).
  ChannelKinds channel_kinds;
  // The master keys (outside the database): the audit chain's HMAC key. Required.
  std::shared_ptr<const KeyRing> keys;
  // Where attachments' bytes live (adapters/evidence, wired by runtime/). Null: uploads answer 503
  // (unless evidence_in_store).
  std::shared_ptr<EvidenceStore> evidence;
  // The store keeps the bytes itself, in the attachment row's transaction (PostgreSQL: large
  // objects, WriteTx::PutEvidenceBytes); `evidence`, if set, is then read only for files stored
  // before (attachments uploaded while the bytes were files beside the server).
  bool evidence_in_store = false;
  // Wall time for what follows client retries, not the engine calendar (Idempotency-Key
  // answers expire after a day of it). Null: the system clock.
  const Clock* wall_clock = nullptr;
  // HMAC key of console sessions (engine/commands/sessions.h); empty: random for this process.
  std::string session_key;
  // Timers claimed and fired per write job (RunDue); the next job is queued as soon as one has
  // run, so it runs while the previous commit is being fsynced.
  int timer_batch = 2000;
  // Sign-in from a chat platform (免登): a code from the platform's client and the channel it came
  // through, answered with the dixian user id the platform vouches for. Wired by runtime/ from
  // the chat adapter; unset: such sign-ins are refused. May answer on another thread.
  std::function<void(const std::string& channel, const std::string& code,
                     std::function<void(Result<std::string>)> answer)>
      sign_in;
};

class Engine {
 public:
  Engine(Store& store, Clock& clock, WorkflowRegistry workflows, WorkCalendar calendar,
         EngineOptions options);
  ~Engine();

  // --- identity
  Result<Principal> Authenticate(const std::string& bearer_token);

  // --- time: fire everything due at the engine clock's now, in batches; returns timers fired.
  Result<std::int64_t> RunDue();
  // Fake clock only: advance, then run everything due. Returns the new now.
  Result<Instant> AdvanceClock(const Principal& who, std::int64_t seconds);
  // Scheduler thread for the system clock: sleeps until the next due time (or a Wake()).
  void StartScheduler();
  void StopScheduler();
  void Wake();
  void NoteTimer(Instant at);  // a timer was written: wake the scheduler if it sleeps past `at`
  // Called after a batch of outbox rows is committed (the delivery worker's Wake).
  void OnOutbox(std::function<void()> notify) { outbox_notify_ = std::move(notify); }

  const WorkflowRegistry& workflows() const { return workflows_; }
  const WorkCalendar& calendar() const { return calendar_; }
  const EngineOptions& options() const { return options_; }
  const AuditChain& audit_chain() const { return audit_chain_; }
  const Clock& wall_clock() const { return wall_clock_; }
  Clock& clock() { return clock_; }
  Store& store() { return store_; }

  // --- for the commands (engine/commands/*): runs `job` in the writer's transaction with the
  // Idempotency-Key rules, then answers `write.done` once durable.
  template <class R>
  void Submit(Write<R> write, std::function<Result<R>(EngineTx&)> job);
  // Channels are read on the writer thread for every notice, so they are cached; a channel write
  // clears the cache (before and after its commit: a rolled-back row may have been cached).
  void ClearChannelCache();

 private:
  friend class EngineTx;
  // The untyped write path behind Submit: `run` executes the command; `reply` renders what is
  // stored with an Idempotency-Key; `replayed` receives the stored reply of a repeated key.
  void SubmitJob(const Principal& who, const Idempotency& idempotency,
                 std::function<Status(EngineTx&)> run, std::function<std::string()> reply,
                 std::function<void(std::string)> replayed, std::function<void(Status)> done);
  void SchedulerLoop();

  Store& store_;
  Clock& clock_;
  WorkflowRegistry workflows_;
  WorkCalendar calendar_;
  EngineOptions options_;
  SystemClock system_clock_;
  const Clock& wall_clock_;
  AuditChain audit_chain_;
  std::function<void()> outbox_notify_;

  std::mutex scheduler_mu_;
  std::condition_variable scheduler_cv_;
  bool scheduler_stop_ = false;
  bool scheduler_woken_ = false;
  std::atomic<Instant> sleeping_until_{0};  // 0 while awake: no wake needed
  std::thread scheduler_;
  std::mutex run_due_mu_;  // one RunDue at a time

  // Orgs never change once created; channels change rarely (cleared on every channel write).
  std::mutex cache_mu_;
  std::unordered_map<std::string, Org> org_cache_;
  std::unordered_map<std::string, std::vector<Channel>> channel_cache_;
};

template <class R>
void Engine::Submit(Write<R> write, std::function<Result<R>(EngineTx&)> job) {
  struct State {
    std::optional<R> value;
    std::string replay;
    bool replayed = false;
  };
  auto state = std::make_shared<State>();
  auto render = std::move(write.render);
  SubmitJob(
      write.who, write.idempotency,
      [state, job = std::move(job)](EngineTx& etx) -> Status {
        auto r = job(etx);
        if (!r.ok()) return r.error();
        state->value.emplace(std::move(r.value()));
        return OkStatus();
      },
      [state, render]() { return render ? render(*state->value) : std::string("{}"); },
      [state](std::string stored) {
        state->replay = std::move(stored);
        state->replayed = true;
      },
      [state, done = std::move(write.done)](Status st) {
        if (!done) return;
        if (!st.ok()) return done(st.error());
        Answer<R> answer;
        if (state->replayed)
          answer.replay = std::move(state->replay);
        else
          answer.value = std::move(state->value);
        done(std::move(answer));
      });
}

}  // namespace dixian::engine
