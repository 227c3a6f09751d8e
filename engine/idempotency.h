#pragma once
// Idempotency-Key replay: a stored answer is found by (caller, scope, key), where the scope is
// the request's method and path ("POST /api/v1/users/u1/revoke"), so a key reused on another
// target is another request. Answers are kept for kIdempotencyTtl of wall time (client retries
// follow wall time, also under --fake-clock), then pruned when timers run.
#include <nlohmann/json.hpp>

#include "engine/core/time.h"

namespace dixian::engine {

inline constexpr Instant kIdempotencyTtl = 24 * 3600;
inline constexpr int kIdempotencyPruneBatch = 2000;

// The answer as it may be stored: a token is shown once, never written to the database. The
// stored copy drops "token" and says so ("token_withheld": true); a replay returns that copy.
nlohmann::json StorableReply(const nlohmann::json& reply);

}  // namespace dixian::engine
