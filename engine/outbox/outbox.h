#pragma once
// The outbox: messages written in the same transaction as the transition that caused them,
// read by the delivery worker (adapters/webhook). Delivery pacing uses wall time.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/core/error.h"
#include "engine/core/time.h"

namespace dixian::engine {

struct Channel {
  std::string id;
  std::string org;      // org code; messages about work in its subtree come here
  std::string kind;     // dingtalk | wecom | feishu | webhook
  std::string url;
  std::string secret;   // signing secret (may be empty for wecom, whose key is in the url)
  int quiet_start_hour = -1;  // China time; -1 = no quiet hours
  int quiet_end_hour = -1;
};

// kind: new_task | reminder | overdue | escalation | digest | test
// payload (all strings unless noted; absent when not applicable):
//   task_id, case_id (or null), household_id, head_name, village, step, step_label,
//   due_at (RFC 3339), days_left (int; negative = days late), org, org_name,
//   mobiles (array of unmasked mobiles to @mention; templates must mask when printing),
//   escalation_level (int, 0 = assignee's org), link (path of the console page),
//   rows (digest: array of objects like the above), text (test / free text)
struct OutboxMessage {
  std::int64_t id = 0;
  std::string message_id;  // stable across retries and restarts: receivers de-duplicate on it
  std::string channel_id;
  std::string kind;
  bool urgent = false;     // urgent messages ignore quiet hours
  nlohmann::json payload;
  Instant created_at = 0;  // engine time
  int attempts = 0;
  Instant next_attempt_at = 0;  // wall time
  std::string last_error;
};

// What the delivery worker needs from storage. Implemented on SQLite in adapters/store.
class OutboxStore {
 public:
  virtual ~OutboxStore() = default;
  // Pending messages whose next attempt is due at wall time `now`, oldest first, leaving out the
  // channels in `skip` (the worker's busy ones: their rows would only be read to be ignored).
  virtual std::vector<OutboxMessage> Ready(Instant wall_now, int limit,
                                           const std::vector<std::string>& skip = {}) = 0;
  // The channel, nothing when there is none, or the storage error (then retry later: the
  // messages stay pending, never dead-lettered on a failed read).
  virtual Result<std::optional<Channel>> FindChannel(const std::string& channel_id) = 0;
  virtual void MarkDelivered(const std::vector<std::int64_t>& ids, Instant wall_now) = 0;
  virtual void MarkRetry(std::int64_t id, Instant next_attempt_at, const std::string& error) = 0;
  virtual void MarkDead(std::int64_t id, const std::string& reason) = 0;
  virtual std::vector<OutboxMessage> Dead(int limit) = 0;
  virtual int Redrive(const std::vector<std::int64_t>& ids, Instant wall_now) = 0;  // empty = all dead
  virtual std::int64_t PendingCount() = 0;
};

}  // namespace dixian::engine
