#pragma once
// The synthetic province as a database, for the timer, idle-CPU, RSS and report benchmarks
// (bench/province_seed.cc says what is in it).
#include <cstdint>
#include <map>
#include <string>

#include "bench/bench_common.h"

namespace dixian::bench {

struct ProvinceSpec {
  std::uint64_t seed = 20260101;
  std::int64_t households = 1'000'000;
  std::int64_t open_cases = 1'000'000;  // as far as the households allow (one case each)
  std::int64_t open_tasks = 1'000'000;
  std::int64_t due = 10'000;  // open tasks whose next timer is at ProvinceFigures::due_at
  // The report benchmark's data: admissions over the past year, measures, monthly visits,
  // movements, and every 10th task overdue (due in the past, no timer left).
  bool report_data = false;
};

struct ProvinceFigures {
  engine::Instant due_at = 0;
  std::int64_t households = 0, monitored = 0, cases = 0, open_cases = 0, open_tasks = 0, due = 0;
  std::int64_t overdue = 0, measures = 0, visits = 0, movements = 0;
  std::map<std::string, std::int64_t> states;  // "workflow.state" -> cases
};

// Needs SeedOrgChain first (the province and the chain's users and channel).
ProvinceFigures SeedProvince(World& w, const ProvinceSpec& spec);

}  // namespace dixian::bench
