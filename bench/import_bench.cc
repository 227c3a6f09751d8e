// Household import: the generated province's households.csv through engine::ImportHouseholds in
// chunks (each chunk all-or-nothing, as POST /api/v1/households/import), several in flight.
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>

#include "bench/bench_common.h"
#include "bench/modes.h"

namespace dixian::bench {

using engine::Engine;
using nlohmann::json;

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  Check(static_cast<bool>(in), "cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Splits a CSV text (header + rows, one row per line) into chunks of `rows` rows, each with the header.
std::vector<std::string> Chunks(const std::string& csv, std::size_t rows) {
  const std::size_t header_end = csv.find('\n') + 1;
  const std::string header = csv.substr(0, header_end);
  std::vector<std::string> out;
  std::size_t pos = header_end;
  while (pos < csv.size()) {
    std::size_t end = pos;
    for (std::size_t n = 0; n < rows && end < csv.size(); ++n) {
      end = csv.find('\n', end);
      end = end == std::string::npos ? csv.size() : end + 1;
    }
    out.push_back(header + csv.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

}  // namespace

// dixian_bench import --db PATH --orgs orgs.csv --households households.csv --chunk N --inflight P
int RunImport(int argc, char** argv) {
  const std::string db = Arg(argc, argv, "db", "bench/out/import.db");
  const std::size_t chunk = static_cast<std::size_t>(IntArg(argc, argv, "chunk", 10000));
  const int inflight = static_cast<int>(IntArg(argc, argv, "inflight", 4));
  World w = OpenWorld(db, true);
  const double o0 = NowSeconds();
  auto orgs = Must(engine::RunNow(*w.engine, &engine::ImportOrgs, w.admin,
                                  {ReadFile(Arg(argc, argv, "orgs", "bench/out/orgs.csv"))}),
                   "import orgs");
  const double org_seconds = NowSeconds() - o0;
  const auto chunks = Chunks(ReadFile(Arg(argc, argv, "households", "bench/out/households.csv")), chunk);

  std::mutex mu;
  std::condition_variable cv;
  int running = 0;
  std::int64_t imported = 0, failed = 0;
  const double t0 = NowSeconds();
  for (const auto& text : chunks) {
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return running < inflight; });
      ++running;
    }
    engine::Write<engine::ImportCount> write{w.admin, [&](engine::Result<engine::Answer<engine::ImportCount>> r) {
      std::lock_guard lock(mu);
      if (r.ok()) {
        imported += r->value->imported;
      } else if (failed++ == 0) {
        std::fprintf(stderr, "bench: chunk failed: %s\n", r.error().message.substr(0, 300).c_str());
      }
      --running;
      cv.notify_all();
    }};
    engine::ImportHouseholds(*w.engine, std::move(write), {text});
  }
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return running == 0; });
  }
  const double seconds = NowSeconds() - t0;
  w.store->Close();
  Emit({{"bench", "import"}, {"households", imported}, {"chunks", chunks.size()}, {"failed_chunks", failed},
        {"seconds", seconds}, {"households_per_s", static_cast<double>(imported) / seconds},
        {"orgs", orgs.imported}, {"org_seconds", org_seconds},
        {"peak_rss_mb", static_cast<double>(ProcStatusKb(0, "VmHWM")) / 1024}});
  return failed ? 1 : 0;
}

}  // namespace dixian::bench
