// A contact person who leaves (seed 004: 没有及时安排新的帮扶联系人): revoked or moved to another
// org, their households go back at once to the township's 明确帮扶联系人 task with a new 2-day
// deadline, in the same transaction as the revocation or move, audited.
#include <gtest/gtest.h>

#include "tests/support/engine_fixture.h"

namespace dixian::testing {
namespace {

using engine::ErrorCode;

class ContactLeavesTest : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    for (const char* hh : {"v11-1", "v11-2"}) {
      Admit(hh);
      Must(&api::AssignContact, Who("rev_t1"), {{"user", "contact_a"}}, hh);
    }
    Admit("v11-3");
    Must(&api::AssignContact, Who("rev_t1"), {{"user", "contact_b"}}, "v11-3");
    SetNow("2026-03-05T10:00:00+08:00");  // a Thursday
  }
  Json Released() {
    return Rows("SELECT household, actor, from_state FROM audit WHERE action = 'release_contact'"
                " ORDER BY seq");
  }
};

TEST_F(ContactLeavesTest, RevokedContactsHouseholdsGoBackToTheTownshipAtOnce) {
  ASSERT_TRUE(TasksNamed("v11-1", "assign_contact").empty());  // named on the first day
  ASSERT_EQ(TasksNamed("v11-1", "visit").at(0)["assignee"], "contact_a");
  Must(&api::RevokeUser, Admin(), Json::object(), "contact_a");
  for (const char* hh : {"v11-1", "v11-2"}) {
    SCOPED_TRACE(hh);
    EXPECT_EQ(Monitoring(hh)["contact"], nullptr);
    const auto named = TasksNamed(hh, "assign_contact");
    ASSERT_EQ(named.size(), 1u);
    EXPECT_EQ(named[0]["org"], "t1");
    EXPECT_EQ(named[0]["role"], "township_reviewer");
    EXPECT_EQ(named[0]["due_at"], "2026-03-08T00:00:00+08:00");  // 2 days: the end of Mar 7
    EXPECT_EQ(TasksNamed(hh, "visit").at(0)["assignee"], nullptr);
  }
  // contact_b's household keeps its contact.
  EXPECT_EQ(Monitoring("v11-3")["contact"], "contact_b");
  EXPECT_TRUE(TasksNamed("v11-3", "assign_contact").empty());
  EXPECT_EQ(Released(), Json::parse(R"([{"household":"v11-1","actor":"admin","from_state":"contact_a"},
                                        {"household":"v11-2","actor":"admin","from_state":"contact_a"}])"));
  // The township names a new one: the task completes, the visits follow the new person.
  Must(&api::AssignContact, Who("rev_t1"), {{"user", "contact_b"}}, "v11-1");
  EXPECT_TRUE(TasksNamed("v11-1", "assign_contact").empty());
  EXPECT_EQ(TasksNamed("v11-1", "visit").at(0)["assignee"], "contact_b");
  auto verify = reads_.VerifyAudit(Admin());
  ASSERT_TRUE(verify.ok());
  EXPECT_EQ((*verify)["ok"], true);
}

TEST_F(ContactLeavesTest, MovedAwayContactsHouseholdsGoBackButNotThoseStillInRemit) {
  // To the township of the same villages: still in remit, nothing changes.
  auto same = Must(&api::MoveUser, Admin(), {{"org", "t1"}}, "contact_a");
  EXPECT_EQ(same["released_households"], 0);
  EXPECT_EQ(Monitoring("v11-1")["contact"], "contact_a");
  EXPECT_TRUE(Released().empty());
  // To another township: both households go back to t1 at once.
  auto away = Must(&api::MoveUser, Admin(), {{"org", "v21"}}, "contact_a");
  EXPECT_EQ(away, Json::parse(R"({"id":"contact_a","from":"t1","org":"v21","released_households":2})"));
  EXPECT_EQ(Monitoring("v11-1")["contact"], nullptr);
  EXPECT_EQ(TasksNamed("v11-2", "assign_contact").at(0)["due_at"], "2026-03-08T00:00:00+08:00");
  EXPECT_EQ(Released().size(), 2u);
  EXPECT_EQ(Rows("SELECT org FROM users WHERE id = 'contact_a'"), Json::parse(R"([{"org":"v21"}])"));
}

TEST_F(ContactLeavesTest, AnOverdueNamingTaskStartsAgainWithANewDeadline) {
  Admit("v12-1");  // the township has not named anyone: its task is due on Mar 7 already
  SetNow("2026-03-20T10:00:00+08:00");
  Exec("UPDATE monitoring SET contact = 'contact_a' WHERE household = 'v12-1'");
  ASSERT_EQ(TasksNamed("v12-1", "assign_contact").size(), 1u);
  Must(&api::RevokeUser, Admin(), Json::object(), "contact_a");
  const auto named = TasksNamed("v12-1", "assign_contact");
  ASSERT_EQ(named.size(), 1u);
  EXPECT_EQ(named[0]["due_at"], "2026-03-23T00:00:00+08:00");
}

TEST_F(ContactLeavesTest, MovingNeedsAKnownOrgAndTheAdmin) {
  auto unknown = Run(&api::MoveUser, Admin(), {{"org", "nowhere"}}, "contact_a");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kUnprocessable);
  EXPECT_NE(unknown.error().message.find("org"), std::string::npos);
  auto by_county = Run(&api::MoveUser, Who("county"), {{"org", "v21"}}, "contact_a");
  ASSERT_FALSE(by_county.ok());
  EXPECT_EQ(by_county.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(Monitoring("v11-1")["contact"], "contact_a");
  EXPECT_TRUE(Released().empty());
}

}  // namespace
}  // namespace dixian::testing
