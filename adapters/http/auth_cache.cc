#include "adapters/http/auth_cache.h"

#include <algorithm>

#include "engine/commands/sessions.h"
#include "engine/core/sha256.h"

namespace dixian::http {

engine::Result<engine::Principal> AuthCache::Authenticate(engine::Engine& engine,
                                                          const std::string& bearer) {
  if (bearer.empty() || ttl_.count() <= 0) return engine.Authenticate(bearer);
  const std::string key = engine::Sha256Hex(bearer);
  const auto now = std::chrono::steady_clock::now();
  std::uint64_t generation = 0;
  {
    std::lock_guard lock(mu_);
    generation = generation_;  // read before the store is: a later Invalidate() voids this fill
    if (auto it = entries_.find(key); it != entries_.end()) {
      const Entry& entry = it->second;
      if (entry.generation == generation_ && now - entry.filled < ttl_ &&
          (!entry.expires_at || engine.clock().Now() < *entry.expires_at)) {
        hits_.fetch_add(1, std::memory_order_relaxed);
        return entry.who;
      }
      entries_.erase(it);
    }
  }
  auto who = engine.Authenticate(bearer);
  if (!who.ok()) return who;
  std::optional<engine::Instant> expires = who.value().user.token_expires_at;
  if (engine::IsSessionToken(bearer)) {
    const auto session = engine::SessionTokenExpiry(bearer);
    if (!session) return who;
    expires = expires ? std::min(*expires, *session) : *session;
  }
  std::lock_guard lock(mu_);
  if (generation != generation_) return who;
  if (entries_.size() >= capacity_) entries_.clear();
  entries_[key] = Entry{who.value(), generation, now, expires};
  return who;
}

void AuthCache::Invalidate() {
  std::lock_guard lock(mu_);
  ++generation_;
  entries_.clear();
}

}  // namespace dixian::http
