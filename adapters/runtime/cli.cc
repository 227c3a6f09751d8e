#include "adapters/runtime/cli.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "adapters/evidence/file_evidence_store.h"
#include "adapters/runtime/config.h"
#include "adapters/runtime/keys.h"
#include "adapters/runtime/serve.h"
#include "adapters/store/copy_database.h"
#include "adapters/store/database.h"
#include "adapters/store/sqlite/sqlite_store.h"
#include "adapters/chat/delivery_worker.h"
#include "engine/core/csv.h"
#include "adapters/http/json_views.h"
#include "engine/commands/reports.h"
#include "engine/engine.h"

namespace dixian::runtime {

namespace {

constexpr const char* kUsage = R"(dixian — 防止返贫动态监测和帮扶工作流引擎 (monitoring-and-assistance workflow engine)

Usage:
  dixian serve [--db PATH] [--listen HOST:PORT] [--config DIR] [--fake-clock RFC3339] [--demo]
               [--threads N] [--console-url URL] [--key-file FILE] [--evidence-dir DIR]
               [--tls-cert PEM --tls-key PEM | --insecure-http] [--trusted-proxy IP,...]
               [--channel-lease-seconds N]   (PostgreSQL, several nodes: default 15)
  dixian workflow validate FILE...
  dixian workflow graph NAME [--format mermaid|dot] [--config DIR]
  dixian audit verify [--checkpoint FILE|LINE] [--db PATH]
  dixian audit checkpoint [--db PATH]
  dixian audit mark-legacy [--db PATH]
  dixian keys generate FILE
  dixian keys rotate --key-file FILE
  dixian keys reencrypt [--seal-plaintext] [--db PATH]
  dixian migrate --from FILE.db --to postgresql://USER@HOST:PORT/DB [--config DIR] [--key-file FILE]
                 [--evidence-dir DIR]   (attachments' files, default FILE.db.evidence/: copied
                                         into large objects, each SHA-256 checked)
  dixian report monitoring|overdue --org CODE [--db PATH] [--csv] [--config DIR]
  dixian backup DEST [--db PATH]        (DEST.evidence/ beside it: the attachments' files)
  dixian restore BACKUP [--db PATH]     (server stopped; verifies every file's SHA-256 first)
  dixian channel test CHANNEL_ID [--db PATH] [--config DIR]
  dixian outbox list [--db PATH]
  dixian outbox retry [ID...] [--db PATH]
  dixian --version | --help

--db takes an SQLite file path or a PostgreSQL URI (postgresql://...).
Exit codes: 0 ok, 1 failed, 2 bad usage, 3 the database server cannot be reached.
Defaults: --db data/dixian.db, --listen 127.0.0.1:8080, --config the shipped config/.
The admin token comes from DIXIAN_ADMIN_TOKEN (at least 32 characters). Every command that opens
the database needs the master key: --key-file FILE, or DIXIAN_KEY_FILE / DIXIAN_MASTER_KEY
(docs/security.md).
)";

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> flags;
};

// Parses --flag VALUE and boolean flags; unknown flags are a usage error.
bool Parse(int argc, char** argv, int start, const std::set<std::string>& with_value,
           const std::set<std::string>& booleans, Args* out) {
  for (int i = start; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0) {
      out->positional.push_back(a);
      continue;
    }
    std::string value;
    if (auto eq = a.find('='); eq != std::string::npos) {
      value = a.substr(eq + 1);
      a.resize(eq);
    }
    if (booleans.count(a)) {
      out->flags[a] = "1";
    } else if (with_value.count(a)) {
      if (value.empty()) {
        if (i + 1 >= argc) {
          std::fprintf(stderr, "dixian: %s 需要一个值 (needs a value)\n", a.c_str());
          return false;
        }
        value = argv[++i];
      }
      out->flags[a] = value;
    } else {
      std::fprintf(stderr, "dixian: 未知参数 %s (unknown flag). 运行 dixian --help 查看用法\n", a.c_str());
      return false;
    }
  }
  return true;
}

std::string Flag(const Args& a, const std::string& name, const std::string& fallback = "") {
  auto it = a.flags.find(name);
  return it == a.flags.end() ? fallback : it->second;
}

engine::Principal CliAdmin() {
  engine::Principal p;
  p.user.id = "cli";
  p.user.name = "命令行管理员";
  p.user.role = engine::Role::kAdmin;
  return p;
}

std::shared_ptr<const engine::KeyRing> MasterKeys(const Args& a) {
  auto keys = LoadKeys(Flag(a, "--key-file"));
  if (!keys.ok()) {
    std::fprintf(stderr, "%s\n", keys.error().message.c_str());
    return nullptr;
  }
  return keys.value().ring;
}

// The store --db names; on failure a message and, in `exit_code`, the process's exit code.
std::unique_ptr<store::Database> OpenDb(const Args& a, int* exit_code) {
  const std::string db = Flag(a, "--db", "data/dixian.db");
  store::DatabaseOptions options;
  options.keys = MasterKeys(a);
  if (!options.keys) return nullptr;
  auto s = store::OpenDatabase(db, options);
  if (!s.ok()) {
    std::fprintf(stderr, "无法打开数据库 %s: %s\n", store::DescribeDatabase(db).c_str(),
                 s.error().message.c_str());
    *exit_code = store::OpenFailureExitCode(s.error());
    return nullptr;
  }
  return std::move(s.value());
}

// The attachments the snapshot's rows name, copied beside it and verified on the way (rows are
// written only after their files, so every file a row of the snapshot names exists).
int BackupEvidence(const std::string& db_path, const std::string& dest) {
  auto digests = store::SqliteStore::EvidenceDigests(dest);
  if (!digests.ok()) return std::fprintf(stderr, "备份失败: %s\n", digests.error().message.c_str()), 1;
  const std::string from = evidence::FileEvidenceStore::DirFor(db_path);
  const std::string to = evidence::FileEvidenceStore::DirFor(dest);
  if (auto st = evidence::CopyEvidence(from, to, digests.value()); !st.ok())
    return std::fprintf(stderr, "备份佐证材料失败: %s\n", st.error().message.c_str()), 1;
  return std::printf("已备份到 %s（完整性校验通过），佐证材料 %zu 个文件在 %s（SHA-256 校验通过）\n",
                     dest.c_str(), digests.value().size(), to.c_str()),
         0;
}

// Copies a file to `to` through a temporary name, fsync and rename.
engine::Status CopyDurably(const std::string& from, const std::string& to) {
  const std::string tmp = to + ".restore-tmp";
  std::error_code ec;
  std::filesystem::copy_file(from, tmp, std::filesystem::copy_options::overwrite_existing, ec);
  if (ec) return engine::Error::Internal("无法复制 " + from + "：" + ec.message());
  const int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
  const bool synced = fd >= 0 && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  if (!synced || ::rename(tmp.c_str(), to.c_str()) != 0)
    return engine::Error::Internal("无法写入 " + to);
  return engine::OkStatus();
}

// Refuses (naming the file) unless the backup passes integrity_check and every attachment its
// rows name is there with its SHA-256; then puts the files beside `db_path` and the database in
// its place (the server must be stopped: docs/reliability.md).
int Restore(const std::string& backup, const std::string& db_path) {
  if (auto st = store::SqliteStore::IntegrityCheck(backup); !st.ok())
    return std::fprintf(stderr, "恢复失败：备份文件 %s 校验未通过: %s\n", backup.c_str(), st.error().message.c_str()), 1;
  auto digests = store::SqliteStore::EvidenceDigests(backup);
  if (!digests.ok()) return std::fprintf(stderr, "恢复失败: %s\n", digests.error().message.c_str()), 1;
  const std::string from = evidence::FileEvidenceStore::DirFor(backup);
  if (auto st = evidence::VerifyEvidence(from, digests.value()); !st.ok())
    return std::fprintf(stderr, "恢复失败，未做任何改动: %s\n", st.error().message.c_str()), 1;
  if (auto st = evidence::CopyEvidence(from, evidence::FileEvidenceStore::DirFor(db_path), digests.value());
      !st.ok())
    return std::fprintf(stderr, "恢复佐证材料失败: %s\n", st.error().message.c_str()), 1;
  std::error_code ec;  // the old database's log must not be replayed onto the restored file
  for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(db_path + suffix, ec);
  if (auto st = CopyDurably(backup, db_path); !st.ok())
    return std::fprintf(stderr, "恢复失败: %s\n", st.error().message.c_str()), 1;
  return std::printf("已从 %s 恢复到 %s，佐证材料 %zu 个文件 SHA-256 校验通过\n", backup.c_str(),
                     db_path.c_str(), digests.value().size()),
         0;
}

int Workflow(const Args& a) {
  if (a.positional.size() >= 2 && a.positional[0] == "validate") {
    int bad = 0;
    for (size_t i = 1; i < a.positional.size(); ++i) {
      auto def = engine::LoadWorkflowFile(a.positional[i]);
      if (def.ok()) std::printf("%s: ok (%s v%d, %zu states, %zu tasks)\n", a.positional[i].c_str(),
                                def.value()->name.c_str(), def.value()->version, def.value()->states.size(),
                                def.value()->tasks.size());
      else std::fprintf(stderr, "%s\n", def.error().message.c_str()), ++bad;
    }
    return bad ? 1 : 0;
  }
  if (a.positional.size() == 2 && a.positional[0] == "graph") {
    const auto paths = ResolvePaths(Flag(a, "--config"));
    auto reg = engine::WorkflowRegistry::LoadDirectory(paths.workflows_dir);
    if (!reg.ok()) return std::fprintf(stderr, "%s\n", reg.error().message.c_str()), 1;
    auto def = reg.value().Latest(a.positional[1]);
    if (!def) return std::fprintf(stderr, "未知的业务流程 (unknown workflow): %s\n", a.positional[1].c_str()), 1;
    auto g = engine::RenderGraph(*def, Flag(a, "--format", "mermaid"));
    if (!g.ok()) return std::fprintf(stderr, "%s\n", g.error().message.c_str()), 2;
    std::fputs(g.value().c_str(), stdout);
    return 0;
  }
  std::fputs("用法: dixian workflow validate FILE... | dixian workflow graph NAME [--format mermaid|dot]\n", stderr);
  return 2;
}

// Commands that need the engine on an existing database.
int WithEngine(const Args& a, const std::function<int(engine::Engine&, store::Database&)>& body) {
  int open_failed = 1;
  auto db = OpenDb(a, &open_failed);
  if (!db) return open_failed;
  LoadedConfig config;
  try {
    config = LoadConfig(ResolvePaths(Flag(a, "--config")));
  } catch (const std::exception& e) {
    return std::fprintf(stderr, "%s\n", e.what()), 1;
  }
  engine::SystemClock clock;
  engine::EngineOptions options;
  options.keys = MasterKeys(a);
  engine::Engine engine(*db, clock, std::move(config.workflows), std::move(config.calendar), options);
  return body(engine, *db);
}

// Copies an SQLite file into an empty PostgreSQL database, then verifies the copy's audit chain.
int Migrate(const Args& a) {
  const std::string from = Flag(a, "--from"), to = Flag(a, "--to");
  auto keys = MasterKeys(a);
  if (!keys) return 1;
  // Attachments' files (beside the file, or --evidence-dir) become large objects in the copy.
  const std::string dir = a.flags.count("--evidence-dir")
                              ? Flag(a, "--evidence-dir")
                              : evidence::FileEvidenceStore::DirFor(from);
  evidence::FileEvidenceStore files(dir);
  auto read_file = [&files](const std::string& sha256) -> engine::Result<std::string> {
    auto bytes = files.Open(sha256);
    if (!bytes.ok())
      return engine::Error::Internal("佐证材料文件缺失或已损坏（SHA-256 不符）：" + files.PathOf(sha256));
    return bytes;
  };
  auto copied = store::CopySqliteToPostgres(from, to, keys, read_file);
  if (!copied.ok()) {
    std::fprintf(stderr, "迁移失败（%s -> %s）：%s\n", from.c_str(), store::DescribeDatabase(to).c_str(),
                 copied.error().message.c_str());
    return store::OpenFailureExitCode(copied.error());
  }
  for (const auto& t : copied.value())
    std::printf("%-16s %lld\n", t.name.c_str(), static_cast<long long>(t.rows));
  Args verify = a;
  verify.flags["--db"] = to;
  return WithEngine(verify, [&](engine::Engine& engine, store::Database&) {
    auto r = engine::VerifyAudit(engine, CliAdmin());
    if (!r.ok()) return std::fprintf(stderr, "%s\n", r.error().message.c_str()), 1;
    if (!r->ok) return std::fprintf(stderr, "副本的审计链校验未通过：%s\n", http::ToJson(r.value()).dump().c_str()), 1;
    std::printf("已迁移到 %s，审计链校验通过（%lld 条）\n", store::DescribeDatabase(to).c_str(),
                static_cast<long long>(r->events));
    return 0;
  });
}

// The checkpoint given to `audit verify --checkpoint`: the line itself or a file holding it.
std::string CheckpointArg(const std::string& value) {
  if (value.rfind("dixian-audit-checkpoint", 0) == 0) return value;
  std::ifstream in(value);
  std::string line;
  std::getline(in, line);
  return line.empty() ? value : line;
}

int Audit(const Args& a) {
  const std::string sub = a.positional.size() == 1 ? a.positional[0] : "";
  if (sub == "mark-legacy") {
    int open_failed = 1;
    auto db = OpenDb(a, &open_failed);
    if (!db) return open_failed;
    if (auto st = db->MarkAuditLegacy(); !st.ok()) return std::fprintf(stderr, "%s\n", st.error().message.c_str()), 1;
    return std::puts("已记录审计链切换点：此前的记录按旧版 SHA-256 链校验 (switch-over point recorded)"), 0;
  }
  if (sub != "verify" && sub != "checkpoint")
    return std::fputs("用法: dixian audit verify [--checkpoint FILE] | checkpoint | mark-legacy [--db PATH]\n", stderr), 2;
  return WithEngine(a, [&](engine::Engine& engine, store::Database&) {
    if (sub == "checkpoint") {
      auto r = engine::CheckpointAudit(engine, CliAdmin());
      if (!r.ok()) return std::fprintf(stderr, "%s\n", r.error().message.c_str()), 1;
      return std::printf("%s\n", r->checkpoint.c_str()), 0;
    }
    auto r = engine::VerifyAudit(engine, CliAdmin(),
                                 a.flags.count("--checkpoint") ? CheckpointArg(Flag(a, "--checkpoint")) : "");
    if (!r.ok()) return std::fprintf(stderr, "%s\n", r.error().message.c_str()), 1;
    std::printf("%s\n", http::ToJson(r.value()).dump().c_str());
    return r->ok ? 0 : 1;
  });
}

int KeysCommand(const Args& a) {
  const std::string sub = a.positional.empty() ? "" : a.positional[0];
  if (sub == "generate" && a.positional.size() == 2) {
    auto ring = engine::NewKeyRing();
    if (!ring.ok()) return std::fprintf(stderr, "%s\n", ring.error().message.c_str()), 1;
    if (auto st = WriteKeyFile(a.positional[1], ring.value(), false); !st.ok())
      return std::fprintf(stderr, "%s\n", st.error().message.c_str()), 1;
    return std::printf("已生成主密钥文件 %s（权限 0600）；请另行备份，切勿与数据库备份放在一起\n", a.positional[1].c_str()), 0;
  }
  if (sub == "rotate" && a.positional.size() == 1 && a.flags.count("--key-file")) {
    auto loaded = LoadKeys(Flag(a, "--key-file"));
    if (!loaded.ok()) return std::fprintf(stderr, "%s\n", loaded.error().message.c_str()), 1;
    auto rotated = loaded.value().ring->Rotated();
    if (!rotated.ok()) return std::fprintf(stderr, "%s\n", rotated.error().message.c_str()), 1;
    if (auto st = WriteKeyFile(Flag(a, "--key-file"), rotated.value(), true); !st.ok())
      return std::fprintf(stderr, "%s\n", st.error().message.c_str()), 1;
    return std::printf("已添加新密钥 %s 并设为当前密钥；旧密钥保留用于校验旧记录。请重启服务，再运行 dixian keys reencrypt\n",
                       rotated.value().current_id().c_str()), 0;
  }
  if (sub == "reencrypt" && a.positional.size() == 1) {
    int open_failed = 1;
    auto db = OpenDb(a, &open_failed);
    if (!db) return open_failed;
    auto n = db->ReencryptSecrets(a.flags.count("--seal-plaintext") > 0);
    if (!n.ok()) return std::fprintf(stderr, "%s\n", n.error().message.c_str()), 1;
    return std::printf("已用当前密钥重新加密 %d 个通道的密钥信息 (re-encrypted %d channels)\n", n.value(), n.value()), 0;
  }
  return std::fputs("用法: dixian keys generate FILE | rotate --key-file FILE | reencrypt [--db PATH]\n", stderr), 2;
}

// Text cells go through CsvField (quoted, formula prefixes neutralised); numbers as they are.
void PrintCsvTable(const nlohmann::json& rows, const std::vector<std::string>& columns) {
  for (size_t i = 0; i < columns.size(); ++i) std::printf("%s%s", i ? "," : "", engine::CsvField(columns[i]).c_str());
  std::printf("\n");
  for (const auto& r : rows) {
    for (size_t i = 0; i < columns.size(); ++i) {
      const auto& v = r.contains(columns[i]) ? r[columns[i]] : nlohmann::json();
      const std::string cell = v.is_string() ? engine::CsvField(v.get<std::string>()) : v.is_null() ? "" : v.dump();
      std::printf("%s%s", i ? "," : "", cell.c_str());
    }
    std::printf("\n");
  }
}

int Report(const Args& a) {
  if (a.positional.size() != 1 || (a.positional[0] != "monitoring" && a.positional[0] != "overdue"))
    return std::fputs("用法: dixian report monitoring|overdue --org CODE [--csv]\n", stderr), 2;
  return WithEngine(a, [&](engine::Engine& engine, store::Database&) {
    const auto org = Flag(a, "--org");
    engine::Result<nlohmann::json> r = engine::Error::Internal("");
    if (a.positional[0] == "monitoring") {
      auto report = engine::ReportMonitoring(engine, CliAdmin(), org);
      r = report.ok() ? engine::Result<nlohmann::json>(http::ToJson(report.value())) : report.error();
    } else {
      auto report = engine::ReportOverdue(engine, CliAdmin(), org);
      r = report.ok() ? engine::Result<nlohmann::json>(http::ToJson(report.value())) : report.error();
    }
    if (!r.ok()) return std::fprintf(stderr, "%s\n", r.error().message.c_str()), 1;
    if (!a.flags.count("--csv")) return std::printf("%s\n", r.value().dump(2).c_str()), 0;
    if (a.positional[0] == "monitoring") {
      std::printf("# 按类型\n");
      PrintCsvTable(r.value()["by_type"], {"type", "label", "households", "persons"});
      std::printf("# 按状态\n");
      PrintCsvTable(r.value()["by_status"], {"status", "label", "households", "persons"});
      std::printf("# 按类型和主要风险\n");
      PrintCsvTable(r.value()["by_type_cause"], {"type_label", "cause_label", "households", "persons"});
      std::printf("# 帮扶措施\n");
      PrintCsvTable(r.value()["measures"], {"kind", "label", "households"});
    } else {
      std::printf("# 按单位\n");
      PrintCsvTable(r.value()["by_org"], {"org", "org_name", "open", "overdue", "max_days_late"});
      std::printf("# 按责任人\n");
      PrintCsvTable(r.value()["by_assignee"], {"user", "name", "org", "open", "overdue", "max_days_late"});
    }
    return 0;
  });
}

int Outbox(const Args& a) {
  if (a.positional.empty() || (a.positional[0] != "list" && a.positional[0] != "retry"))
    return std::fputs("用法: dixian outbox list | dixian outbox retry [ID...]\n", stderr), 2;
  int open_failed = 1;
  auto db = OpenDb(a, &open_failed);
  if (!db) return open_failed;
  if (a.positional[0] == "list") {
    const auto dead = db->Dead(1000);
    std::printf("待发送 (pending): %lld, 发送失败 (dead letters): %zu\n", static_cast<long long>(db->PendingCount()), dead.size());
    for (const auto& m : dead)
      std::printf("%lld\t%s\t%s\t%s\t尝试 %d 次\t%s\n", static_cast<long long>(m.id), m.message_id.c_str(), m.channel_id.c_str(),
                  m.kind.c_str(), m.attempts, m.last_error.c_str());
    return 0;
  }
  std::vector<std::int64_t> ids;
  for (size_t i = 1; i < a.positional.size(); ++i) ids.push_back(std::stoll(a.positional[i]));
  engine::SystemClock clock;
  const int n = db->Redrive(ids, clock.Now());
  std::printf("已重新排队 %d 条消息 (re-queued); 运行中的服务会在几秒内发送\n", n);
  return 0;
}

}  // namespace

int RunCli(int argc, char** argv) {
  if (argc < 2) return std::fputs(kUsage, stderr), 2;
  const std::string cmd = argv[1];
  if (cmd == "--version" || cmd == "version") return std::printf("dixian %s\n", DIXIAN_VERSION), 0;
  if (cmd == "--help" || cmd == "-h" || cmd == "help") return std::fputs(kUsage, stdout), 0;
  Args a;
  const std::set<std::string> common = {"--db", "--config", "--key-file"};
  if (cmd == "serve") {
    if (!Parse(argc, argv, 2,
               {"--db", "--config", "--listen", "--fake-clock", "--threads", "--console-url", "--key-file",
                "--tls-cert", "--tls-key", "--trusted-proxy", "--evidence-dir",
                "--channel-lease-seconds"},
               {"--demo", "--insecure-http"}, &a))
      return 2;
    if (!a.positional.empty()) return std::fprintf(stderr, "dixian serve: 多余的参数 %s\n", a.positional[0].c_str()), 2;
    ServeOptions o;
    o.db = Flag(a, "--db", o.db);
    o.listen = Flag(a, "--listen", o.listen);
    o.config = Flag(a, "--config");
    if (a.flags.count("--fake-clock")) o.fake_clock = Flag(a, "--fake-clock");
    o.demo = a.flags.count("--demo") > 0;
    o.threads = std::atoi(Flag(a, "--threads", "0").c_str());
    o.console_base_url = Flag(a, "--console-url");
    o.key_file = Flag(a, "--key-file");
    o.evidence_dir = Flag(a, "--evidence-dir");
    o.tls_cert = Flag(a, "--tls-cert");
    o.tls_key = Flag(a, "--tls-key");
    o.insecure_http = a.flags.count("--insecure-http") > 0;
    o.channel_lease_seconds = std::atoi(Flag(a, "--channel-lease-seconds", "0").c_str());
    if (o.channel_lease_seconds < 0 || o.channel_lease_seconds > 3600)
      return std::fputs("dixian serve: --channel-lease-seconds 应在 0 到 3600 之间（0：默认 15 秒）\n", stderr), 2;
    for (std::string list = Flag(a, "--trusted-proxy"); !list.empty();) {  // comma-separated IPs
      const auto comma = list.find(',');
      o.trusted_proxies.push_back(list.substr(0, comma));
      list = comma == std::string::npos ? "" : list.substr(comma + 1);
    }
    try {
      return Serve(o);
    } catch (const std::exception& e) {
      return std::fprintf(stderr, "dixian: %s\n", e.what()), 2;
    }
  }
  if (cmd == "workflow") return Parse(argc, argv, 2, {"--config", "--format"}, {}, &a) ? Workflow(a) : 2;
  if (cmd == "report") return Parse(argc, argv, 2, {"--db", "--config", "--org", "--key-file"}, {"--csv"}, &a) ? Report(a) : 2;
  if (cmd == "keys") return Parse(argc, argv, 2, {"--key-file", "--db"}, {"--seal-plaintext"}, &a) ? KeysCommand(a) : 2;
  if (cmd == "outbox") return Parse(argc, argv, 2, common, {}, &a) ? Outbox(a) : 2;
  if (cmd == "audit") return Parse(argc, argv, 2, {"--db", "--config", "--key-file", "--checkpoint"}, {}, &a) ? Audit(a) : 2;
  if (cmd == "migrate") {
    if (!Parse(argc, argv, 2, {"--from", "--to", "--config", "--key-file", "--evidence-dir"}, {}, &a)) return 2;
    if (!a.positional.empty() || !a.flags.count("--from") || !store::IsPostgresUri(Flag(a, "--to")))
      return std::fputs("用法: dixian migrate --from FILE.db --to postgresql://...\n", stderr), 2;
    return Migrate(a);
  }
  if (cmd == "backup") {
    if (!Parse(argc, argv, 2, common, {}, &a)) return 2;
    if (a.positional.size() != 1) return std::fputs("用法: dixian backup DEST [--db PATH]\n", stderr), 2;
    int open_failed = 1;
    auto db = OpenDb(a, &open_failed);
    if (!db) return open_failed;
    auto* sqlite = dynamic_cast<store::SqliteStore*>(db.get());
    if (sqlite == nullptr)
      return std::fputs("PostgreSQL 数据库请用 pg_dump（整库，含佐证材料的大对象）/ pg_basebackup 备份（见 docs/storage.md）\n", stderr), 2;
    if (auto st = sqlite->Backup(a.positional[0]); !st.ok()) return std::fprintf(stderr, "备份失败: %s\n", st.error().message.c_str()), 1;
    if (auto st = store::SqliteStore::IntegrityCheck(a.positional[0]); !st.ok())
      return std::fprintf(stderr, "备份文件校验失败: %s\n", st.error().message.c_str()), 1;
    return BackupEvidence(sqlite->path(), a.positional[0]);
  }
  if (cmd == "restore") {
    if (!Parse(argc, argv, 2, common, {}, &a)) return 2;
    if (a.positional.size() != 1) return std::fputs("用法: dixian restore BACKUP [--db PATH]\n", stderr), 2;
    if (store::IsPostgresUri(Flag(a, "--db")))
      return std::fputs("PostgreSQL 数据库请用 pg_restore 恢复 pg_dump 的整库备份（含佐证材料的大对象，见 docs/storage.md）\n", stderr), 2;
    return Restore(a.positional[0], Flag(a, "--db", "data/dixian.db"));
  }
  if (cmd == "channel") {
    if (!Parse(argc, argv, 2, common, {}, &a)) return 2;
    if (a.positional.size() != 2 || a.positional[0] != "test") return std::fputs("用法: dixian channel test CHANNEL_ID\n", stderr), 2;
    int open_failed = 1;
    auto db = OpenDb(a, &open_failed);
    if (!db) return open_failed;
    auto found = db->FindChannel(a.positional[1]);
    if (!found.ok()) return std::fprintf(stderr, "无法读取数据库: %s\n", found.error().message.c_str()), 1;
    const auto& ch = found.value();
    if (!ch) return std::fprintf(stderr, "未找到群机器人 (unknown channel): %s\n", a.positional[1].c_str()), 1;
    const auto paths = ResolvePaths(Flag(a, "--config"));
    std::printf("%s\n", chat::SendTest(*ch, chat::Templates::Load(paths.config_dir + "/templates.json")).c_str());
    return 0;
  }
  std::fprintf(stderr, "dixian: 未知命令 %s (unknown command). 运行 dixian --help 查看用法\n", cmd.c_str());
  return 2;
}

}  // namespace dixian::runtime
