#pragma once
// Idempotency-Key replay: a stored answer is found by (caller, scope, key), where the scope is
// the request's method and path ("POST /api/v1/users/u1/revoke"), so a key reused on another
// target is another request. Answers are kept for kIdempotencyTtl of wall time (client retries
// follow wall time, also under --fake-clock), then pruned when timers run.
#include "engine/core/time.h"

namespace dixian::engine {

inline constexpr Instant kIdempotencyTtl = 24 * 3600;
inline constexpr int kIdempotencyPruneBatch = 2000;
// What is stored with a key is rendered by the caller (Write::render); a token is shown once and
// never stored (adapters/http/api_calls.cc StorableReply).

}  // namespace dixian::engine
