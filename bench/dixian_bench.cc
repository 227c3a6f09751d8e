// In-process benchmarks against the engine and the real SQLite store (docs/benchmarks.md).
//   dixian_bench MODE [--option value ...]      prints JSON lines on stdout
#include <cstring>
#include <iostream>

#include "bench/modes.h"

int main(int argc, char** argv) {
  using namespace dixian::bench;
  struct Mode {
    const char* name;
    int (*run)(int, char**);
  };
  const Mode modes[] = {{"transitions", RunTransitions}, {"http-seed", RunHttpSeed},
                        {"timers-seed", RunTimersSeed},  {"timers-fire", RunTimersFire},
                        {"timers-delay", RunTimersDelay}, {"import", RunImport},
                        {"delivery", RunDelivery},        {"receiver", RunReceiver}};
  if (argc >= 2)
    for (const auto& m : modes)
      if (std::strcmp(argv[1], m.name) == 0) return m.run(argc, argv);
  std::cerr << "usage: dixian_bench MODE [--option value ...]; modes:";
  for (const auto& m : modes) std::cerr << ' ' << m.name;
  std::cerr << std::endl;
  return 2;
}
