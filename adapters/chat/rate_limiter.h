#pragma once
// Wall time for delivery pacing (injectable), and a sliding-window rate limiter that keeps every
// window (a robot, or one person on an app channel) under its platform's documented limits with a
// small safety margin. The windows are rebuilt from the store at start (Seed), so a restart does
// not forget what was sent in the last minutes.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "engine/outbox/outbox.h"

namespace dixian::chat {

class WallClock {
 public:
  virtual ~WallClock() = default;
  virtual std::int64_t NowMs() const = 0;  // milliseconds since the Unix epoch
  // With `lock` held (it guards what `ready` reads), waits on `cv` until `ready()` or until
  // wall time reaches `deadline_ms`. Whoever makes `ready()` true notifies `cv` under the lock.
  virtual void WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                         std::int64_t deadline_ms, const std::function<bool()>& ready) const = 0;
};

class SystemWallClock final : public WallClock {
 public:
  std::int64_t NowMs() const override;
  void WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                 std::int64_t deadline_ms, const std::function<bool()>& ready) const override;
};

// Time moves only when a test advances it; waiters whose deadline passes wake then.
class ManualWallClock final : public WallClock {
 public:
  explicit ManualWallClock(std::int64_t start_ms) : now_(start_ms) {}
  std::int64_t NowMs() const override { return now_.load(); }
  void AdvanceMs(std::int64_t ms);
  void WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                 std::int64_t deadline_ms, const std::function<bool()>& ready) const override;

 private:
  std::atomic<std::int64_t> now_;
  mutable std::mutex waiters_mu_;
  mutable std::set<std::pair<std::mutex*, std::condition_variable*>> waiters_;
};

// At most `max` sends in any `window_ms` (as the platform documents it).
struct RateWindow {
  int max = 0;
  std::int64_t window_ms = 0;
};

// Thread-safe. Each window is widened by a margin (a tenth, at most one second) so latency
// between us and the platform cannot make two windows' worth of sends land inside one of its.
class RateLimiter {
 public:
  explicit RateLimiter(const WallClock& clock) : clock_(clock) {}

  // Sends `key` may make now under `windows` (no windows: unlimited, a large number).
  int Available(const std::string& key, std::span<const RateWindow> windows);
  // Records one send now and returns its mark if the windows allow it; nothing otherwise. Without
  // windows the mark's key is empty: there is nothing to remember.
  std::optional<engine::SendMark> TryAcquire(const std::string& key,
                                             std::span<const RateWindow> windows);
  // Several windows at once (a channel's and a person's): all take the send (their marks), or
  // none does (nothing). Claims without windows are always granted and leave no mark.
  struct Claim {
    std::string key;
    std::span<const RateWindow> windows;
  };
  std::optional<std::vector<engine::SendMark>> TryAcquireAll(std::span<const Claim> claims);
  // After the platform answered with its rate-limit code: nothing goes until `until_ms`.
  void Block(const std::string& key, std::int64_t until_ms);
  // Adds sends and pauses read from the store (at start, and for a channel taken over from
  // another process); marks it already holds are not counted again.
  void Seed(const engine::PacingWindow& window);

  static std::int64_t Widened(std::int64_t window_ms);
  // Sends older than this are never needed: the longest window any platform documents is a day
  // (DingTalk's work notices, per person). In memory each key keeps only its own windows' span.
  static constexpr std::int64_t kHorizonMs = 25 * 3600 * 1000;

 private:
  int AvailableLocked(const std::string& key, std::span<const RateWindow> windows,
                      std::int64_t now);

  const WallClock& clock_;
  std::mutex mu_;
  std::map<std::string, std::deque<std::int64_t>> sent_;  // ascending times per key
  std::map<std::string, std::int64_t> blocked_until_;
};

}  // namespace dixian::chat
