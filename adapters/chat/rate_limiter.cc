#include "adapters/chat/rate_limiter.h"

#include <algorithm>
#include <chrono>

namespace dixian::chat {

std::int64_t SystemWallClock::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void SystemWallClock::WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                                std::int64_t deadline_ms,
                                const std::function<bool()>& ready) const {
  // Waits on the steady clock for the wall-time span, so a wall-clock step cannot stall it.
  const auto span = std::chrono::milliseconds(std::max<std::int64_t>(0, deadline_ms - NowMs()));
  cv.wait_for(lock, span, ready);
}

void ManualWallClock::AdvanceMs(std::int64_t ms) {
  now_ += ms;
  std::set<std::pair<std::mutex*, std::condition_variable*>> waiters;
  {
    std::lock_guard lock(waiters_mu_);
    waiters = waiters_;
  }
  for (auto [mu, cv] : waiters) {
    // Taking the waiter's lock orders this after its last look at the time or before its next.
    { std::lock_guard lock(*mu); }
    cv->notify_all();
  }
}

void ManualWallClock::WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                                std::int64_t deadline_ms,
                                const std::function<bool()>& ready) const {
  const std::pair<std::mutex*, std::condition_variable*> me{lock.mutex(), &cv};
  {
    std::lock_guard guard(waiters_mu_);
    waiters_.insert(me);
  }
  cv.wait(lock, [&] { return ready() || NowMs() >= deadline_ms; });
  std::lock_guard guard(waiters_mu_);
  waiters_.erase(me);
}

std::int64_t RateLimiter::Widened(std::int64_t window_ms) {
  return window_ms + std::min<std::int64_t>(window_ms / 10, 1000);
}

int RateLimiter::AvailableLocked(const std::string& key, std::span<const RateWindow> windows,
                                 std::int64_t now) {
  if (auto it = blocked_until_.find(key); it != blocked_until_.end()) {
    if (now < it->second) return 0;
    blocked_until_.erase(it);
  }
  int available = 1 << 20;
  if (windows.empty()) return available;
  auto& sent = sent_[key];
  std::int64_t span = 0;
  for (const RateWindow& w : windows) span = std::max(span, Widened(w.window_ms));
  while (!sent.empty() && sent.front() <= now - span) sent.pop_front();
  for (const RateWindow& w : windows) {
    const std::int64_t from = now - Widened(w.window_ms);
    const auto first = std::upper_bound(sent.begin(), sent.end(), from);
    const int used = static_cast<int>(std::distance(first, sent.end()));
    available = std::min(available, w.max - used);
  }
  return std::max(available, 0);
}

int RateLimiter::Available(const std::string& key, std::span<const RateWindow> windows) {
  std::lock_guard lock(mu_);
  return AvailableLocked(key, windows, clock_.NowMs());
}

std::optional<engine::SendMark> RateLimiter::TryAcquire(const std::string& key,
                                                        std::span<const RateWindow> windows) {
  std::lock_guard lock(mu_);
  const std::int64_t now = clock_.NowMs();
  if (AvailableLocked(key, windows, now) <= 0) return std::nullopt;
  if (windows.empty()) return engine::SendMark{"", now};  // no limit: nothing to remember
  auto& sent = sent_[key];
  // The clock may be stepped back; keep the times ascending.
  sent.push_back(sent.empty() ? now : std::max(now, sent.back()));
  return engine::SendMark{key, now};
}

std::optional<std::vector<engine::SendMark>> RateLimiter::TryAcquireAll(
    std::span<const Claim> claims) {
  std::lock_guard lock(mu_);
  const std::int64_t now = clock_.NowMs();
  for (const Claim& c : claims) {
    if (AvailableLocked(c.key, c.windows, now) <= 0) return std::nullopt;
  }
  std::vector<engine::SendMark> marks;
  for (const Claim& c : claims) {
    if (c.windows.empty()) continue;  // no limit: nothing to remember
    auto& sent = sent_[c.key];
    sent.push_back(sent.empty() ? now : std::max(now, sent.back()));
    marks.push_back({c.key, now});
  }
  return marks;
}

void RateLimiter::Block(const std::string& key, std::int64_t until_ms) {
  std::lock_guard lock(mu_);
  auto& until = blocked_until_[key];
  until = std::max(until, until_ms);
}

void RateLimiter::Seed(const engine::PacingWindow& window) {
  std::lock_guard lock(mu_);
  // A mark already in memory (this process's own send, read back) is not counted twice: per key
  // and time, the larger of the two counts stays.
  std::map<std::pair<std::string, std::int64_t>, std::size_t> stored;
  for (const auto& mark : window.sends) ++stored[{mark.key, mark.at_ms}];
  for (const auto& [key_at, count] : stored) {
    auto& sent = sent_[key_at.first];
    const auto [lo, hi] = std::equal_range(sent.begin(), sent.end(), key_at.second);
    const auto known = static_cast<std::size_t>(hi - lo);
    if (count > known) sent.insert(hi, count - known, key_at.second);
  }
  for (const auto& pause : window.pauses) {
    auto& until = blocked_until_[pause.key];
    until = std::max(until, pause.until_ms);
  }
}

}  // namespace dixian::chat
