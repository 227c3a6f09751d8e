// Durability of timers across a restart, and the audit hash chain against tampering.

#include <gtest/gtest.h>

#include <set>

#include "engine/core/sha256.h"
#include "engine/engine_tx.h"
#include "tests/support/engine_fixture.h"

namespace dixian::testing {
namespace {

class RestartAuditTest : public EngineFixture {};

// AuditHash writes the canonical JSON itself (hot path); it must stay byte-equal to what
// nlohmann::json dumps, or chains written by earlier versions would stop verifying.
TEST(AuditHashTest, MatchesCanonicalJson) {
  const std::vector<std::string> texts = {"",  "同意上报", "quote \" and \\ backslash", "tab\tnl\ncr\rbs\bff\f",
                                          std::string("nul\0x\x01\x1f\x7f", 8), "emoji 🙂 and é",
                                          "\"escapes first and last\n"};
  for (const auto& text : texts) {
    engine::AuditEvent e;
    e.at = 1772413200;
    e.case_id = "C00000001";
    e.household = "5201011012010001";
    e.actor = text;
    e.actor_role = "township_reviewer";
    e.actor_org = "520101101000";
    e.action = "approve";
    e.from_state = "township_review";
    e.to_state = text;
    e.comment = text;
    e.data = {{"note", text}, {"income_per_capita", 6500.5}, {"causes", {"illness"}}};
    e.prev_hash = std::string(64, 'a');
    const nlohmann::json canonical = {
        {"at", e.at},           {"case", e.case_id},    {"household", e.household}, {"actor", e.actor},
        {"role", e.actor_role}, {"org", e.actor_org},   {"action", e.action},       {"from", e.from_state},
        {"to", e.to_state},     {"comment", e.comment}, {"data", e.data},          {"prev", e.prev_hash}};
    EXPECT_EQ(engine::AuditHash(e), engine::Sha256Hex(canonical.dump())) << text;
  }
}

TEST_F(RestartAuditTest, TimersDueWhileStoppedFireOnceAfterReopening) {
  Admit("v11-1");  // Monday 2026-03-02 09:00
  auto timer_messages = [this] {
    return Outbox("reminder").size() + Outbox("overdue").size() + Outbox("escalation").size();
  };
  EXPECT_EQ(timer_messages(), 0u);
  CloseEngine();
  // While the server is down: handover (-1d, 0, +1d), assign_contact (-1d, 0, +1d, +3d) and
  // measures (-50%, -1d, 0, +1d, +3d) and national_entry (-50%, -1d, 0, +1d) all come due; the
  // visit's reminders (Mar 25, 31) do not.
  MoveTo(At("2026-03-20T08:00:00+08:00"));
  OpenEngine();
  EXPECT_EQ(RunDue(), 16);
  EXPECT_EQ(RunDue(), 0);
  EXPECT_EQ(Audit("overdue").size(), 4u);
  EXPECT_EQ(Audit("escalate").size(), 6u);
  EXPECT_EQ(Outbox("reminder").size(), 6u);
  EXPECT_EQ(timer_messages(), 16u);
  // A second restart fires nothing again.
  CloseEngine();
  OpenEngine();
  EXPECT_EQ(RunDue(), 0);
  MoveTo(At("2026-03-25T00:00:00+08:00"));
  EXPECT_EQ(RunDue(), 1);  // the visit's -7d reminder
  // Every fired point is recorded once per task and rung.
  std::set<std::string> seen;
  for (const auto& e : Audit()) {
    if (e["action"] != "overdue" && e["action"] != "escalate") continue;
    EXPECT_TRUE(seen.insert(e["data"]["task"].get<std::string>() + "#" +
                            std::to_string(e["data"]["fire_index"].get<int>())).second)
        << e.dump();
  }
}

TEST_F(RestartAuditTest, AdvanceClockFiresEachTimerAtItsOwnTime) {
  Admit("v11-1");
  auto r = reads_.AdvanceClock(Admin(), 18 * engine::kDaySeconds);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value()["now"], "2026-03-20T09:00:00+08:00");
  // Messages carry the engine time they fired at, not the time of the advance.
  const auto overdue = Outbox("overdue");
  ASSERT_FALSE(overdue.empty());
  for (const auto& row : overdue) EXPECT_EQ(Show(row["created_at"].get<Instant>()), row["payload"]["due_at"]) << row.dump();
  EXPECT_EQ(RunDue(), 0);
  auto denied = reads_.AdvanceClock(Who("county"), 60);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, engine::ErrorCode::kForbidden);
}

TEST_F(RestartAuditTest, ChainVerifiesAndNamesTheTamperedEvent) {
  const std::string id = Admit("v11-1");
  Must(&api::AssignContact, Who("rev_t1"), {{"user", "contact_a"}}, "v11-1");
  RunDueAt(At("2026-03-20T00:00:00+08:00"));
  const auto events = Audit();
  auto ok = reads_.VerifyAudit(Admin());
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.value()["ok"], true);
  EXPECT_EQ(ok.value()["events"], events.size());
  EXPECT_GT(events.size(), 10u);

  // An attacker with file access drops the trigger and rewrites the county's approval.
  std::int64_t target = 0;
  for (const auto& e : events)
    if (e["case"] == id && e["action"] == "approve" && e["actor"] == "county") target = e["seq"].get<std::int64_t>();
  ASSERT_GT(target, 0);
  Exec(UnguardAuditSql() + "UPDATE audit SET actor = 'rev_t1' WHERE seq = " + std::to_string(target));
  auto bad = reads_.VerifyAudit(Admin());
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad.value()["ok"], false);
  EXPECT_EQ(bad.value()["first_bad_seq"], target);
  EXPECT_EQ(bad.value()["events"], target - 1);
  EXPECT_NE(bad.value()["message"].get<std::string>().find(std::to_string(target)), std::string::npos);
}

TEST_F(RestartAuditTest, RehashingOneEventWithoutTheKeyIsCaughtThere) {
  Admit("v11-1");
  const auto events = Audit();
  ASSERT_GE(events.size(), 4u);
  // The attacker rewrites an event and recomputes its hash as a plain SHA-256 (the HMAC key is
  // not in the database): the event itself no longer matches, so the chain names it.
  const auto victim = events[1]["seq"].get<std::int64_t>();
  const auto row = Rows("SELECT * FROM audit WHERE seq = " + std::to_string(victim))[0];
  engine::AuditEvent e;
  e.seq = victim;
  e.at = row["at"].get<Instant>();
  e.case_id = row["case_id"].get<std::string>();
  e.household = row["household"].get<std::string>();
  e.actor = row["actor"].get<std::string>();
  e.actor_role = row["actor_role"].get<std::string>();
  e.actor_org = row["actor_org"].get<std::string>();
  e.action = row["action"].get<std::string>();
  e.from_state = row["from_state"].get<std::string>();
  e.to_state = row["to_state"].get<std::string>();
  e.comment = "改写";
  e.data = Json::parse(row["data"].get<std::string>());
  e.prev_hash = row["prev_hash"].get<std::string>();
  const std::string forged = engine::AuditHash(e);
  Exec(UnguardAuditSql() + "UPDATE audit SET comment = '改写', hash = '" + forged +
       "' WHERE seq = " + std::to_string(victim));
  auto bad = reads_.VerifyAudit(Admin());
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad.value()["ok"], false);
  EXPECT_EQ(bad.value()["first_bad_seq"], victim);
}

TEST_F(RestartAuditTest, AuditTableIsAppendOnly) {
  Admit("v11-1");
  EXPECT_FALSE(TryExecDb(db_path_, "UPDATE audit SET comment = 'x' WHERE seq = 1"));
  EXPECT_FALSE(TryExecDb(db_path_, "DELETE FROM audit WHERE seq = 1"));
  EXPECT_EQ(reads_.VerifyAudit(Admin()).value()["ok"], true);
}

}  // namespace
}  // namespace dixian::testing
