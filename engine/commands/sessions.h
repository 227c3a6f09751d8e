#pragma once
// Console sessions (issue 19 item 8): a user token, or a sign-in the chat platforms vouch for,
// is exchanged once for a session token the browser keeps for a working day (docs/console.md,
// "Sessions"). Sessions are not stored: a session token carries the user, its expiry and the
// hash of the token it came from, under an HMAC with the engine's session key. Revoking the
// user ends it at once; reissuing the token ends the sessions made from the old one.
#include <optional>
#include <string>
#include <string_view>

#include "engine/commands/views.h"
#include "engine/engine.h"

namespace dixian::engine {

inline constexpr Instant kSessionSeconds = 12 * 3600;  // a working day

struct SessionView {
  std::string token;
  Instant expires_at = 0;
  MeView me;
};

bool IsSessionToken(std::string_view bearer);
// A session token's own expiry (its first field), unverified: for caches that must not keep a
// principal past it. None if the field is unreadable.
std::optional<Instant> SessionTokenExpiry(std::string_view bearer);

// The caller's own user token (`bearer`, which authenticated `who`) for a session. Not for the
// built-in admin, and a session does not make another.
Result<SessionView> StartSession(Engine& engine, const Principal& who, const std::string& bearer);

// A session for `user_id`, whom a chat platform's sign-in (免登) named.
Result<SessionView> StartSessionFor(Engine& engine, const std::string& user_id);

// Engine::Authenticate for a session token: 401 when forged, expired, or its user is revoked.
Result<Principal> AuthenticateSession(Engine& engine, const std::string& token);

// 32 random bytes for EngineOptions::session_key.
std::string NewSessionKey();

}  // namespace dixian::engine
