#pragma once
// The /api/v1 routes of the contract (shared/API.md) on top of the engine facade.
#include "adapters/http/metrics.h"
#include "adapters/http/router.h"
#include "engine/engine.h"

namespace dixian::http {

// Registers every API route, /healthz and /metrics.
void AddApiRoutes(Router& router, engine::Engine& engine, Metrics& metrics);

}  // namespace dixian::http
