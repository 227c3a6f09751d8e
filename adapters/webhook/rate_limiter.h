#pragma once
// Wall time for delivery pacing (injectable), and a per-robot sliding-window rate limiter that
// keeps every channel under its platform's documented limits with a small safety margin.
#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace dixian::webhook {

class WallClock {
 public:
  virtual ~WallClock() = default;
  virtual std::int64_t NowMs() const = 0;  // milliseconds since the Unix epoch
};

class SystemWallClock final : public WallClock {
 public:
  std::int64_t NowMs() const override;
};

class ManualWallClock final : public WallClock {
 public:
  explicit ManualWallClock(std::int64_t start_ms) : now_(start_ms) {}
  std::int64_t NowMs() const override { return now_.load(); }
  void AdvanceMs(std::int64_t ms) { now_ += ms; }

 private:
  std::atomic<std::int64_t> now_;
};

// Thread-safe. Windows are widened by a margin so latency between us and the platform cannot
// make two windows' worth of sends land inside one of the platform's windows.
class RateLimiter {
 public:
  explicit RateLimiter(const WallClock& clock) : clock_(clock) {}

  int Available(const std::string& channel_id, std::string_view kind);
  // Records one send now and returns true if the limits allow it; false otherwise.
  bool TryAcquire(const std::string& channel_id, std::string_view kind);
  // After the platform answered with its rate-limit code: nothing goes until `until_ms`.
  void Block(const std::string& channel_id, std::int64_t until_ms);

  static constexpr std::int64_t kMinuteWindowMs = 61000;
  static constexpr std::int64_t kSecondWindowMs = 1100;

 private:
  int AvailableLocked(const std::string& channel_id, std::string_view kind, std::int64_t now);

  const WallClock& clock_;
  std::mutex mu_;
  std::map<std::string, std::deque<std::int64_t>> sent_;
  std::map<std::string, std::int64_t> blocked_until_;
};

}  // namespace dixian::webhook
