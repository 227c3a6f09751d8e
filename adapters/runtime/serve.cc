#include "adapters/runtime/serve.h"

#include <cstdlib>
#include <filesystem>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "adapters/http/api_routes.h"
#include "adapters/http/read_pool.h"
#include "adapters/http/server.h"
#include "adapters/runtime/config.h"
#include "adapters/runtime/demo.h"
#include "adapters/runtime/notice_outbox.h"
#include "adapters/store/database.h"
#include "adapters/webhook/delivery_worker.h"
#include "adapters/webhook/platform.h"
#include "engine/core/fields.h"

namespace dixian::runtime {

namespace {

std::shared_ptr<spdlog::logger> Logger(const std::string& name, const std::string& pattern) {
  if (auto existing = spdlog::get(name)) return existing;
  auto logger = spdlog::stderr_logger_mt(name);
  logger->set_pattern(pattern);
  return logger;
}

void AddGauges(http::Metrics& metrics, engine::Engine& engine, store::Database& store,
               webhook::DeliveryWorker& delivery) {
  metrics.AddGauge("dixian_open_tasks", "Open tasks", [&store] { return static_cast<double>(store.Read()->CountOpenTasks()); });
  metrics.AddGauge("dixian_overdue_tasks", "Open tasks past their due time", [&store, &engine] {
    return static_cast<double>(store.Read()->CountOverdueTasks(engine.clock().Now()));
  });
  metrics.AddGauge("dixian_outbox_pending", "Outbox messages not yet delivered",
                   [&store] { return static_cast<double>(store.PendingCount()); });
  const auto& c = delivery.counters();
  metrics.AddCounter("dixian_delivery_delivered_total", "Messages delivered", [&c] { return static_cast<double>(c.total.delivered.load()); });
  metrics.AddCounter("dixian_delivery_retried_total", "Delivery attempts that will be retried", [&c] { return static_cast<double>(c.total.retried.load()); });
  metrics.AddCounter("dixian_delivery_failures_total", "Messages moved to the dead-letter list", [&c] { return static_cast<double>(c.total.dead.load()); });
}

}  // namespace

engine::Status CheckChannelKind(const std::string& kind) {
  if (webhook::IsKnownKind(kind)) return engine::OkStatus();
  return engine::InvalidField("kind", "不支持的通道类型 \"" + kind + "\"");
}

int Serve(const ServeOptions& options) {
  auto log = Logger("dixian", "%Y-%m-%dT%H:%M:%S%z [%l] %v");
  const Paths paths = ResolvePaths(options.config);
  LoadedConfig config;
  try {
    config = LoadConfig(paths);
  } catch (const std::exception& e) {
    log->error("启动失败：配置无效 (invalid configuration): {}", e.what());
    return 2;
  }
  const auto [host, port] = ParseListen(options.listen);
  std::unique_ptr<engine::Clock> clock;
  if (options.fake_clock) {
    auto start = engine::ParseRfc3339(*options.fake_clock);
    if (!start) {
      log->error("--fake-clock 需要 RFC 3339 时间，例如 2026-03-02T09:00:00+08:00 (got {})", *options.fake_clock);
      return 2;
    }
    clock = std::make_unique<engine::ManualClock>(*start);
  } else {
    clock = std::make_unique<engine::SystemClock>();
  }
  auto store = store::OpenDatabase(options.db);
  if (!store.ok()) {
    log->error("无法打开数据库 {}: {}", store::DescribeDatabase(options.db), store.error().message);
    return store::OpenFailureExitCode(store.error());
  }
  const char* admin_token = std::getenv("DIXIAN_ADMIN_TOKEN");
  engine::EngineOptions eopts;
  eopts.admin_token = admin_token ? admin_token : "";
  eopts.thresholds = config.thresholds;
  eopts.console_base_url = options.console_base_url.empty() ? "http://" + options.listen : options.console_base_url;
  eopts.check_channel_kind = CheckChannelKind;
  if (eopts.admin_token.empty()) log->warn("未设置 DIXIAN_ADMIN_TOKEN：管理接口不可用 (no admin token set)");
  engine::Engine engine(*store.value(), *clock, std::move(config.workflows), std::move(config.calendar), eopts);

  webhook::DeliveryOptions dopts;
  try {
    dopts.templates = webhook::Templates::Load(paths.config_dir + "/templates.json");
  } catch (const std::exception& e) {
    log->error("启动失败：消息模板无效 {}", e.what());
    return 2;
  }
  dopts.templates.console_base_url = eopts.console_base_url;
  dopts.logger = Logger("delivery", "%Y-%m-%dT%H:%M:%S%z [%l] [delivery] %v");
  webhook::SystemWallClock wall;
  ResolvingOutbox outbox(*store.value(), *store.value(), engine.workflows(), eopts.console_base_url);
  webhook::DeliveryWorker delivery(outbox, wall, dopts);
  engine.OnOutbox([&delivery] { delivery.Wake(); });

  if (options.demo) {
    const auto dir = store::IsPostgresUri(options.db) ? std::filesystem::path("data")
                                                       : std::filesystem::path(options.db).parent_path();
    const auto tokens = (dir / "demo-tokens.txt").string();
    if (auto st = LoadDemoCounty(engine, tokens); !st.ok()) log->warn("示范县数据未加载: {}", st.error().message);
  }

  http::Metrics metrics;
  store.value()->OnBatch([&metrics](std::size_t n) { metrics.ObserveCommitBatch(n); });
  AddGauges(metrics, engine, *store.value(), delivery);
  http::ReadPool reads;
  http::Router router;
  http::AddApiRoutes(router, engine, metrics, reads);
  http::ServerOptions sopts;
  sopts.host = host;
  sopts.port = port;
  sopts.threads = options.threads;
  sopts.static_dir = paths.web_dir;
  sopts.error_log = log;
  http::Server server(sopts, router, metrics, Logger("access", "%v"));
  unsigned short bound = 0;
  try {
    bound = server.Start();
  } catch (const std::exception& e) {
    log->error("无法监听 {}: {}", options.listen, e.what());
    return 1;
  }
  delivery.Start();
  engine.StartScheduler();
  if (clock->IsManual()) (void)engine.RunDue();  // timers that came due while down fire once now
  log->info("dixian {} 已启动 listening on {}:{} 数据库 {}{}", DIXIAN_VERSION, host, bound,
            store::DescribeDatabase(options.db),
            clock->IsManual() ? "（测试时钟 " + engine::FormatRfc3339(clock->Now()) + "）" : "");
  server.WaitForSignal();
  log->info("正在停止：已停止接收请求，正在完成进行中的请求并写入数据库");
  engine.StopScheduler();
  delivery.Stop();
  store.value()->Close();
  log->info("已停止 (stopped cleanly)");
  return 0;
}

}  // namespace dixian::runtime
