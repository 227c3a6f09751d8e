// Storage faults at system level: the real HTTP stack (router, API routes, engine, SQLite store)
// in this process, on a database that fills up (SqliteOptions::max_pages, behaves as SQLITE_FULL)
// or is opened read-only. Writes get a clear 503, reads are still served, and the file stays
// intact with every acknowledged write in it.
#include <set>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include "adapters/http/api_routes.h"
#include "adapters/http/read_pool.h"
#include "adapters/http/server.h"
#include "adapters/runtime/config.h"
#include "adapters/store/sqlite/sqlite_store.h"
#include "tests/reliability/reliability_util.h"
#include "tests/support/temp_dir.h"

namespace dixian::reliability {
namespace {

using test_support::HttpClient;

constexpr const char* kAdminToken = "faults-admin-token";

// Store + engine + HTTP server on 127.0.0.1:0, all in this process.
class Stack {
 public:
  Stack(const std::string& db, store::SqliteOptions options) {
    static const auto keys = std::make_shared<const engine::KeyRing>(engine::NewKeyRing().value());
    options.keys = keys;
    auto s = store::SqliteStore::Open(db, options);
    if (!s.ok()) {
      ADD_FAILURE() << s.error().message;
      return;
    }
    store_ = std::move(s.value());
    auto config = runtime::LoadConfig(runtime::ResolvePaths(std::string(DIXIAN_SOURCE_DIR) + "/config"));
    engine::EngineOptions eo;
    eo.admin_token = kAdminToken;
    eo.keys = keys;
    engine_ = std::make_unique<engine::Engine>(*store_, clock_, std::move(config.workflows), std::move(config.calendar), eo);
    http::AddApiRoutes(router_, *engine_, metrics_, *reads_);
    http::ServerOptions so;
    so.port = 0;
    so.threads = 2;
    auto quiet = std::make_shared<spdlog::logger>("faults", std::make_shared<spdlog::sinks::null_sink_mt>());
    so.error_log = quiet;
    server_ = std::make_unique<http::Server>(so, router_, metrics_, quiet);
    port_ = server_->Start();
  }
  ~Stack() {
    if (server_) server_->Stop();
    reads_.reset();  // finishes the reads in flight before the engine goes
    engine_.reset();
    if (store_) store_->Close();
  }
  std::unique_ptr<HttpClient> Client(const std::string& token = kAdminToken) {
    auto c = std::make_unique<HttpClient>(port_);
    c->SetBearer(token);
    return c;
  }
  bool ok() const { return port_ != 0; }
  unsigned short port() const { return port_; }

 private:
  engine::ManualClock clock_{1772413200};
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<http::ReadPool> reads_ = std::make_unique<http::ReadPool>();
  http::Router router_;
  http::Metrics metrics_;
  std::unique_ptr<http::Server> server_;
  unsigned short port_ = 0;
};

Json Household(const std::string& id) {
  return {{"id", id}, {"village", "V11"}, {"head_name", "户主" + id}, {"members", 3}, {"income_per_capita", 4000}};
}

TEST(StorageFaults, FullDiskRefusesWritesServesReadsKeepsFile) {
  if (testing::OnPostgres()) GTEST_SKIP() << "SQLite only (files, backups)";
  testing::TempDir dir;
  const std::string db = dir.File("full.db");
  County county;
  std::set<std::string> acked;
  {
    Stack stack(db, {});
    ASSERT_TRUE(stack.ok());
    ASSERT_TRUE(SeedCountyAt(stack.port(), kAdminToken, &county));
  }
  const auto pages = std::stoll(Scalar(db, "PRAGMA page_count"));
  store::SqliteOptions options;
  options.max_pages = pages + 8;  // room for a few households, then "disk full"
  Stack stack(db, options);
  ASSERT_TRUE(stack.ok());
  auto clerk = stack.Client(county.tokens.at("clerk_V11"));
  int refused = 0;
  for (int i = 0; i < 2000 && refused < 3; ++i) {
    Json body = Household("full-" + std::to_string(i));
    body["head_name"] = std::string(100, 'x');  // fill pages quickly
    auto a = Call(*clerk, "POST", "/api/v1/households", body);
    if (a.status == 201) {
      acked.insert(body["id"].get<std::string>());
      continue;
    }
    ASSERT_EQ(a.status, 503) << a.raw;
    EXPECT_FALSE(a.body["error"].value("message", "").empty()) << a.raw;
    EXPECT_FALSE(a.body["error"].value("code", "").empty()) << a.raw;
    ++refused;
  }
  ASSERT_EQ(refused, 3) << "the page cap was never reached";
  // Reads still work, also of what was written before the disk filled.
  for (const auto& id : acked) EXPECT_EQ(Call(*clerk, "GET", "/api/v1/households/" + id).status, 200) << id;
  EXPECT_EQ(Call(*clerk, "GET", "/api/v1/me").status, 200);
  EXPECT_EQ(Call(*stack.Client(), "GET", "/api/v1/audit/verify").body.value("ok", false), true);
  // The refused writes left no half state, and the file is intact.
  EXPECT_TRUE(store::SqliteStore::IntegrityCheck(db).ok());
  EXPECT_EQ(Scalar(db, "SELECT count(*) FROM households WHERE id LIKE 'full-%'"), std::to_string(acked.size()));
}

TEST(StorageFaults, ReadOnlyDatabaseRefusesWritesServesReads) {
  if (testing::OnPostgres()) GTEST_SKIP() << "SQLite only (files, backups)";
  testing::TempDir dir;
  const std::string db = dir.File("ro.db");
  County county;
  {
    Stack stack(db, {});
    ASSERT_TRUE(stack.ok());
    ASSERT_TRUE(SeedCountyAt(stack.port(), kAdminToken, &county));
    ASSERT_EQ(Call(*stack.Client(county.tokens.at("clerk_V11")), "POST", "/api/v1/households", Household("ro-1")).status, 201);
  }
  const std::string before = Scalar(db, "SELECT count(*) FROM audit") + "/" + Scalar(db, "SELECT count(*) FROM households");
  store::SqliteOptions options;
  options.read_only = true;
  Stack stack(db, options);
  ASSERT_TRUE(stack.ok());
  auto clerk = stack.Client(county.tokens.at("clerk_V11"));
  auto a = Call(*clerk, "POST", "/api/v1/households", Household("ro-2"));
  EXPECT_EQ(a.status, 503) << a.raw;
  EXPECT_FALSE(a.body["error"].value("message", "").empty()) << a.raw;
  a = Call(*stack.Client(), "POST", "/api/v1/orgs", {{"code", "V99"}, {"name", "新村"}, {"level", "village"}, {"parent", "T1"}});
  EXPECT_EQ(a.status, 503) << a.raw;
  EXPECT_EQ(Call(*clerk, "GET", "/api/v1/households/ro-1").status, 200);
  EXPECT_EQ(Call(*clerk, "GET", "/api/v1/households/ro-1/tasks").status, 200);
  EXPECT_EQ(Call(*stack.Client(), "GET", "/api/v1/reports/monitoring?org=C").status, 200);
  EXPECT_TRUE(store::SqliteStore::IntegrityCheck(db).ok());
  EXPECT_EQ(Scalar(db, "SELECT count(*) FROM audit") + "/" + Scalar(db, "SELECT count(*) FROM households"), before);
}

}  // namespace
}  // namespace dixian::reliability
