// The command line (version, help, usage errors, workflow validate, backup of a live database
// and audit verify on the copy) and the /metrics page.
#include <filesystem>
#include <fstream>

#include "tests/e2e/e2e_world.h"

namespace dixian::e2e {
namespace {

using test_support::CommandResult;
using test_support::RunCommand;

CommandResult Dixian(const std::vector<std::string>& args) { return RunCommand(DIXIAN_BINARY, args); }

std::string Output(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\nstdout: " + r.out + "\nstderr: " + r.err;
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

TEST(CliTest, VersionAndHelp) {
  auto r = Dixian({"--version"});
  EXPECT_EQ(r.exit_code, 0) << Output(r);
  EXPECT_EQ(r.out.rfind("dixian ", 0), 0u) << Output(r);
  r = Dixian({"--help"});
  EXPECT_EQ(r.exit_code, 0) << Output(r);
  for (const char* word : {"serve", "--db", "--listen", "--fake-clock", "workflow validate", "audit verify", "backup"})
    EXPECT_NE(r.out.find(word), std::string::npos) << word;
}

TEST(CliTest, UnknownFlagOrCommandExits2WithAClearMessage) {
  auto r = Dixian({"serve", "--bogus-flag"});
  EXPECT_EQ(r.exit_code, 2) << Output(r);
  EXPECT_NE(r.err.find("--bogus-flag"), std::string::npos) << Output(r);
  EXPECT_NE(r.err.find("unknown flag"), std::string::npos) << Output(r);
  r = Dixian({"audit", "verify", "--nope"});
  EXPECT_EQ(r.exit_code, 2) << Output(r);
  EXPECT_NE(r.err.find("--nope"), std::string::npos);
  r = Dixian({"frobnicate"});
  EXPECT_EQ(r.exit_code, 2) << Output(r);
  EXPECT_NE(r.err.find("frobnicate"), std::string::npos);
  r = Dixian({"serve", "--db"});  // a flag without its value
  EXPECT_EQ(r.exit_code, 2) << Output(r);
  EXPECT_NE(r.err.find("--db"), std::string::npos);
  r = Dixian({});
  EXPECT_EQ(r.exit_code, 2) << Output(r);
}

// What a county IT person types after the README: `dixian serve --db demo.db --demo` in a folder,
// a bare file name with no folder part. The demo's tokens file lands beside it and a clerk's token
// from it opens the inbox (a bare name once made the server throw creating an empty folder).
TEST(CliTest, DemoOnABareDatabaseFileNameInTheWorkingFolder) {
  if (testing::OnPostgres()) GTEST_SKIP() << "a bare SQLite file name";
  dixian::testing::TempDir folder;
  test_support::ServerProcessOptions options;
  options.binary = DIXIAN_BINARY;
  options.db = "demo.db";
  options.working_dir = folder.path();
  options.extra_args = {"--demo"};
  test_support::ServerProcess server(options);
  ASSERT_TRUE(server.Start()) << server.error();
  EXPECT_TRUE(std::filesystem::exists(folder.File("demo.db")));
  std::ifstream tokens(folder.File("demo-tokens.txt"));
  ASSERT_TRUE(tokens) << "no demo-tokens.txt beside demo.db\n" << server.Log();
  std::string line, token;
  while (std::getline(tokens, line))
    if (line.rfind("clerk-", 0) == 0) token = line.substr(line.rfind('\t') + 1);
  ASSERT_FALSE(token.empty()) << "no village clerk in demo-tokens.txt";
  const auto inbox = server.Client(token)->Request("GET", "/api/v1/tasks");
  EXPECT_EQ(inbox.status, 200) << inbox.body;
  EXPECT_TRUE(inbox.Json().is_array()) << inbox.body;
  EXPECT_EQ(server.Stop(), 0) << server.Log();
}

TEST(CliTest, WorkflowValidateAcceptsTheShippedAndRejectsABrokenFile) {
  const std::string dir = std::string(DIXIAN_SOURCE_DIR) + "/workflows/";
  auto r = Dixian({"workflow", "validate", dir + "identification.json", dir + "alert.json", dir + "removal.json"});
  EXPECT_EQ(r.exit_code, 0) << Output(r);
  EXPECT_NE(r.out.find("identification.json: ok"), std::string::npos) << Output(r);

  dixian::testing::TempDir tmp;
  // A transition to a state that does not exist.
  WriteFile(tmp.File("broken.json"), R"({
    "name": "broken", "label": "坏流程", "version": 1, "initial": "fill",
    "initiators": ["village_clerk"],
    "states": {
      "fill": {"label": "填报", "actor": {"level": "village", "role": "village_clerk"}, "deadline": "5wd",
               "actions": {"submit": {"label": "提交", "to": "nowhere"}}},
      "done": {"label": "完成", "final": true}
    }
  })");
  r = Dixian({"workflow", "validate", tmp.File("broken.json")});
  EXPECT_EQ(r.exit_code, 1) << Output(r);
  EXPECT_NE(r.err.find("nowhere"), std::string::npos) << Output(r);
  // Not JSON at all.
  WriteFile(tmp.File("garbage.json"), "{ this is not json");
  r = Dixian({"workflow", "validate", tmp.File("garbage.json")});
  EXPECT_EQ(r.exit_code, 1) << Output(r);
  EXPECT_FALSE(r.err.empty());
  // A missing file.
  r = Dixian({"workflow", "validate", tmp.File("missing.json")});
  EXPECT_NE(r.exit_code, 0) << Output(r);
}

class LiveDbTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    ASSERT_NO_FATAL_FAILURE(BuildWorld());
  }
};

TEST_F(LiveDbTest, BackupOfALiveDatabaseVerifies) {
  if (testing::OnPostgres()) GTEST_SKIP() << "dixian backup copies SQLite files";
  const std::string id = AdmitH1();
  const std::string backup = server_->dir().File("backup.db");
  auto r = Dixian({"backup", backup, "--db", server_->db_path(), "--key-file", server_->key_file()});
  ASSERT_EQ(r.exit_code, 0) << Output(r);
  // The server is still serving and writing after the backup.
  ASSERT_EQ(Put("reviewer1", "/api/v1/households/H1/contact", {{"user", "contact1"}}).status, 200);

  r = Dixian({"audit", "verify", "--db", backup, "--key-file", server_->key_file()});
  ASSERT_EQ(r.exit_code, 0) << Output(r);
  const json verdict = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(verdict.is_object()) << Output(r);
  EXPECT_EQ(verdict["ok"], true);
  // The copy holds what was acknowledged before it: the events of the chain, not the later one.
  const long long live_events = GetJson("admin", "/api/v1/audit/verify")["events"].get<long long>();
  EXPECT_LT(verdict["events"].get<long long>(), live_events);
  EXPECT_GE(verdict["events"].get<long long>(), 4);

  // The live database verifies from the command line too, while the server runs.
  r = Dixian({"audit", "verify", "--db", server_->db_path(), "--key-file", server_->key_file()});
  EXPECT_EQ(r.exit_code, 0) << Output(r);
  // A report from the copy names the admitted household's type.
  r = Dixian({"report", "monitoring", "--org", "c1", "--db", backup, "--key-file", server_->key_file()});
  EXPECT_EQ(r.exit_code, 0) << Output(r);
  EXPECT_NE(r.out.find("marginal"), std::string::npos) << Output(r);
  (void)id;
}

TEST_F(LiveDbTest, MetricsCoverRequestsLatencyCommitsTasksAndDelivery) {
  AdmitH1();
  (void)Get("admin", "/api/v1/cases/C99999999");  // a 404
  auto r = server_->Admin()->Request("GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.Header("content-type").find("text/plain"), std::string::npos);
  const std::string& m = r.body;
  for (const char* needle : {
           R"(dixian_http_requests_total{route="cases.create",status="201"} 1)",
           R"(dixian_http_requests_total{route="cases.actions",status="200"} 3)",
           R"(dixian_http_requests_total{route="cases.get",status="404"} 1)",
           R"(dixian_http_requests_total{route="users.create",status="201"} 9)",
           "# TYPE dixian_http_request_duration_seconds histogram",
           R"(dixian_http_request_duration_seconds_bucket{route="cases.create",le="+Inf"} 1)",
           "# TYPE dixian_commit_batch_size histogram",
           "dixian_commit_batch_size_count ",
           "dixian_open_tasks 5",  // + national_entry after admission
           "dixian_overdue_tasks 0",
           "dixian_outbox_pending ",
           "dixian_delivery_failures_total ",
       })
    EXPECT_NE(m.find(needle), std::string::npos) << needle;
  // Overdue tasks follow the engine clock.
  ASSERT_EQ(Post("admin", "/api/v1/admin/clock", {{"advance_seconds", 4 * 86400}}).status, 200);
  r = server_->Admin()->Request("GET", "/metrics");
  EXPECT_NE(r.body.find("dixian_overdue_tasks 2"), std::string::npos);
}

}  // namespace
}  // namespace dixian::e2e
