// Fuzzes household CSV imports: engine::ParseCsv and CheckCsvHeader, then the real
// Engine::ImportHouseholds (all-or-nothing validation, org checks) on a SQLite store in /dev/shm
// holding a small county. The input is the CSV body as uploaded.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <future>
#include <memory>
#include <string>

#include "adapters/store/sqlite_store.h"
#include "engine/core/csv.h"
#include "engine/engine.h"

using namespace dixian;
using engine::Engine;

namespace {

struct World {
  std::unique_ptr<store::SqliteStore> store;
  std::unique_ptr<engine::ManualClock> clock;
  std::unique_ptr<Engine> engine;
  engine::Principal admin;
};

engine::Result<nlohmann::json> RunSync(Engine& e, void (Engine::*cmd)(Engine::Call, engine::WriteDone), Engine::Call call) {
  std::promise<engine::Result<nlohmann::json>> p;
  (e.*cmd)(std::move(call), [&p](engine::Result<nlohmann::json> r) { p.set_value(std::move(r)); });
  return p.get_future().get();
}

World& Get() {
  static World* w = [] {
    auto* world = new World;
    const std::string dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    const std::string path = dir + "/dixian-fuzz-csv-" + std::to_string(getpid()) + ".db";
    std::remove(path.c_str());
    auto s = store::SqliteStore::Open(path);
    if (!s.ok()) std::abort();
    world->store = std::move(s.value());
    world->clock = std::make_unique<engine::ManualClock>(1772413200);
    auto workflows = engine::WorkflowRegistry::LoadDirectory(std::string(DIXIAN_SOURCE_DIR) + "/workflows");
    auto calendar = engine::WorkCalendar::LoadDirectory(std::string(DIXIAN_SOURCE_DIR) + "/config/calendar");
    if (!workflows.ok() || !calendar.ok()) std::abort();
    world->engine = std::make_unique<Engine>(*world->store, *world->clock, std::move(workflows.value()),
                                             std::move(calendar.value()), engine::EngineOptions{});
    world->admin.user.id = "admin";
    world->admin.user.role = "admin";
    const char* orgs[][4] = {{"P", "省", "province", ""}, {"C", "县", "county", "P"}, {"T1", "乡", "township", "C"},
                             {"V11", "村", "village", "T1"}, {"V12", "村二", "village", "T1"}};
    for (const auto& o : orgs) {
      nlohmann::json body = {{"code", o[0]}, {"name", o[1]}, {"level", o[2]}, {"parent", *o[3] ? nlohmann::json(o[3]) : nullptr}};
      (void)RunSync(*world->engine, &Engine::CreateOrg, {world->admin, body, "", "", "", ""});
    }
    std::remove(path.c_str());  // unlinked: the open connections keep it until exit
    return world;
  }();
  return *w;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto rows = engine::ParseCsv(text);
  if (rows.ok()) (void)engine::CheckCsvHeader(rows.value(), {"id", "village", "head_name", "members", "income_per_capita"});
  World& w = Get();
  (void)RunSync(*w.engine, &Engine::ImportHouseholds, {w.admin, nlohmann::json::object(), "", "", text, ""});
  return 0;
}
