#pragma once
// A small in-memory OutboxStore for the delivery tests (the real one is SQLite).
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>

#include "engine/outbox/outbox.h"

namespace dixian::chat::testing {

class MemoryOutboxStore final : public engine::OutboxStore {
 public:
  enum class State { kPending, kDelivered, kDead };
  struct Row {
    engine::OutboxMessage m;
    State state = State::kPending;
    std::string dead_reason;
  };

  void AddChannel(engine::Channel c) {
    std::lock_guard lock(mu_);
    channels_[c.id] = std::move(c);
  }
  std::int64_t Add(engine::OutboxMessage m) {
    std::lock_guard lock(mu_);
    m.id = ++next_id_;
    if (m.message_id.empty()) m.message_id = "m" + std::to_string(m.id);
    rows_[m.id] = Row{m, State::kPending, ""};
    return m.id;
  }
  engine::Result<std::vector<engine::OutboxMessage>> Ready(
      engine::Instant now, int limit, const std::vector<std::string>& skip = {},
      const std::string& /*after_channel*/ = "") override {
    std::lock_guard lock(mu_);
    ++ready_calls_;
    std::vector<engine::OutboxMessage> out;
    for (auto& [id, r] : rows_) {
      if (r.state == State::kPending && r.m.next_attempt_at <= now &&
          std::find(skip.begin(), skip.end(), r.m.channel_id) == skip.end() &&
          static_cast<int>(out.size()) < limit) {
        out.push_back(r.m);
      }
    }
    return out;
  }
  engine::Result<std::optional<engine::Channel>> FindChannel(const std::string& id) override {
    std::lock_guard lock(mu_);
    auto it = channels_.find(id);
    if (it == channels_.end()) return std::optional<engine::Channel>();
    return std::optional<engine::Channel>(it->second);
  }
  engine::Status RecordOutcomes(const engine::DeliveryOutcomes& o, engine::Instant) override {
    std::lock_guard lock(mu_);
    ++record_calls_;
    if (fail_records_ > 0) {
      --fail_records_;
      return engine::Error::Unavailable("disk_full", "database or disk is full");
    }
    for (auto id : o.delivered) {
      ++rows_.at(id).m.attempts;
      rows_.at(id).state = State::kDelivered;
    }
    for (const auto& r : o.retries) {
      auto& row = rows_.at(r.id);
      ++row.m.attempts;
      row.m.next_attempt_at = r.next_attempt_at;
      row.m.last_error = r.error;
    }
    for (const auto& d : o.dead) {
      ++rows_.at(d.id).m.attempts;
      rows_.at(d.id).state = State::kDead;
      rows_.at(d.id).dead_reason = d.reason;
    }
    pacing_.sends.insert(pacing_.sends.end(), o.sends.begin(), o.sends.end());
    pacing_.pauses.insert(pacing_.pauses.end(), o.pauses.begin(), o.pauses.end());
    std::erase_if(pacing_.sends, [&](const auto& s) { return s.at_ms < o.forget_before_ms; });
    return engine::OkStatus();
  }
  engine::Result<engine::PacingWindow> RecentPacing(std::int64_t since_ms,
                                                    const std::string& channel = "") override {
    std::lock_guard lock(mu_);
    auto of = [&](const std::string& key) {
      return channel.empty() || key == channel || key.rfind(channel + "/", 0) == 0;
    };
    engine::PacingWindow w;
    for (const auto& s : pacing_.sends)
      if (s.at_ms >= since_ms && of(s.key)) w.sends.push_back(s);
    for (const auto& p : pacing_.pauses)
      if (p.until_ms > since_ms && of(p.key)) w.pauses.push_back(p);
    return w;
  }
  std::vector<engine::OutboxMessage> Dead(int) override { return {}; }
  int Redrive(const std::vector<std::int64_t>&, engine::Instant) override { return 0; }
  std::int64_t PendingCount() override { return Count(State::kPending); }

  std::int64_t Count(State s) {
    std::lock_guard lock(mu_);
    return std::count_if(rows_.begin(), rows_.end(), [&](auto& kv) { return kv.second.state == s; });
  }
  std::int64_t ReadyCalls() {  // outbox reads so far
    std::lock_guard lock(mu_);
    return ready_calls_;
  }
  // The next `n` RecordOutcomes calls fail as a full disk would.
  void FailRecords(int n) {
    std::lock_guard lock(mu_);
    fail_records_ = n;
  }
  std::int64_t RecordCalls() {
    std::lock_guard lock(mu_);
    return record_calls_;
  }
  engine::PacingWindow Pacing() {
    std::lock_guard lock(mu_);
    return pacing_;
  }
  Row Get(std::int64_t id) {
    std::lock_guard lock(mu_);
    return rows_.at(id);
  }

 private:
  std::mutex mu_;
  std::int64_t ready_calls_ = 0;
  std::int64_t next_id_ = 0;
  std::int64_t record_calls_ = 0;
  int fail_records_ = 0;
  engine::PacingWindow pacing_;
  std::map<std::int64_t, Row> rows_;
  std::map<std::string, engine::Channel> channels_;
};

// A task notice payload as the engine writes it.
inline engine::OutboxMessage TaskMessage(const std::string& channel, const std::string& kind,
                                         const std::string& head, int days_left,
                                         const std::string& step_label = "入户核实",
                                         const std::string& due_at = "2026-03-10T18:00:00+08:00") {
  engine::OutboxMessage m;
  m.channel_id = channel;
  m.kind = kind;
  m.payload = {{"task_id", "t-" + head}, {"household_id", "h-" + head}, {"head_name", head},
               {"village", "石桥村"}, {"step", "village_visit"}, {"step_label", step_label},
               {"due_at", due_at}, {"days_left", days_left}, {"org", "v001"},
               {"org_name", "石桥村委会"}, {"mobiles", {"13812341234"}},
               {"escalation_level", 0}, {"link", "/tasks/t-" + head}};
  return m;
}

}  // namespace dixian::chat::testing
