#pragma once
// Who a bearer token is, remembered for a short while so that the hot path (a clerk's action, an
// inbox read) does not open a store read transaction per request for the same token.
//
// Entries are keyed by the token's SHA-256 (the token itself is never kept) and hold the
// principal the engine returned. A hit is used only while
//   - the entry is younger than `ttl` (real time),
//   - no user write of this process (revoke, token reissue, move) finished since it was filled:
//     Invalidate() bumps a generation that every entry carries, so such a write refuses the old
//     token from the next request on, and
//   - the engine clock is before the token's expiry (and a console session's own expiry).
// Refusals are never cached. Other processes on the same database (several PostgreSQL nodes)
// see a revoke at most `ttl` late (docs/security.md, "Token cache").
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "engine/engine.h"

namespace dixian::http {

class AuthCache {
 public:
  static constexpr std::chrono::milliseconds kDefaultTtl{2000};
  static constexpr std::size_t kDefaultCapacity = 8192;

  explicit AuthCache(std::chrono::milliseconds ttl = kDefaultTtl,
                     std::size_t capacity = kDefaultCapacity)
      : ttl_(ttl), capacity_(capacity) {}

  // The cached principal of `bearer`, else engine.Authenticate (and remembers a success).
  engine::Result<engine::Principal> Authenticate(engine::Engine& engine, const std::string& bearer);

  // Forgets every entry; entries being filled concurrently are not stored. Call after a write
  // that changes who a token is (its commit visible), before that write's reply is sent.
  void Invalidate();

  std::uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }

 private:
  struct Entry {
    engine::Principal who;
    std::uint64_t generation = 0;
    std::chrono::steady_clock::time_point filled;
    std::optional<engine::Instant> expires_at;  // the engine instant it stops working
  };

  const std::chrono::milliseconds ttl_;
  const std::size_t capacity_;
  std::mutex mu_;
  std::uint64_t generation_ = 0;  // guarded by mu_
  std::unordered_map<std::string, Entry> entries_;  // guarded by mu_; key: SHA-256 of the token
  std::atomic<std::uint64_t> hits_{0};
};

}  // namespace dixian::http
