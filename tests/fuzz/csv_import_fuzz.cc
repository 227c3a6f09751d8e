// Fuzzes household CSV imports: engine::ParseCsv and CheckCsvHeader, then the real
// engine::ImportHouseholds (all-or-nothing validation, org checks) on a SQLite store in /dev/shm
// holding a small county. The input is the CSV body as uploaded.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "adapters/store/sqlite/sqlite_store.h"
#include "engine/commands/admin.h"
#include "engine/commands/households.h"
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

World& Get() {
  static World* w = [] {
    auto* world = new World;
    const std::string dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    const std::string path = dir + "/dixian-fuzz-csv-" + std::to_string(getpid()) + ".db";
    std::remove(path.c_str());
    auto ring = engine::NewKeyRing();
    if (!ring.ok()) std::abort();
    auto keys = std::make_shared<const engine::KeyRing>(std::move(ring.value()));
    store::SqliteOptions store_options;
    store_options.keys = keys;
    auto s = store::SqliteStore::Open(path, store_options);
    if (!s.ok()) std::abort();
    world->store = std::move(s.value());
    world->clock = std::make_unique<engine::ManualClock>(1772413200);
    auto workflows = engine::WorkflowRegistry::LoadDirectory(std::string(DIXIAN_SOURCE_DIR) + "/workflows");
    auto calendar = engine::WorkCalendar::LoadDirectory(std::string(DIXIAN_SOURCE_DIR) + "/config/calendar");
    if (!workflows.ok() || !calendar.ok()) std::abort();
    engine::EngineOptions options;
    options.keys = keys;
    world->engine = std::make_unique<Engine>(*world->store, *world->clock, std::move(workflows.value()),
                                             std::move(calendar.value()), options);
    world->admin.user.id = "admin";
    world->admin.user.role = engine::Role::kAdmin;
    const char* orgs[][4] = {{"P", "省", "province", ""}, {"C", "县", "county", "P"}, {"T1", "乡", "township", "C"},
                             {"V11", "村", "village", "T1"}, {"V12", "村二", "village", "T1"}};
    for (const auto& o : orgs) (void)engine::RunNow(*world->engine, &engine::CreateOrg, world->admin, {o[0], o[1], o[2], o[3]});
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
  (void)engine::RunNow(*w.engine, &engine::ImportHouseholds, w.admin, {text});
  return 0;
}
