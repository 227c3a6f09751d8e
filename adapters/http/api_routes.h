#pragma once
// The /api/v1 routes of the contract (shared/API.md) on top of the engine facade.
#include "adapters/http/metrics.h"
#include "adapters/http/router.h"
#include "engine/engine.h"

namespace dixian::http {

class ReadPool;

// Registers every API route, /healthz and /metrics. Reads, /metrics and the admin clock run on
// `pool` (off the io threads); writes go to the engine's writer and answer after the commit.
// engine, metrics and pool must outlive the router's use.
void AddApiRoutes(Router& router, engine::Engine& engine, Metrics& metrics, ReadPool& pool);

}  // namespace dixian::http
