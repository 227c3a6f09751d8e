#include "adapters/http/auth_cache.h"

#include <algorithm>
#include <charconv>
#include <string_view>

#include "engine/commands/sessions.h"
#include "engine/core/sha256.h"

namespace dixian::http {
namespace {

// A console session's own expiry, the first field of dxs1_<expires>_...; none if unreadable
// (the engine refuses such a token anyway, so it is never cached).
std::optional<engine::Instant> SessionExpiry(std::string_view bearer) {
  const auto start = bearer.find('_');
  if (start == std::string_view::npos) return std::nullopt;
  const auto rest = bearer.substr(start + 1);
  const auto end = rest.find('_');
  if (end == std::string_view::npos) return std::nullopt;
  engine::Instant at = 0;
  const auto parsed = std::from_chars(rest.data(), rest.data() + end, at);
  if (parsed.ec != std::errc() || parsed.ptr != rest.data() + end) return std::nullopt;
  return at;
}

}  // namespace

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
    const auto session = SessionExpiry(bearer);
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
