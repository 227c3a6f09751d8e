#include "adapters/webhook/rate_limiter.h"

#include <algorithm>
#include <chrono>

#include "adapters/webhook/platform.h"

namespace dixian::webhook {

std::int64_t SystemWallClock::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int RateLimiter::AvailableLocked(const std::string& channel_id, std::string_view kind,
                                 std::int64_t now) {
  if (auto it = blocked_until_.find(channel_id); it != blocked_until_.end() && now < it->second) {
    return 0;
  }
  const PlatformLimits lim = LimitsFor(kind);
  auto& sent = sent_[channel_id];
  while (!sent.empty() && sent.front() <= now - kMinuteWindowMs) sent.pop_front();
  int available = lim.per_minute > 0 ? lim.per_minute - static_cast<int>(sent.size()) : 1 << 20;
  if (lim.per_second > 0) {
    const auto in_second = std::count_if(sent.begin(), sent.end(), [&](std::int64_t t) {
      return t > now - kSecondWindowMs;
    });
    available = std::min(available, lim.per_second - static_cast<int>(in_second));
  }
  return std::max(available, 0);
}

int RateLimiter::Available(const std::string& channel_id, std::string_view kind) {
  std::lock_guard lock(mu_);
  return AvailableLocked(channel_id, kind, clock_.NowMs());
}

bool RateLimiter::TryAcquire(const std::string& channel_id, std::string_view kind) {
  std::lock_guard lock(mu_);
  const std::int64_t now = clock_.NowMs();
  if (AvailableLocked(channel_id, kind, now) <= 0) return false;
  sent_[channel_id].push_back(now);
  return true;
}

void RateLimiter::Block(const std::string& channel_id, std::int64_t until_ms) {
  std::lock_guard lock(mu_);
  blocked_until_[channel_id] = std::max(blocked_until_[channel_id], until_ms);
}

}  // namespace dixian::webhook
