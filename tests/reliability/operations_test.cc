// Operations: `dixian backup` while the server writes gives a consistent copy; restoring it (stop,
// copy back, start) brings back exactly that state; a database written by the previous release
// (tests/fixtures/dixian-v1.db, made by tests/fixtures/make_dixian_v1.py) opens with this build
// and keeps its data. Future schema versions add their own fixture beside it.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "tests/reliability/reliability_util.h"
#include "tests/support/slow_test.h"

namespace dixian::reliability {
namespace {

namespace fs = std::filesystem;
using test_support::HttpClient;
using test_support::RunCommand;
using test_support::ServerProcess;
using test_support::ServerProcessOptions;

std::unique_ptr<ServerProcess> Serve(const std::string& db, const std::string& admin_token = "ops-admin-0123456789abcdef-0123456789",
                                     const std::string& clock = "2026-03-02T09:00:00+08:00") {
  ServerProcessOptions o;
  o.binary = Binary();
  o.db = db;
  o.key_file = db + ".key";  // one key for every server and command on this database
  o.fake_clock = clock;
  o.admin_token = admin_token;
  auto s = std::make_unique<ServerProcess>(o);
  EXPECT_TRUE(s->Start()) << s->error();
  return s;
}

std::set<std::string> Households(const std::string& db) {
  std::set<std::string> out;
  for (const auto& r : Sql(db, "SELECT id FROM households")) out.insert(r[0]);
  return out;
}

TEST(Operations, BackupWhileWritingThenRestore) {
  DIXIAN_SLOW_TEST();
  if (testing::OnPostgres()) GTEST_SKIP() << "SQLite only (files, backups)";
  testing::TempDir dir;
  const std::string db = dir.File("live.db");
  auto server = Serve(db);
  ASSERT_TRUE(server->running());
  County county;
  ASSERT_TRUE(SeedCounty(*server, &county));
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    auto clerk = server->Client(county.tokens.at("clerk_V11"));
    for (int i = 0; !stop; ++i) {
      const std::string id = "b-" + std::to_string(i);
      auto a = Call(*clerk, "POST", "/api/v1/households",
                    {{"id", id}, {"village", "V11"}, {"head_name", "户主"}, {"members", 2}, {"income_per_capita", 3000}});
      if (a.status != 201) break;
      a = Call(*clerk, "POST", "/api/v1/cases", {{"workflow", "identification"}, {"household", id},
                                                 {"data", {{"type", "marginal"}, {"primary_cause", "illness"}}}});
      if (a.status != 201) break;
      ++written;
    }
  });
  while (written < 5) std::this_thread::yield();
  const std::string copy = dir.File("backup.db");
  for (int round = 0; round < 3; ++round) {
    auto r = RunCommand(Binary(), {"backup", copy, "--db", db, "--key-file", db + ".key"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(Scalar(copy, "PRAGMA integrity_check"), "ok");
    auto verify = RunCommand(Binary(), {"audit", "verify", "--db", copy, "--key-file", db + ".key"});
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
    EXPECT_NE(verify.out.find("\"ok\":true"), std::string::npos) << verify.out;
    // Consistent: one snapshot, so each case and its audit event (one transaction) come together.
    EXPECT_EQ(Scalar(copy, "SELECT count(*) FROM cases c WHERE NOT EXISTS "
                           "(SELECT 1 FROM audit a WHERE a.case_id = c.id AND a.action = 'create')"), "0");
    EXPECT_EQ(Scalar(copy, "SELECT count(*) FROM audit a WHERE a.action = 'create' AND a.case_id <> '' AND NOT EXISTS "
                           "(SELECT 1 FROM cases c WHERE c.id = a.case_id)"), "0");
  }
  const int before_stop = written;
  while (written < before_stop + 3) std::this_thread::yield();  // more writes after the last backup
  stop = true;
  writer.join();
  const auto in_backup = Households(copy);
  const auto live = Households(db);
  ASSERT_LT(in_backup.size(), live.size());

  // Restore (docs/reliability.md): stop the server, copy the backup over the file (no -wal/-shm
  // left beside it), start again.
  EXPECT_EQ(server->Stop(), 0);
  fs::remove(db + "-wal");
  fs::remove(db + "-shm");
  fs::copy_file(copy, db, fs::copy_options::overwrite_existing);
  auto restored = Serve(db);
  ASSERT_TRUE(restored->running());
  auto admin = restored->Admin();
  for (const auto& id : live) {
    const int status = Call(*admin, "GET", "/api/v1/households/" + id).status;
    EXPECT_EQ(status, in_backup.count(id) ? 200 : 404) << id;
  }
  EXPECT_EQ(Call(*admin, "GET", "/api/v1/audit/verify").body.value("ok", false), true);
  // The restored server takes writes again.
  EXPECT_EQ(Call(*restored->Client(county.tokens.at("clerk_V11")), "POST", "/api/v1/households",
                 {{"id", "after-restore"}, {"village", "V11"}, {"head_name", "户主"}, {"members", 2}, {"income_per_capita", 3000}})
                .status,
            201);
}

TEST(Operations, PreviousReleaseDatabaseOpensAndKeepsItsData) {
  if (testing::OnPostgres()) GTEST_SKIP() << "SQLite only (files, backups)";
  const std::string fixtures = std::string(DIXIAN_SOURCE_DIR) + "/tests/fixtures/";
  std::ifstream in(fixtures + "dixian-v1.json");
  ASSERT_TRUE(in) << "missing fixture manifest";
  const Json manifest = Json::parse(in);
  testing::TempDir dir;
  const std::string db = dir.File("dixian-v1.db");
  fs::copy_file(fixtures + "dixian-v1.db", db);
  ASSERT_EQ(Scalar(db, "PRAGMA user_version"), std::to_string(manifest["schema_version"].get<int>()));

  // The admin token is not in the database: today's server takes a new one (32 characters now).
  auto server = Serve(db, "fixture-v1-admin-token-0123456789abcdef", manifest["clock_after"].get<std::string>());
  ASSERT_TRUE(server->running());
  auto admin = server->Admin();
  // Users, tokens, households, the monitoring object, cases and their histories survived.
  for (const auto& [user, token] : manifest["tokens"].items()) {
    auto me = Call(*server->Client(token.get<std::string>()), "GET", "/api/v1/me");
    EXPECT_EQ(me.status, 200) << user;
    EXPECT_EQ(me.body.value("id", ""), user);
  }
  for (const auto& id : manifest["households"]) EXPECT_EQ(Call(*admin, "GET", "/api/v1/households/" + id.get<std::string>()).status, 200);
  auto hh = Call(*admin, "GET", "/api/v1/households/h-v1-1");
  EXPECT_EQ(hh.body["monitoring"]["type"], manifest["monitored"]["h-v1-1"]["type"]);
  EXPECT_EQ(hh.body["monitoring"]["status"], manifest["monitored"]["h-v1-1"]["status"]);
  EXPECT_EQ(hh.body["monitoring"]["contact"], manifest["monitored"]["h-v1-1"]["contact"]);
  EXPECT_EQ(hh.body["monitoring"]["measures"].size(), 1u) << hh.raw;
  for (const auto& [id, want] : manifest["cases"].items()) {
    auto c = Call(*admin, "GET", "/api/v1/cases/" + id);
    ASSERT_EQ(c.status, 200) << id;
    EXPECT_EQ(c.body["state"], want["state"]);
    EXPECT_EQ(c.body["version"], want["version"]);
    EXPECT_GE(Call(*admin, "GET", "/api/v1/cases/" + id + "/history").body.size(), want["version"].get<std::size_t>());
    // Schema 5 moved the engine's own facts out of the user's data into columns.
    EXPECT_FALSE(c.body["data"].contains("last_actor")) << c.raw;
    EXPECT_EQ(c.body["data"]["primary_cause"].is_string(), true) << c.raw;
  }
  EXPECT_EQ(Call(*admin, "GET", "/api/v1/audit/verify").body.value("ok", false), true);
  // The old database takes new work: the pending case moves on, a new household is added.
  const auto& tokens = manifest["tokens"];
  for (const auto& [id, want] : manifest["cases"].items()) {
    if (want["state"] != "township_review") continue;
    auto a = Call(*server->Client(tokens["rev"].get<std::string>()), "POST", "/api/v1/cases/" + id + "/actions",
                  {{"action", "approve"}, {"comment", "同意"}, {"expected_version", want["version"]}});
    EXPECT_EQ(a.status, 200) << a.raw;
  }
  EXPECT_EQ(Call(*server->Client(tokens["clerk"].get<std::string>()), "POST", "/api/v1/households",
                 {{"id", "h-v2-1"}, {"village", "V11"}, {"head_name", "新户"}, {"members", 1}, {"income_per_capita", 1000}})
                .status,
            201);
  EXPECT_EQ(server->Stop(), 0);
  EXPECT_EQ(Scalar(db, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(Scalar(db, "SELECT last_actor FROM cases WHERE id = 'C00000001'"), "county");  // migrated
  EXPECT_EQ(Scalar(db, "SELECT last_actor || '/' || last_from FROM cases WHERE id = 'C00000002'"),
            "rev/township_review");  // written by the approve above
  EXPECT_GE(std::stoi(Scalar(db, "PRAGMA user_version")), manifest["schema_version"].get<int>());
  for (const auto& [table, n] : manifest["counts"].items())
    EXPECT_GE(std::stoll(Scalar(db, "SELECT count(*) FROM " + table)), n.get<long long>()) << table;
  // Migration 11 counted the old open tasks; the new work kept the counters.
  EXPECT_NE(Scalar(db, "SELECT count(*) FROM tasks WHERE status = 'open'"), "0");
  EXPECT_EQ(Scalar(db, "SELECT (SELECT count(*) FROM (SELECT org_path, org, role, assignee, count(*) FROM tasks"
                           " WHERE status = 'open' GROUP BY 1, 2, 3, 4 EXCEPT SELECT org_path, org, role, assignee,"
                           " open_tasks FROM task_counts WHERE open_tasks > 0) AS a) + (SELECT count(*) FROM (SELECT"
                           " org_path, org, role, assignee, open_tasks FROM task_counts WHERE open_tasks > 0 EXCEPT"
                           " SELECT org_path, org, role, assignee, count(*) FROM tasks WHERE status = 'open'"
                           " GROUP BY 1, 2, 3, 4) AS b)"), "0");
}

}  // namespace
}  // namespace dixian::reliability
