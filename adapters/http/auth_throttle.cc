#include "adapters/http/auth_throttle.h"

#include <algorithm>
#include <vector>

namespace dixian::http {

int AuthThrottle::RetryAfter(const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(address);
  if (it == entries_.end()) return 0;
  const auto end = it->second.window_start + options_.window;
  if (now >= end) {
    entries_.erase(it);
    return 0;
  }
  if (it->second.failures < options_.max_failures) return 0;
  const auto left = std::chrono::duration_cast<std::chrono::seconds>(end - now).count();
  return static_cast<int>(std::max<long long>(1, left + 1));
}

void AuthThrottle::Failed(const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(address);
  if (it != entries_.end() && now >= it->second.window_start + options_.window) {
    entries_.erase(it);
    it = entries_.end();
  }
  if (it == entries_.end()) {
    MakeRoom(now);
    it = entries_.emplace(address, Entry{now, 0}).first;
  }
  ++it->second.failures;
}

void AuthThrottle::MakeRoom(Clock::time_point now) {
  if (entries_.size() < options_.max_addresses) return;
  std::erase_if(entries_, [&](const auto& e) { return now >= e.second.window_start + options_.window; });
  while (entries_.size() >= options_.max_addresses) {  // still full: the stalest windows go
    auto oldest = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
      return a.second.window_start < b.second.window_start;
    });
    entries_.erase(oldest);
  }
}

namespace {

std::string HostOf(const std::string& remote) {
  if (!remote.empty() && remote.front() == '[') return remote.substr(1, remote.find(']') - 1);  // [v6]:port
  return remote.substr(0, remote.rfind(':'));
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(s.begin());
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s;
}

}  // namespace

std::string ClientAddress(const std::string& remote, const std::string& forwarded_for,
                          const std::vector<std::string>& trusted_proxies) {
  const std::string peer = HostOf(remote);
  if (forwarded_for.empty() || std::find(trusted_proxies.begin(), trusted_proxies.end(), peer) == trusted_proxies.end())
    return peer;
  // The proxy appends the address it saw to whatever the client sent: only the last one counts.
  const auto comma = forwarded_for.rfind(',');
  const std::string last = Trim(comma == std::string::npos ? forwarded_for : forwarded_for.substr(comma + 1));
  return last.empty() ? peer : last.substr(0, 64);
}

}  // namespace dixian::http
