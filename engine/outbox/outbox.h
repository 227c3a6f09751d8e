#pragma once
// The outbox: messages written in the same transaction as the transition that caused them,
// read by the delivery worker (adapters/chat). Delivery pacing uses wall time.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/core/error.h"
#include "engine/core/time.h"
#include "engine/model/enums.h"

namespace dixian::engine {

struct Channel {
  std::string id;
  std::string org;      // org code; messages about work in its subtree come here
  std::string kind;     // the chat adapter's vocabulary (dingtalk, wecom_app, ...): the engine
                        // never reads it; EngineOptions::channel_kinds checks it
  std::string url;
  std::string secret;   // signing secret (may be empty when the url carries the credential)
  int quiet_start_hour = -1;  // China time; -1 = no quiet hours
  int quiet_end_hour = -1;
  // App channels (dingtalk_app, wecom_app, feishu_app): the app's settings and credentials as
  // the chat adapter validated them (`url` is then the platform's API base). Empty for robots.
  std::map<std::string, std::string> app;
};

// What the engine writes with a notice, in the transaction that caused it: compact facts, no
// names, labels or mobiles. Those are looked up after commit (engine/outbox/notices.h).
struct NoticeFacts {
  std::int64_t task_id = 0;   // the task it is about (every kind but digest and test)
  int escalation_level = 0;   // 0 = the acting org itself; n = the org n levels above
  std::string text;           // a note (urge, transfer) or the text of a test message
  std::string org;            // digest: the org (of supervisors) it is for
  std::int64_t total = 0;     // digest: overdue tasks in that org's subtree
  std::vector<std::int64_t> task_ids;  // digest: the oldest of them (at most 200)
  // A message to one person on an app channel: who, and their id on the channel's platform.
  std::string to_user;
  std::string to_im;
  std::string case_id;        // announcement: the case whose decision it announces
  std::string period;         // weekly report: the Friday (YYYY-MM-DD) ending the week it covers
  bool empty() const { return task_id == 0 && org.empty() && case_id.empty(); }
};

// kind: new_task | reminder | overdue | escalation | digest | test | announcement | weekly_report
// (Name(NoticeKind))
// payload: what the delivery side renders, built after commit from `facts` (ResolveNotice; rows
// written before schema 5 carry it as written then). All strings unless noted; absent when not
// applicable:
//   task_id, case_id (or null), household_id, head_name, village, step, step_label,
//   due_at (RFC 3339), days_left (int; negative = days late), org, org_name,
//   mobiles (array of unmasked mobiles to @mention; templates must mask when printing),
//   assignee (user id, when the task names a person), role (the role the task waits for),
//   escalation_level (int, 0 = assignee's org), link (path of the console page),
//   rows (digest: array of objects like the above), text (test / free text);
//   app channels, a message to one person: to (the recipient's id on the platform), case_version
//   (int), actions (array of {"action","label","needs_comment"?}: what the recipient may do on
//   the step now; an action that needs a comment opens the console instead of acting)
struct OutboxMessage {
  std::int64_t id = 0;
  // Stable across retries and restarts. Only generic webhooks receive it (X-Dixian-Message-Id,
  // and in the body) and can de-duplicate on it; chat platforms get no id and do not
  // de-duplicate, so a send whose answer was lost (timeout, crash before the outcome was
  // recorded) reaches the group again: delivery is at least once. A digest has its own id,
  // derived from the ids it covers.
  std::string message_id;
  std::string channel_id;
  std::string kind;
  bool urgent = false;     // urgent messages ignore quiet hours
  NoticeFacts facts;
  nlohmann::json payload;
  Instant created_at = 0;  // engine time
  int attempts = 0;
  Instant next_attempt_at = 0;  // wall time
  std::string last_error;
};

// Pacing marks: what was sent where, and when (wall time, ms), so the platforms' rate windows
// survive a restart and, with a shared database, hold across processes. `key` names a window:
// the channel id (a robot) or "<channel id>/<person>" (one person on an app channel).
struct SendMark {
  std::string key;
  std::int64_t at_ms = 0;
};
// The platform answered with its rate-limit code: nothing goes to `key` before `until_ms`.
struct PauseMark {
  std::string key;
  std::int64_t until_ms = 0;
};
struct PacingWindow {
  std::vector<SendMark> sends;
  std::vector<PauseMark> pauses;
};

// What a round of sending came to. Recorded in one write, so a restart never sees a message
// marked delivered without its send in the pacing window, nor the reverse.
struct DeliveryOutcomes {
  struct Retry {
    std::int64_t id = 0;
    Instant next_attempt_at = 0;  // wall time
    std::string error;
  };
  struct Dead {
    std::int64_t id = 0;
    std::string reason;
  };
  std::vector<std::int64_t> delivered;
  std::vector<Retry> retries;
  std::vector<Dead> dead;
  std::vector<SendMark> sends;
  std::vector<PauseMark> pauses;
  std::int64_t forget_before_ms = 0;  // send marks older than this may be dropped (0: keep)
  bool empty() const {
    return delivered.empty() && retries.empty() && dead.empty() && sends.empty() && pauses.empty();
  }
};

// What the delivery worker needs from storage. Implemented on SQLite in adapters/store.
class OutboxStore {
 public:
  virtual ~OutboxStore() = default;
  // Pending messages whose next attempt is due at wall time `now`, leaving out the channels in
  // `skip` (the worker's busy ones: their rows would only be read to be ignored). Channels are
  // taken in id order starting after `after_channel` and wrapping around, each with its oldest
  // rows (a bounded number), until about `limit` rows are collected: a caller that passes the
  // last channel it got serves every channel in turn, however many there are.
  virtual Result<std::vector<OutboxMessage>> Ready(Instant wall_now, int limit,
                                                   const std::vector<std::string>& skip = {},
                                                   const std::string& after_channel = "") = 0;
  virtual Result<std::optional<Channel>> FindChannel(const std::string& channel_id) = 0;
  // Delivered rows get `wall_now` as their delivery time; every row named counts one attempt.
  virtual Status RecordOutcomes(const DeliveryOutcomes& outcomes, Instant wall_now) = 0;
  // Send marks at or after `since_ms`, and pauses that end after it: every key, or only
  // `channel`'s (the channel's own and its persons', `channel/...`).
  virtual Result<PacingWindow> RecentPacing(std::int64_t since_ms, const std::string& channel = "") = 0;
  // The channels this process began to send for since the last call after another process had
  // them (several processes on one database: a lease taken over from a dead one). Their rate
  // windows in memory miss the other process's sends: read them again (RecentPacing).
  virtual std::vector<std::string> TakenOver() { return {}; }
  virtual std::vector<OutboxMessage> Dead(int limit) = 0;
  virtual int Redrive(const std::vector<std::int64_t>& ids, Instant wall_now) = 0;  // empty = all dead
  virtual std::int64_t PendingCount() = 0;
};

}  // namespace dixian::engine
