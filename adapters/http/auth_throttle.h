#pragma once
// Throttles guessing of tokens per client address: more than `max_failures` failed
// authentications (a token was presented and refused) from one address within a fixed window
// of `window` seconds, and every authenticated call from that address is answered 429 with
// Retry-After until the window ends. Other addresses are never affected. Thread-safe; memory is
// bounded (`max_addresses`, the stalest entries go first).
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace dixian::http {

class AuthThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  struct Options {
    int max_failures = 10;
    std::chrono::seconds window{60};
    std::size_t max_addresses = 20000;
  };

  AuthThrottle() : AuthThrottle(Options{}) {}
  explicit AuthThrottle(Options options) : options_(options) {}

  // Whole seconds until `address` may authenticate again; 0 when it may now.
  int RetryAfter(const std::string& address, Clock::time_point now = Clock::now());
  // Records a failed authentication from `address`.
  void Failed(const std::string& address, Clock::time_point now = Clock::now());

  const Options& options() const { return options_; }

 private:
  struct Entry {
    Clock::time_point window_start;
    int failures = 0;
  };
  void MakeRoom(Clock::time_point now);

  const Options options_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

// The client's address of a request: the peer's IP (no port); when the peer is one of
// `trusted_proxies` (a reverse proxy in front), the last address of its X-Forwarded-For.
std::string ClientAddress(const std::string& remote, const std::string& forwarded_for,
                          const std::vector<std::string>& trusted_proxies);

}  // namespace dixian::http
