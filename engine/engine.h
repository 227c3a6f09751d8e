#pragma once
// The engine facade: every command and query the API, the CLI and the console use. Writes run as
// jobs in the store's group commit (state + audit + tasks + outbox in one transaction) and answer
// through `done` once durable; reads answer at once from a snapshot.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "engine/access/access.h"
#include "engine/calendar/work_calendar.h"
#include "engine/core/clock.h"
#include "engine/store/store.h"
#include "engine/workflow/loader.h"

namespace dixian::engine {

struct Thresholds {            // entry criteria (config/thresholds.json)
  double income_line = 6000;   // per-capita net income below this line (yuan/year)
  double rigid_spending_ratio = 1.0;  // rigid spending above this share of last year's income
  double income_drop_ratio = 0.3;     // income fell by at least this share
};

struct EngineOptions {
  std::string console_base_url = "http://127.0.0.1:8080";
  Thresholds thresholds;
  int digest_hour = 8;  // daily overdue digest to supervisors' channels, China time
  std::string admin_token;  // from DIXIAN_ADMIN_TOKEN; empty = no built-in admin
  // Wall time for what follows client retries, not the engine calendar (Idempotency-Key
  // answers expire after a day of it). Null: the system clock.
  const Clock* wall_clock = nullptr;
};

class Engine {
 public:
  Engine(Store& store, Clock& clock, WorkflowRegistry workflows, WorkCalendar calendar,
         EngineOptions options);
  ~Engine();

  // --- identity
  Result<Principal> Authenticate(const std::string& bearer_token);

  // --- writes: `done` runs once the transaction is durable. `key` is the Idempotency-Key.
  struct Call {
    Principal who;
    nlohmann::json body;
    std::string id;   // path parameter, when the route has one
    std::string key;  // Idempotency-Key header (may be empty)
    std::string raw;  // raw body text (CSV imports, idempotency hashing)
    std::string scope;  // "METHOD /path" of the request: an Idempotency-Key holds for it only
  };
  void CreateOrg(Call call, WriteDone done);
  void ImportOrgs(Call call, WriteDone done);  // CSV code,name,level,parent
  void CreateUser(Call call, WriteDone done);
  void RevokeUser(Call call, WriteDone done);   // the token stops working at once
  void ReissueToken(Call call, WriteDone done); // a new token; the old one stops working
  void CreateChannel(Call call, WriteDone done);
  void CreateHousehold(Call call, WriteDone done);
  void ImportHouseholds(Call call, WriteDone done);  // CSV, all-or-nothing
  void AssignContact(Call call, WriteDone done);
  void RecordMeasure(Call call, WriteDone done);
  void LogVisit(Call call, WriteDone done);
  void CreateCase(Call call, WriteDone done);
  void ApplyAction(Call call, WriteDone done);
  void CompleteTask(Call call, WriteDone done);  // handover confirmation
  void TransferTask(Call call, WriteDone done);  // 转办
  void UrgeTask(Call call, WriteDone done);      // 催办

  // --- reads
  Result<nlohmann::json> Me(const Principal& who);
  Result<nlohmann::json> GetHousehold(const Principal& who, const std::string& id);
  Result<nlohmann::json> HouseholdTasks(const Principal& who, const std::string& id);
  // The console's pickers: contact persons who may be named for the household (nearest org
  // first), and the users an open task may be transferred to (转办).
  Result<nlohmann::json> ContactCandidates(const Principal& who, const std::string& household);
  Result<nlohmann::json> TransferCandidates(const Principal& who, const std::string& task_id);
  Result<nlohmann::json> GetCase(const Principal& who, const std::string& id);
  Result<nlohmann::json> CaseHistory(const Principal& who, const std::string& id);
  Result<nlohmann::json> MyTasks(const Principal& who);
  Result<nlohmann::json> MonitoringReport(const Principal& who, const std::string& org);
  Result<nlohmann::json> OverdueReport(const Principal& who, const std::string& org);
  Result<nlohmann::json> VerifyAudit(const Principal& who);
  Result<nlohmann::json> Workflows() const;

  // --- time: fire everything due at the engine clock's now, in batches; returns timers fired.
  Result<std::int64_t> RunDue();
  // Fake clock only: advance, then run everything due. Returns the new now.
  Result<nlohmann::json> AdvanceClock(const Principal& who, std::int64_t seconds);
  // Scheduler thread for the system clock: sleeps until the next due time (or a Wake()).
  void StartScheduler();
  void StopScheduler();
  void Wake();
  void NoteTimer(Instant at);  // a timer was written: wake the scheduler if it sleeps past `at`
  // Called after a batch of outbox rows is committed (the delivery worker's Wake).
  void OnOutbox(std::function<void()> notify) { outbox_notify_ = std::move(notify); }

  const WorkflowRegistry& workflows() const { return workflows_; }
  const WorkCalendar& calendar() const { return calendar_; }
  Clock& clock() { return clock_; }
  Store& store() { return store_; }

 private:
  friend class EngineTx;
  void SubmitWrite(const Call& call, std::function<Result<nlohmann::json>(WriteTx&)> job, WriteDone done);
  void SchedulerLoop();

  Store& store_;
  Clock& clock_;
  WorkflowRegistry workflows_;
  WorkCalendar calendar_;
  EngineOptions options_;
  SystemClock system_clock_;
  const Clock& wall_clock_;
  std::function<void()> outbox_notify_;

  std::mutex scheduler_mu_;
  std::condition_variable scheduler_cv_;
  bool scheduler_stop_ = false;
  bool scheduler_woken_ = false;
  std::atomic<Instant> sleeping_until_{0};  // 0 while awake: no wake needed
  std::thread scheduler_;
  std::mutex run_due_mu_;  // one RunDue at a time

  // Orgs never change once created; channels change rarely (cleared on every channel write).
  // Both are read on the writer thread for every notification, so they are cached.
  std::mutex cache_mu_;
  std::unordered_map<std::string, Org> org_cache_;
  std::unordered_map<std::string, std::vector<Channel>> channel_cache_;
  void ClearChannelCache();
  // Mobiles for notices, per "org\x1frole" or per user id (cleared on every user write).
  std::unordered_map<std::string, std::vector<std::string>> mobile_cache_;
  void ClearUserCache();
};

}  // namespace dixian::engine
