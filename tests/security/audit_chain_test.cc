// The audit chain against someone with the database file (issue 17 item 5): before, the chain was
// plain SHA-256, so rewriting an event and rehashing the rest passed `audit verify`, truncation
// was invisible, and the writes outside the case chains (orgs, users, channels, households,
// visits) left no event at all.
#include <filesystem>
#include <fstream>

#include "engine/engine_tx.h"
#include "tests/security/security_util.h"

namespace dixian::security {
namespace {

using test_support::RunCommand;

class AuditChain : public SecurityTest {
 protected:
  // What the engine's chain looked like before: each event's SHA-256 over its canonical JSON.
  static engine::AuditEvent EventOf(const reliability::Row& r) {
    engine::AuditEvent e;
    e.seq = std::stoll(r[0]);
    e.at = std::stoll(r[1]);
    e.case_id = r[2], e.household = r[3], e.actor = r[4], e.actor_role = r[5], e.actor_org = r[6];
    e.action = r[7], e.from_state = r[8], e.to_state = r[9], e.comment = r[10];
    e.data = Json::parse(r[11]);
    return e;
  }
  // The attack: drop the append-only triggers, rewrite events from `from_seq` with `edit`, and
  // rehash them and every later one as a plain chain (key column emptied where there is one).
  void RewriteAndRehash(std::int64_t from_seq, const std::function<void(engine::AuditEvent&)>& edit) {
    const bool has_key = !Sql(Db(), "SELECT 1 FROM pragma_table_info('audit') WHERE name = 'key_id'").empty();
    auto rows = Sql(Db(), "SELECT seq, at, case_id, household, actor, actor_role, actor_org, action, from_state,"
                          " to_state, comment, data, prev_hash FROM audit ORDER BY seq");
    std::string prev;
    std::string sql = "DROP TRIGGER IF EXISTS audit_no_update; ";
    for (const auto& r : rows) {
      auto e = EventOf(r);
      if (e.seq < from_seq) {
        prev = Scalar(Db(), "SELECT hash FROM audit WHERE seq = " + r[0]);
        continue;
      }
      if (e.seq == from_seq) edit(e);
      e.prev_hash = prev;
      prev = engine::AuditHash(e);
      sql += "UPDATE audit SET actor = '" + e.actor + "', prev_hash = '" + e.prev_hash + "', hash = '" + prev + "'" +
             (has_key ? ", key_id = ''" : "") + " WHERE seq = " + r[0] + "; ";
    }
    Sql(Db(), sql, true);
  }
  std::string AdmitCase(const std::string& household) {
    auto c = Do("clerk_V11", "POST", "/api/v1/cases",
                {{"workflow", "identification"}, {"household", household},
                 {"data", {{"type", "marginal"}, {"primary_cause", "illness"}, {"income_per_capita", 4000}}}});
    EXPECT_EQ(c.status, 201) << c.raw;
    const std::string id = c.body.value("id", "");
    int version = 1;
    EXPECT_EQ(AttachMinutes(*As("clerk_V11"), id).status, 201);
    for (const auto& [who, action] : std::vector<std::pair<std::string, std::string>>{
             {"clerk_V11", "submit"}, {"rev_T1", "approve"}, {"county", "approve"}}) {
      auto r = Do(who, "POST", "/api/v1/cases/" + id + "/actions", {{"action", action}, {"expected_version", version++}});
      EXPECT_EQ(r.status, 200) << who << " " << action << ": " << r.raw;
    }
    return id;
  }
  test_support::CommandResult Cli(std::vector<std::string> args) {
    args.insert(args.end(), {"--db", Db()});
    return RunCommand(server_->binary(), args, server_->key_file());
  }
};

TEST_F(AuditChain, RewritingAnApprovalAndRehashingTheRestIsDetected) {
  ASSERT_EQ(Do("admin", "POST", "/api/v1/households", Household("H1", "V11")).status, 201);
  AdmitCase("H1");
  const std::string seq = Scalar(Db(), "SELECT seq FROM audit WHERE action = 'approve' AND actor = 'county'");
  ASSERT_FALSE(seq.empty());
  ASSERT_EQ(server_->Stop(), 0);
  RewriteAndRehash(std::stoll(seq), [](engine::AuditEvent& e) { e.actor = "rev_T1"; });
  ASSERT_TRUE(server_->Restart());
  auto r = Do("admin", "GET", "/api/v1/audit/verify");
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["ok"], false) << "a rewritten, rehashed chain passed: " << r.raw;
  EXPECT_EQ(r.body["first_bad_seq"], std::stoll(seq)) << r.raw;
  EXPECT_NE(Cli({"audit", "verify"}).exit_code, 0);
}

TEST_F(AuditChain, RemovingTheSwitchOverPointIsDetected) {
  EXPECT_EQ(Do("admin", "GET", "/api/v1/audit/verify").body["ok"], true);
  ASSERT_EQ(server_->Stop(), 0);
  Sql(Db(), "DELETE FROM meta WHERE key LIKE 'audit_hmac%'", true);
  ASSERT_TRUE(server_->Restart());
  EXPECT_EQ(Do("admin", "GET", "/api/v1/audit/verify").body["ok"], false);
}

TEST_F(AuditChain, CheckpointDetectsTruncationAndATamperedCheckpoint) {
  auto cp = Cli({"audit", "checkpoint"});
  ASSERT_EQ(cp.exit_code, 0) << cp.out << cp.err;
  const std::string line = cp.out.substr(0, cp.out.find('\n'));
  ASSERT_EQ(line.rfind("dixian-audit-checkpoint v1 seq=", 0), 0u) << line;
  const std::string file = server_->dir().File("checkpoint.txt");
  std::ofstream(file) << line << "\n";
  EXPECT_EQ(Cli({"audit", "verify", "--checkpoint", file}).exit_code, 0);
  // Later work, then the attacker drops the newest events, back past the checkpoint.
  ASSERT_EQ(Do("admin", "POST", "/api/v1/households", Household("H1", "V11")).status, 201);
  const std::string checkpoint_seq = line.substr(line.find("seq=") + 4, line.find(' ', line.find("seq=")) - line.find("seq=") - 4);
  ASSERT_EQ(server_->Stop(), 0);
  Sql(Db(), "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq >= " + checkpoint_seq, true);
  auto plain = Cli({"audit", "verify"});
  EXPECT_EQ(plain.exit_code, 0) << "without a checkpoint a cut chain still holds: " << plain.out;
  auto checked = Cli({"audit", "verify", "--checkpoint", file});
  EXPECT_NE(checked.exit_code, 0) << checked.out;
  EXPECT_NE(checked.out.find("\"ok\":false"), std::string::npos) << checked.out;
  EXPECT_NE(checked.out.find("截断"), std::string::npos) << checked.out;
  // A checkpoint edited to point elsewhere fails its own MAC.
  std::string forged = line;
  forged.replace(forged.find("seq=") + 4, checkpoint_seq.size(), "1");
  auto bad = Cli({"audit", "verify", "--checkpoint", forged});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.out.find("检查点签名不符"), std::string::npos) << bad.out;
  // And over HTTP.
  ASSERT_TRUE(server_->Restart());
  auto http = Do("admin", "GET", "/api/v1/audit/verify?checkpoint=" + [&] {
    std::string q;
    for (char c : line) q += c == ' ' ? std::string("%20") : c == '+' ? std::string("%2B") : std::string(1, c);
    return q;
  }());
  EXPECT_EQ(http.body["ok"], false) << http.raw;
}

// Every write leaves an event, and no event holds a token, a robot URL or a signing secret.
TEST_F(AuditChain, WritesOutsideTheChainsAreAuditedWithoutSecrets) {
  ASSERT_EQ(Do("admin", "POST", "/api/v1/orgs", {{"code", "V13"}, {"name", "新村"}, {"level", "village"}, {"parent", "T1"}}).status, 201);
  auto imported = As("admin")->Request("POST", "/api/v1/orgs/import", "code,name,level,parent\nV14,又一村,village,T1\n",
                                       {{"Content-Type", "text/csv"}});
  ASSERT_EQ(imported.status, 200) << imported.body;
  auto user = Do("admin", "POST", "/api/v1/users", {{"id", "auditee"}, {"name", "新人"}, {"role", "village_clerk"}, {"org", "V13"}});
  ASSERT_EQ(user.status, 201);
  const std::string robot = "https://oapi.dingtalk.com/robot/send?access_token=robot-token-abcdef123456";
  ASSERT_EQ(Do("admin", "POST", "/api/v1/channels", {{"org", "V13"}, {"kind", "dingtalk"}, {"url", robot}, {"secret", "SECsigning-secret-0001"}}).status, 201);
  ASSERT_EQ(Do("clerk_V11", "POST", "/api/v1/households", Household("H1", "V11")).status, 201);
  auto csv = As("clerk_V11")->Request("POST", "/api/v1/households/import",
                                      "id,village,head_name,members,income_per_capita\nH2,V11,李四,3,3000\n",
                                      {{"Content-Type", "text/csv"}});
  ASSERT_EQ(csv.status, 200) << csv.body;
  AdmitCase("H1");
  ASSERT_EQ(Do("rev_T1", "PUT", "/api/v1/households/H1/contact", {{"user", "contact_V11"}}).status, 200);
  ASSERT_EQ(Do("contact_V11", "POST", "/api/v1/households/H1/visits", {{"mode", "home"}, {"note", "入户"}}).status, 201);
  auto reissued = Do("admin", "POST", "/api/v1/users/auditee/token");
  ASSERT_EQ(Do("admin", "POST", "/api/v1/users/auditee/revoke").status, 200);
  auto count = [&](const std::string& where) { return Scalar(Db(), "SELECT count(*) FROM audit WHERE " + where); };
  EXPECT_EQ(count("action = 'org_create' AND json_extract(data, '$.org') IN ('V13', 'V14')"), "2");
  EXPECT_EQ(count("action = 'org_create' AND json_extract(data, '$.via') = 'import'"), "1");
  EXPECT_EQ(count("action = 'user_create' AND json_extract(data, '$.user') = 'auditee' AND actor = 'admin'"), "1");
  EXPECT_EQ(count("action = 'channel_create' AND json_extract(data, '$.org') = 'V13'"), "1");
  EXPECT_EQ(count("action = 'household_create' AND household IN ('H1', 'H2') AND actor = 'clerk_V11'"), "2");
  EXPECT_EQ(count("action = 'visit' AND household = 'H1' AND actor = 'contact_V11'"), "1");
  EXPECT_EQ(count("action IN ('reissue_token', 'revoke_token') AND json_extract(data, '$.user') = 'auditee'"), "2");
  for (const std::string& secret : {user.body["token"].get<std::string>(), reissued.body["token"].get<std::string>(),
                                   std::string("robot-token-abcdef123456"), std::string("SECsigning-secret-0001")})
    EXPECT_EQ(count("instr(data || comment, '" + secret + "') > 0"), "0") << secret;
  EXPECT_EQ(Do("admin", "GET", "/api/v1/audit/verify").body["ok"], true);
}

// A database of the first release migrates: its events keep their SHA-256 links, events from the
// migration on carry HMACs, and the whole chain verifies.
TEST(AuditMigration, FirstReleaseDatabaseKeepsItsChainAndContinuesWithHmacs) {
  const std::string fixtures = std::string(DIXIAN_SOURCE_DIR) + "/tests/fixtures/";
  testing::TempDir dir;
  const std::string db = dir.File("v1.db");
  std::filesystem::copy_file(fixtures + "dixian-v1.db", db);
  const std::string old_events = Scalar(db, "SELECT count(*) FROM audit");
  ServerProcessOptions o;
  const char* other = std::getenv("DIXIAN_ATTACK_BINARY");
  o.binary = other ? other : DIXIAN_BINARY;
  o.db = db;
  o.fake_clock = "2026-03-12T09:00:00+08:00";
  ServerProcess server(o);
  ASSERT_TRUE(server.Start()) << server.error();
  auto admin = server.Admin();
  ASSERT_EQ(Call(*admin, "POST", "/api/v1/households",
                 {{"id", "h-new"}, {"village", "V11"}, {"head_name", "新户"}, {"members", 1}, {"income_per_capita", 1000}})
                .status,
            201);
  auto verdict = Call(*admin, "GET", "/api/v1/audit/verify");
  EXPECT_EQ(verdict.body["ok"], true) << verdict.raw;
  EXPECT_EQ(verdict.body["hmac_from"], std::stoll(old_events) + 1) << verdict.raw;
  EXPECT_EQ(Scalar(db, "SELECT count(*) FROM audit WHERE key_id = '' AND seq <= " + old_events), old_events);
  EXPECT_EQ(Scalar(db, "SELECT count(*) FROM audit WHERE key_id = '' AND seq > " + old_events), "0");
  EXPECT_NE(Scalar(db, "SELECT count(*) FROM audit WHERE key_id <> ''"), "0");
  EXPECT_EQ(server.Stop(), 0);
}

// A database written by a main build that had schema 3 without the audit key column (05:35 until
// this branch landed): version 5, plain SHA-256 events, no switch-over point. It opens, gains the
// columns and the point, and continues with HMACs.
TEST(AuditMigration, SchemaThreeWithoutTheKeyColumnIsCompleted) {
  const std::string fixtures = std::string(DIXIAN_SOURCE_DIR) + "/tests/fixtures/";
  testing::TempDir dir;
  const std::string db = dir.File("v5.db");
  std::filesystem::copy_file(fixtures + "dixian-v1.db", db);
  const std::string old_events = Scalar(db, "SELECT count(*) FROM audit");
  ServerProcessOptions o;
  const char* other = std::getenv("DIXIAN_ATTACK_BINARY");
  o.binary = other ? other : DIXIAN_BINARY;
  o.db = db;
  o.fake_clock = "2026-03-12T09:00:00+08:00";
  {
    ServerProcess first(o);
    ASSERT_TRUE(first.Start()) << first.error();
    ASSERT_EQ(first.Stop(), 0);
    o.key_file = dir.File("kept.key");  // the same key: only the schema differs
    std::filesystem::copy_file(first.key_file(), o.key_file);
    std::filesystem::permissions(o.key_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  Sql(db, "ALTER TABLE audit DROP COLUMN key_id", true);
  Sql(db, "ALTER TABLE users DROP COLUMN token_expires_at", true);
  Sql(db, "DELETE FROM meta WHERE key IN ('audit_hmac_from', 'audit_hmac_from_mac')", true);
  ServerProcess server(o);
  ASSERT_TRUE(server.Start()) << server.error();
  auto admin = server.Admin();
  ASSERT_EQ(Call(*admin, "POST", "/api/v1/households",
                 {{"id", "h-new"}, {"village", "V11"}, {"head_name", "新户"}, {"members", 1}, {"income_per_capita", 1000}})
                .status,
            201);
  auto verdict = Call(*admin, "GET", "/api/v1/audit/verify");
  EXPECT_EQ(verdict.body["ok"], true) << verdict.raw;
  EXPECT_EQ(verdict.body["hmac_from"], std::stoll(old_events) + 1) << verdict.raw;
  EXPECT_NE(Scalar(db, "SELECT count(*) FROM audit WHERE key_id <> ''"), "0");
  EXPECT_EQ(server.Stop(), 0);
}

TEST(AuditKey, ServerRefusesToStartWithoutAKeyOrWithAnOpenKeyFile) {
  testing::TempDir dir;
  const char* other = std::getenv("DIXIAN_ATTACK_BINARY");
  const std::string binary = other ? other : DIXIAN_BINARY;
  // No key at all (the environment of this test names none).
  ::unsetenv("DIXIAN_KEY_FILE");
  ::unsetenv("DIXIAN_MASTER_KEY");
  auto none = RunCommand(binary, {"serve", "--db", dir.File("a.db"), "--listen", "127.0.0.1:0"}, 20000);
  EXPECT_EQ(none.exit_code, 2) << none.out << none.err;
  EXPECT_NE((none.out + none.err).find("--key-file"), std::string::npos) << none.err;
  // A key file others may read.
  const std::string key = dir.File("open.key");
  ASSERT_EQ(RunCommand(binary, {"keys", "generate", key}).exit_code, 0);
  EXPECT_EQ(std::filesystem::status(key).permissions() & std::filesystem::perms::all, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::filesystem::permissions(key, std::filesystem::perms::group_read | std::filesystem::perms::others_read,
                               std::filesystem::perm_options::add);
  auto open = RunCommand(binary, {"serve", "--db", dir.File("b.db"), "--listen", "127.0.0.1:0", "--key-file", key}, 20000);
  EXPECT_EQ(open.exit_code, 2) << open.out << open.err;
  EXPECT_NE((open.out + open.err).find("chmod 600"), std::string::npos) << open.err;
}

}  // namespace
}  // namespace dixian::security
