#pragma once
// The /api/v1 routes of the contract (shared/API.md) on top of the engine facade.
#include <chrono>

#include "adapters/http/auth_throttle.h"
#include "adapters/http/metrics.h"
#include "adapters/http/router.h"
#include "engine/engine.h"

namespace dixian::http {

class ReadPool;

struct ApiOptions {
  // Failed authentications per client address (429 once over); null: not throttled.
  AuthThrottle* throttle = nullptr;
  // Peers whose X-Forwarded-For names the client (a reverse proxy in front), by IP.
  std::vector<std::string> trusted_proxies;
  // Bearer token of GET /metrics besides the admin token (DIXIAN_METRICS_TOKEN); may be empty.
  std::string metrics_token;
  // How long a token's principal may be reused without a store read (adapters/http/auth_cache.h;
  // a revoke, reissue or move in this process voids it at once); 0 disables the cache.
  std::chrono::milliseconds auth_cache_ttl{2000};
};

// Registers every API route, /healthz and /metrics (behind the admin or the metrics token).
// Reads, /metrics and the admin clock run on `pool` (off the io threads); writes go to the
// engine's writer and answer after the commit. engine, metrics and pool must outlive the router.
void AddApiRoutes(Router& router, engine::Engine& engine, Metrics& metrics, ReadPool& pool,
                  ApiOptions options = {});

}  // namespace dixian::http
