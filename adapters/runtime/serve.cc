#include "adapters/evidence/file_evidence_store.h"
#include "adapters/runtime/serve.h"

#include <cstdlib>
#include <filesystem>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "adapters/chat/app_client.h"
#include "adapters/chat/callbacks.h"
#include "adapters/chat/delivery_worker.h"
#include "adapters/chat/platform.h"
#include "adapters/http/api_routes.h"
#include "adapters/http/read_pool.h"
#include "adapters/http/server.h"
#include "adapters/runtime/chat_callbacks.h"
#include "adapters/runtime/chat_sign_in.h"
#include "adapters/runtime/config.h"
#include "adapters/runtime/demo.h"
#include "adapters/runtime/keys.h"
#include "adapters/runtime/serve_checks.h"
#include "adapters/runtime/notice_outbox.h"
#include "adapters/store/database.h"
#include "engine/core/fields.h"
#include "engine/core/sha256.h"

namespace dixian::runtime {

namespace {

std::shared_ptr<spdlog::logger> Logger(const std::string& name, const std::string& pattern) {
  if (auto existing = spdlog::get(name)) return existing;
  auto logger = spdlog::stderr_logger_mt(name);
  logger->set_pattern(pattern);
  return logger;
}

void AddGauges(http::Metrics& metrics, engine::Engine& engine, store::Database& store,
               chat::DeliveryWorker& delivery) {
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
  metrics.AddCounter("dixian_delivery_record_failures_total",
                     "Writes of delivery outcomes that failed (retried; their messages are not "
                     "sent again meanwhile)",
                     [&c] { return static_cast<double>(c.record_failures.load()); });
}

}  // namespace

engine::ChannelKinds ChatChannelKinds() {
  engine::ChannelKinds kinds;
  kinds.check = [](engine::Channel& channel) { return chat::CheckChannel(channel); };
  kinds.person_platform = [](const std::string& kind) { return chat::PersonPlatform(kind); };
  kinds.im_platforms = chat::ImPlatforms();
  return kinds;
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
  const char* admin_token = std::getenv("DIXIAN_ADMIN_TOKEN");
  const char* metrics_token = std::getenv("DIXIAN_METRICS_TOKEN");
  if (auto why = RefuseToServe(options, host, admin_token ? admin_token : "", metrics_token ? metrics_token : "")) {
    log->error("启动失败：{}", *why);
    return 2;
  }
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
  // The demo may generate its key next to the database (data/ for PostgreSQL); a real
  // installation names one.
  const auto data_dir = store::IsPostgresUri(options.db) ? std::filesystem::path("data")
                                                         : std::filesystem::path(options.db).parent_path();
  const std::string demo_key = options.demo ? (data_dir / "dixian.key").string() : "";
  auto keys = LoadKeys(options.key_file, demo_key);
  if (!keys.ok()) {
    log->error("启动失败：{}", keys.error().message);
    return 2;
  }
  if (keys.value().generated) log->warn("已为示范环境生成主密钥文件 {}（权限 0600） (generated a demo key)", demo_key);
  store::DatabaseOptions store_options;
  store_options.keys = keys.value().ring;
  store_options.channel_lease_ms = static_cast<std::int64_t>(options.channel_lease_seconds) * 1000;
  auto store = store::OpenDatabase(options.db, store_options);
  if (!store.ok()) {
    log->error("无法打开数据库 {}: {}", store::DescribeDatabase(options.db), store.error().message);
    return store::OpenFailureExitCode(store.error());
  }
  chat::DeliveryOptions dopts;
  try {
    dopts.templates = chat::Templates::Load(paths.config_dir + "/templates.json");
  } catch (const std::exception& e) {
    log->error("启动失败：消息模板无效 {}", e.what());
    return 2;
  }
  dopts.logger = Logger("delivery", "%Y-%m-%dT%H:%M:%S%z [%l] [delivery] %v");
  chat::SystemWallClock wall;
  // One io loop and the app channels' tokens, shared by delivery and the callbacks of presses.
  chat::AppClient apps(wall, dopts.timeouts, dopts.logger);
  // Sign-in from the chat apps (免登): the platform vouches for the person behind a code.
  ChatSignIn sign_in(*store.value(), *store.value(), apps);
  engine::EngineOptions eopts;
  eopts.admin_token = admin_token ? admin_token : "";
  eopts.keys = keys.value().ring;
  // Attachments' bytes: SQLite: files in --evidence-dir, else beside the database file.
  // PostgreSQL: large objects in the database itself (no shared folder between nodes); files of
  // an older release (--evidence-dir, else data/dixian.db.evidence) are still read if present.
  std::error_code ec;
  const bool pg = store::IsPostgresUri(options.db);
  if (pg) std::filesystem::create_directories(data_dir, ec);  // data/: the demo's tokens
  std::string evidence_dir = options.evidence_dir;
  if (evidence_dir.empty())
    evidence_dir = evidence::FileEvidenceStore::DirFor(pg ? (data_dir / "dixian.db").string() : options.db);
  eopts.evidence_in_store = pg;
  if (!pg || std::filesystem::is_directory(evidence_dir, ec))
    eopts.evidence = std::make_shared<evidence::FileEvidenceStore>(evidence_dir);
  eopts.thresholds = config.thresholds;
  eopts.digest_hour = config.digest_hour;
  eopts.weekly_report_hour = config.weekly_report_hour;
  eopts.console_base_url = options.console_base_url.empty()
                               ? (options.tls_cert.empty() ? "http://" : "https://") + options.listen
                               : options.console_base_url;
  eopts.channel_kinds = ChatChannelKinds();
  // Console sessions outlive a restart while the master key stays (rotating it ends them all).
  {
    const auto& ring = *keys.value().ring;
    eopts.session_key =
        engine::Sha256Hex("dixian console sessions v1\n" + ring.AuditKey(ring.current_id()));
  }
  eopts.sign_in = [&sign_in](const std::string& channel, const std::string& code,
                             std::function<void(engine::Result<std::string>)> answer) {
    sign_in.SignIn(channel, code, std::move(answer));
  };
  dopts.templates.console_base_url = eopts.console_base_url;
  if (eopts.admin_token.empty()) log->warn("未设置 DIXIAN_ADMIN_TOKEN：管理接口不可用 (no admin token set)");
  engine::Engine engine(*store.value(), *clock, std::move(config.workflows), std::move(config.calendar), eopts);

  ResolvingOutbox outbox(*store.value(), *store.value(), engine.workflows(), eopts.console_base_url);
  chat::DeliveryWorker delivery(outbox, wall, dopts, &apps);
  engine.OnOutbox([&delivery] { delivery.Wake(); });
  chat::CallbackDesk callbacks(outbox, apps, EnginePressHandler(engine), dopts.logger);

  if (options.demo) {
    const auto tokens = (data_dir / "demo-tokens.txt").string();
    if (auto st = LoadDemoCounty(engine, tokens); !st.ok()) log->warn("示范县数据未加载: {}", st.error().message);
  }

  http::Metrics metrics;
  store.value()->OnBatch([&metrics](std::size_t n) { metrics.ObserveCommitBatch(n); });
  AddGauges(metrics, engine, *store.value(), delivery);
  http::ReadPool reads;
  http::Router router;
  http::AuthThrottle throttle;  // 10 refused tokens per address per minute, then 429
  http::ApiOptions api_options;
  api_options.throttle = &throttle;
  api_options.trusted_proxies = options.trusted_proxies;
  api_options.metrics_token = metrics_token ? metrics_token : "";
  http::AddApiRoutes(router, engine, metrics, reads, api_options);
  AddCallbackRoutes(router, callbacks);
  metrics.AddCounter("dixian_chat_callbacks_refused_total",
                     "Chat callbacks refused (signature, decryption or replay window)",
                     [&callbacks] { return static_cast<double>(callbacks.refused()); });
  http::ServerOptions sopts;
  sopts.host = host;
  sopts.port = port;
  sopts.threads = options.threads;
  sopts.static_dir = paths.web_dir;
  sopts.tls_cert_file = options.tls_cert;
  sopts.tls_key_file = options.tls_key;
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
  log->info("dixian {} 已启动 listening on {}:{} ({}) 数据库 {}{}", DIXIAN_VERSION, host, bound,
            options.tls_cert.empty() ? "http" : "https", store::DescribeDatabase(options.db),
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
