#pragma once
// The subcommands of bench/dixian_bench (one per benchmark; each prints JSON lines on stdout).
namespace dixian::bench {

int RunTransitions(int argc, char** argv);  // engine_bench.cc
int RunHttpSeed(int argc, char** argv);     // engine_bench.cc
int RunTimersSeed(int argc, char** argv);   // timers_bench.cc
int RunTimersFire(int argc, char** argv);   // timers_bench.cc
int RunTimersDelay(int argc, char** argv);  // timers_bench.cc
int RunImport(int argc, char** argv);       // import_bench.cc
int RunDelivery(int argc, char** argv);     // delivery_bench.cc
int RunReceiver(int argc, char** argv);     // delivery_bench.cc

}  // namespace dixian::bench
