// Secrets at rest (issue 17 item 6): robot URLs (their access tokens) and signing secrets are
// sealed with AES-256-GCM under a key outside the database, sealed values are bound to their row,
// and the database, its WAL and SHM files and backups are the owner's only (0600). Before: every
// secret lay in clear in the file, a row could be pointed at another robot, and files were 0644.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/security/security_util.h"
#include "tests/support/fake_platform.h"

namespace dixian::security {
namespace {

using test_support::RunCommand;

constexpr const char* kSecret = "SECdixian-robot-secret-7f3a9c";

std::string FileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int ModeOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 0777);
}

class SecretsAtRest : public SecurityTest {
 protected:
  test_support::CommandResult Cli(std::vector<std::string> args) {
    args.insert(args.end(), {"--db", Db()});
    return RunCommand(server_->binary(), args, server_->key_file());
  }
  void AddChannel(const std::string& id, const std::string& org, const std::string& url, const std::string& secret) {
    auto r = Do("admin", "POST", "/api/v1/channels", {{"id", id}, {"org", org}, {"kind", "dingtalk"}, {"url", url}, {"secret", secret}});
    ASSERT_EQ(r.status, 201) << r.raw;
  }
};

TEST_F(SecretsAtRest, RobotTokensAndSecretsAreNotInTheFileAndStillWork) {
  testing::FakePlatform robot("dingtalk", kSecret);
  AddChannel("ding-v11", "V11", robot.Url(), kSecret);
  ASSERT_EQ(Do("admin", "POST", "/api/v1/households", Household("H1", "V11")).status, 201);
  ASSERT_EQ(Do("clerk_V11", "POST", "/api/v1/cases",
                {{"workflow", "identification"}, {"household", "H1"}, {"data", {{"type", "marginal"}, {"primary_cause", "illness"}}}})
                .status,
            201);
  // The message reaches the robot, signed with the secret: the server opens what it sealed.
  ASSERT_TRUE(robot.WaitForAccepted(1, std::chrono::seconds(20))) << server_->Log();
  const auto row = Sql(Db(), "SELECT url, secret FROM channels WHERE id = 'ding-v11'");
  ASSERT_EQ(row.size(), 1u);
  EXPECT_EQ(row[0][0].rfind("dxs1:", 0), 0u) << row[0][0];
  EXPECT_EQ(row[0][1].rfind("dxs1:", 0), 0u) << row[0][1];
  ASSERT_EQ(server_->Stop(), 0);
  for (const char* suffix : {"", "-wal"}) {
    const std::string bytes = FileBytes(Db() + suffix);
    EXPECT_EQ(bytes.find("fake-token"), std::string::npos) << "robot token in clear in " << Db() << suffix;
    EXPECT_EQ(bytes.find(kSecret), std::string::npos) << "signing secret in clear in " << Db() << suffix;
  }
  auto test = Cli({"channel", "test", "ding-v11"});
  EXPECT_EQ(test.exit_code, 0) << test.out << test.err;
}

// Someone with write access to the file copies the sealed URL of a robot they control into
// another org's channel: the moved value does not open, nothing is sent to their robot.
TEST_F(SecretsAtRest, ASealedValueMovedToAnotherChannelDoesNotOpen) {
  testing::FakePlatform attacker("dingtalk", kSecret);
  testing::FakePlatform county("dingtalk", kSecret);
  AddChannel("ding-attacker", "V22", attacker.Url(), kSecret);
  AddChannel("ding-county", "C", county.Url(), kSecret);
  ASSERT_EQ(server_->Stop(), 0);
  Sql(Db(), "UPDATE channels SET url = (SELECT url FROM channels WHERE id = 'ding-attacker'),"
            " secret = (SELECT secret FROM channels WHERE id = 'ding-attacker') WHERE id = 'ding-county'", true);
  auto moved = Cli({"channel", "test", "ding-county"});
  EXPECT_NE(moved.exit_code, 0) << moved.out;
  // An unsealed row written straight into the file is refused as well.
  Sql(Db(), "INSERT INTO channels(id, org, kind, url, secret) VALUES('ding-planted', 'C', 'dingtalk', '" +
                attacker.Url() + "', '" + kSecret + "')", true);
  auto planted = Cli({"channel", "test", "ding-planted"});
  EXPECT_NE(planted.exit_code, 0) << planted.out;
  EXPECT_EQ(attacker.Received().size(), 0u) << "a message went to the attacker's robot";
}

TEST_F(SecretsAtRest, DatabaseWalShmAndBackupsAreOwnerOnly) {
  const mode_t old = ::umask(022);  // as a careless service account would have it
  ASSERT_EQ(server_->Stop(), 0);
  const std::string db = server_->dir().File("fresh.db");
  ServerProcessOptions o = Options();
  o.db = db;
  o.key_file = server_->key_file();
  ServerProcess fresh(o);
  ASSERT_TRUE(fresh.Start()) << fresh.error();
  ASSERT_EQ(Call(*fresh.Admin(), "POST", "/api/v1/orgs", {{"code", "P"}, {"name", "省"}, {"level", "province"}, {"parent", nullptr}}).status, 201);
  EXPECT_EQ(ModeOf(db), 0600);
  EXPECT_EQ(ModeOf(db + "-wal"), 0600);
  EXPECT_EQ(ModeOf(db + "-shm"), 0600);
  const std::string backup = server_->dir().File("backup.db");
  auto r = RunCommand(fresh.binary(), {"backup", backup, "--db", db}, server_->key_file());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(ModeOf(backup), 0600);
  EXPECT_EQ(fresh.Stop(), 0);
  // A database file left world-readable by an older build is tightened when opened.
  ::chmod(db.c_str(), 0644);
  ASSERT_TRUE(fresh.Restart()) << fresh.error();
  EXPECT_EQ(ModeOf(db), 0600);
  EXPECT_EQ(fresh.Stop(), 0);
  ::umask(old);
}

TEST_F(SecretsAtRest, AnotherKeyIsRefusedAndRotationReencrypts) {
  testing::FakePlatform robot("dingtalk", kSecret);
  AddChannel("ding-v11", "V11", robot.Url(), kSecret);
  ASSERT_EQ(server_->Stop(), 0);
  // Another key on this database: the server does not start (nothing is sealed or MAC'd with it).
  const std::string other = server_->dir().File("other.key");
  ASSERT_EQ(RunCommand(server_->binary(), {"keys", "generate", other}).exit_code, 0);
  auto wrong = RunCommand(server_->binary(), {"serve", "--db", Db(), "--listen", "127.0.0.1:0", "--key-file", other}, 20000);
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_NE((wrong.out + wrong.err).find("不匹配"), std::string::npos) << wrong.err;
  // Rotation: a new current key, restart, re-encrypt; old events still verify with the old key.
  ASSERT_EQ(RunCommand(server_->binary(), {"keys", "rotate", "--key-file", server_->key_file()}).exit_code, 0);
  ASSERT_TRUE(server_->Restart()) << server_->error();
  ASSERT_EQ(Do("admin", "POST", "/api/v1/households", Household("H9", "V11")).status, 201);
  auto re = Cli({"keys", "reencrypt"});
  ASSERT_EQ(re.exit_code, 0) << re.out << re.err;
  EXPECT_EQ(Scalar(Db(), "SELECT count(*) FROM channels WHERE url LIKE 'dxs1:k2:%' AND secret LIKE 'dxs1:k2:%'"), "1");
  EXPECT_EQ(Scalar(Db(), "SELECT count(DISTINCT key_id) FROM audit"), "2");
  EXPECT_EQ(Do("admin", "GET", "/api/v1/audit/verify").body["ok"], true);
  ASSERT_EQ(server_->Stop(), 0);
  EXPECT_EQ(Cli({"channel", "test", "ding-v11"}).exit_code, 0);
}

}  // namespace
}  // namespace dixian::security
