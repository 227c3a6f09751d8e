// PostgreSQL as the store (issue 16): an unreachable database at start, and a database that goes
// away while serving and comes back. The outage test runs a private cluster (it stops it), only
// in the PostgreSQL run of the suite.
#include <filesystem>
#include <fstream>

#include "engine/core/sha256.h"
#include "tests/e2e/e2e_world.h"
#include "tests/support/test_db.h"

namespace dixian::e2e {
namespace {

const std::string kClusterScript = std::string(DIXIAN_SOURCE_DIR) + "/scripts/pg-test-cluster.sh";

TEST(PostgresStart, UnreachableDatabaseIsAClearErrorAndItsOwnExitCode) {
  testing::TempDir dir;
  const std::string key = dir.File("dixian.key");
  ASSERT_EQ(test_support::RunCommand(DIXIAN_BINARY, {"keys", "generate", key}).exit_code, 0);
  // Port 1 on loopback: nothing listens there, the connection is refused at once.
  auto r = test_support::RunCommand(DIXIAN_BINARY,
                                    {"serve", "--db", "postgresql://dixian:secret@127.0.0.1:1/county",
                                     "--listen", "127.0.0.1:0", "--key-file", key},
                                    20000);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  const std::string said = r.out + r.err;
  EXPECT_NE(said.find("无法连接 PostgreSQL 数据库 127.0.0.1:1/county"), std::string::npos) << said;
  EXPECT_NE(said.find("Connection refused"), std::string::npos) << said;  // libpq's reason
  EXPECT_EQ(said.find("secret"), std::string::npos) << "the password stays out of the log: " << said;

  // The command line tools say the same, with the same exit code.
  r = test_support::RunCommand(DIXIAN_BINARY,
                               {"audit", "verify", "--db", "postgresql://dixian@127.0.0.1:1/county",
                                "--key-file", key},
                               20000);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
}

// A private cluster for the outage test (the shared one must stay up for the other tests).
class PrivateCluster {
 public:
  PrivateCluster() : state_(dir_.File("cluster.uri")) {}
  ~PrivateCluster() { (void)Script("stop"); }
  bool Start() { return Script("start") == 0; }
  bool Halt() { return Script("halt") == 0; }
  bool Resume() { return Script("resume") == 0; }
  const std::string& uri() const { return uri_; }
  void ReadUri() {
    std::ifstream in(state_);
    std::getline(in, uri_);
  }

 private:
  int Script(const char* command) {
    auto r = test_support::RunCommand("/bin/bash", {kClusterScript, command, state_}, 120000);
    if (r.exit_code != 0) ADD_FAILURE() << command << ": " << r.out << r.err;
    if (std::string(command) == "start") ReadUri();
    return r.exit_code;
  }
  testing::TempDir dir_;
  std::string state_;
  std::string uri_;
};

class PostgresOutageTest : public E2eTest {
 protected:
  void SetUp() override {
    if (!testing::OnPostgres()) GTEST_SKIP() << "PostgreSQL run only";
    ASSERT_TRUE(cluster_.Start());
    E2eTest::SetUp();
    ASSERT_NO_FATAL_FAILURE(BuildWorld());
  }
  ServerProcessOptions Options() override {
    auto o = E2eTest::Options();
    o.db = cluster_.uri();
    return o;
  }
  PrivateCluster cluster_;
};

TEST_F(PostgresOutageTest, LostDatabaseAnswers503AndServiceRecoversLosingNothing) {
  const std::string id = NewCase().value("id", "");
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(Act("clerk1", id, "submit").status, 200);

  const int version = GetJson("admin", "/api/v1/cases/" + id).value("version", 0);

  ASSERT_TRUE(cluster_.Halt());
  // Writes and reads answer 503 with the error body, never 500 or a made-up answer.
  auto r = Post("reviewer1", "/api/v1/cases/" + id + "/actions",
                {{"action", "approve"}, {"expected_version", version}});
  EXPECT_TRUE(IsErrorBody(r, 503)) << Show(r);
  EXPECT_EQ(r.Json()["error"]["code"], "database_unavailable");
  EXPECT_EQ(r.body.find("127.0.0.1"), std::string::npos) << "no host in API answers: " << r.body;
  r = Post("clerk2", "/api/v1/cases",
           {{"workflow", "identification"}, {"household", "H2"}, {"data", IdentificationData()}});
  EXPECT_TRUE(IsErrorBody(r, 503)) << Show(r);
  r = Get("admin", "/api/v1/cases/" + id);
  EXPECT_TRUE(IsErrorBody(r, 503)) << Show(r);
  EXPECT_EQ(Get("admin", "/healthz").status, 200) << "the process itself stays up";

  ASSERT_TRUE(cluster_.Resume());
  // Back: the first write after the outage goes through on a new connection.
  r = Act("reviewer1", id, "approve");
  EXPECT_EQ(r.status, 200) << Show(r);
  r = Act("county1", id, "approve");
  EXPECT_EQ(r.status, 200) << Show(r);
  const json c = GetJson("admin", "/api/v1/cases/" + id);
  EXPECT_EQ(c.value("state", ""), "admitted");
  // Nothing acknowledged was lost; nothing refused was half-written: one case, its chain whole.
  EXPECT_EQ(testing::ScalarDb(cluster_.uri(), "SELECT count(*) FROM cases"), "1");
  const json verdict = GetJson("admin", "/api/v1/audit/verify");
  EXPECT_EQ(verdict.value("ok", false), true) << verdict.dump();
}

// A county on SQLite moves to PostgreSQL: everything copied, the chain verifies on the copy, the
// server runs on the copy, and a second copy into the same (now non-empty) database is refused.
class MigrateTest : public E2eTest {
 protected:
  void SetUp() override {
    if (!testing::OnPostgres()) GTEST_SKIP() << "PostgreSQL run only";
    E2eTest::SetUp();
    ASSERT_NO_FATAL_FAILURE(BuildWorld());
  }
  ServerProcessOptions Options() override {
    auto o = E2eTest::Options();
    o.db = file_.File("county.db");  // the county's SQLite file, whichever run this is
    return o;
  }
  testing::TempDir file_;
};

TEST_F(MigrateTest, CopyVerifiesServesAndASecondCopyIsRefused) {
  auto ch = Post("admin", "/api/v1/channels", {{"org", "c1"}, {"kind", "dingtalk"},
                                               {"url", "http://127.0.0.1:9/robot/send?access_token=t"},
                                               {"secret", "SECmigrate"}});
  ASSERT_EQ(ch.status, 201) << Show(ch);
  const std::string id = AdmitH1();  // with its meeting minutes (a PDF file)
  std::string photo = "\xFF\xD8\xFF\xE0";
  for (int i = 0; photo.size() < 400 * 1024; ++i) photo.push_back(static_cast<char>((i * 131) & 0xFF));
  auto up = Upload("clerk1", id, "visit_photo", photo, "image/jpeg", "photo.jpg");
  ASSERT_EQ(up.status, 201) << Show(up);
  const std::string photo_id = up.Json()["id"];
  const json history = GetJson("admin", "/api/v1/cases/" + id + "/history");
  const long long events = GetJson("admin", "/api/v1/audit/verify")["events"].get<long long>();
  ASSERT_EQ(server_->Stop(), 0);

  testing::TestDb target(file_.File("unused.db"));
  // The key outlives this server (its temp folder goes with it): the copy is served with it.
  const std::string key = file_.File("county.key");
  std::filesystem::copy_file(server_->key_file(), key);
  // The attachments' files are beside the file (county.db.evidence/), where migrate looks.
  auto r = test_support::RunCommand(DIXIAN_BINARY, {"migrate", "--from", server_->db_path(), "--to",
                                                    target.db(), "--key-file", key});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // The attachments' files became large objects, one per distinct digest.
  EXPECT_NE(r.out.find("evidence_objects 2"), std::string::npos) << r.out;
  EXPECT_EQ(testing::ScalarDb(target.db(), "SELECT count(*) FROM evidence_objects e JOIN"
                                           " pg_largeobject_metadata m ON m.oid = e.oid"),
            "2");
  EXPECT_NE(r.out.find("审计链校验通过（" + std::to_string(events) + " 条）"), std::string::npos) << r.out;
  EXPECT_EQ(testing::ScalarDb(target.db(), "SELECT count(*) FROM users"),
            testing::ScalarDb(server_->db_path(), "SELECT count(*) FROM users"));
  EXPECT_EQ(testing::ScalarDb(target.db(), "SELECT max(hash) FROM audit"),
            testing::ScalarDb(server_->db_path(), "SELECT max(hash) FROM audit"));
  // The same bytes: the signed audit switch-over point and the sealed channel columns.
  for (const char* sql : {"SELECT value FROM meta WHERE key = 'audit_hmac_from_mac'",
                          "SELECT min(url) || min(secret) || min(app) FROM channels"})
    EXPECT_EQ(testing::ScalarDb(target.db(), sql), testing::ScalarDb(server_->db_path(), sql)) << sql;
  EXPECT_EQ(testing::ScalarDb(target.db(), "SELECT min(url) FROM channels").rfind("dxs1:", 0), 0u);
  // The open-task counters came across and equal a recount of the copied tasks.
  const std::string recount_differs =
      "SELECT (SELECT count(*) FROM (SELECT org_path, org, role, assignee, count(*) FROM tasks"
          " WHERE status = 'open' GROUP BY 1, 2, 3, 4 EXCEPT SELECT org_path, org, role, assignee,"
          " open_tasks FROM task_counts WHERE open_tasks > 0) AS a) + (SELECT count(*) FROM (SELECT"
          " org_path, org, role, assignee, open_tasks FROM task_counts WHERE open_tasks > 0 EXCEPT"
          " SELECT org_path, org, role, assignee, count(*) FROM tasks WHERE status = 'open'"
          " GROUP BY 1, 2, 3, 4) AS b)";
  EXPECT_NE(testing::ScalarDb(target.db(), "SELECT count(*) FROM task_counts"), "0");
  EXPECT_EQ(testing::ScalarDb(target.db(), recount_differs), "0");

  r = test_support::RunCommand(DIXIAN_BINARY, {"migrate", "--from", server_->db_path(), "--to",
                                               target.db(), "--key-file", key});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("目标数据库不是空的"), std::string::npos) << r.err;
  EXPECT_EQ(testing::ScalarDb(target.db(), "SELECT count(*) FROM audit"), std::to_string(events))
      << "the refused copy added nothing";

  // The server on the copy: same case, same history, tokens still valid, and it keeps writing.
  ServerProcessOptions o = E2eTest::Options();
  o.db = target.db();
  o.key_file = key;
  server_ = std::make_unique<ServerProcess>(o);
  ASSERT_TRUE(server_->Start()) << server_->error();
  EXPECT_EQ(GetJson("admin", "/api/v1/cases/" + id).value("state", ""), "admitted");
  EXPECT_EQ(GetJson("reviewer1", "/api/v1/cases/" + id + "/history"), history);
  auto d = Get("reviewer1", "/api/v1/attachments/" + photo_id);  // from the database, no folder
  ASSERT_EQ(d.status, 200) << Show(d);
  EXPECT_EQ(engine::Sha256Hex(d.body), engine::Sha256Hex(photo));
  EXPECT_TRUE(d.body == photo);
  EXPECT_EQ(NewCase("H2", "clerk2").value("id", ""), "C00000002");
  EXPECT_EQ(GetJson("admin", "/api/v1/audit/verify").value("ok", false), true);
  EXPECT_EQ(testing::ScalarDb(target.db(), recount_differs), "0") << "kept on PostgreSQL";
}

// A damaged attachment file refuses the whole copy, naming the file; nothing is written.
TEST_F(MigrateTest, ADamagedAttachmentFileRefusesTheCopy) {
  const std::string id = NewCase().value("id", "");
  auto up = Upload("clerk1", id, "visit_photo", std::string("\xFF\xD8\xFF\xE0") + std::string(5000, 'j'),
                   "image/jpeg", "photo.jpg");
  ASSERT_EQ(up.status, 201) << Show(up);
  const std::string hex = up.Json()["sha256"];
  ASSERT_EQ(server_->Stop(), 0);
  const std::string dir = server_->db_path() + ".evidence";  // beside county.db
  const std::string file = dir + "/" + hex.substr(0, 2) + "/" + hex.substr(2);
  ASSERT_TRUE(std::filesystem::exists(file));
  { std::ofstream(file, std::ios::binary | std::ios::app) << "tampered"; }

  testing::TestDb target(file_.File("unused.db"));
  auto r = test_support::RunCommand(DIXIAN_BINARY, {"migrate", "--from", server_->db_path(), "--to",
                                                    target.db(), "--key-file", server_->key_file(),
                                                    "--evidence-dir", dir});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find(file), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("SHA-256"), std::string::npos) << r.err;
  EXPECT_EQ(testing::ScalarDb(target.db(), "SELECT count(*) FROM attachments"), "0");
  EXPECT_EQ(testing::ScalarDb(target.db(), "SELECT count(*) FROM evidence_objects"), "0");
}

}  // namespace
}  // namespace dixian::e2e
