// Task handling around the chains: handover confirmation, transfer (转办), urging (催办), and who
// sees which task in "my tasks".
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/support/engine_fixture.h"

namespace dixian::testing {
namespace {

using engine::ErrorCode;

class TasksTest : public EngineFixture {
 protected:
  std::vector<std::string> MySteps(const std::string& user) {
    std::vector<std::string> out;
    auto r = reads_.MyTasks(Who(user));
    EXPECT_TRUE(r.ok());
    if (r.ok())
      for (const auto& t : r.value()) out.push_back(t["household"].get<std::string>() + ":" + t["step"].get<std::string>());
    std::sort(out.begin(), out.end());
    return out;
  }
};

TEST_F(TasksTest, HandoverIsConfirmedByTheCountyOnly) {
  Admit("v11-1");
  const std::string handover = TasksNamed("v11-1", "handover")[0]["id"];
  const std::string measures = TasksNamed("v11-1", "measures")[0]["id"];
  auto wrong = Run(&api::CompleteTask, Who("rev_t1"), Json::object(), handover);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kForbidden);
  auto by_event = Run(&api::CompleteTask, Who("rev_t1"), Json::object(), measures);
  ASSERT_FALSE(by_event.ok());  // measures complete by recording a measure, not by a click
  EXPECT_EQ(by_event.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(Must(&api::CompleteTask, Who("county"), Json::object(), handover)["status"], "done");
  EXPECT_TRUE(TasksNamed("v11-1", "handover").empty());
  auto again = Run(&api::CompleteTask, Who("county"), Json::object(), handover);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
}

TEST_F(TasksTest, TransferToAColleagueMovesTheStep) {
  AddUser({{"id", "rev_t1b"}, {"name", "东乡审核乙"}, {"role", "township_reviewer"}, {"org", "t1"}, {"mobile", "13900000001"}});
  const std::string id = Open("clerk_v11", "identification", "v11-1",
                              {{"type", "marginal"}, {"primary_cause", "illness"}})["id"];
  const std::string task = MustAct("clerk_v11", id, "submit")["tasks"][0]["id"];
  auto cross = Run(&api::TransferTask, Who("rev_t1"), {{"user", "rev_t2"}}, task);
  ASSERT_FALSE(cross.ok());
  EXPECT_EQ(cross.error().code, ErrorCode::kUnprocessable);
  auto moved = Must(&api::TransferTask, Who("rev_t1"), {{"user", "rev_t1b"}, {"comment", "出差"}}, task);
  EXPECT_EQ(moved["assignee"], "rev_t1b");
  EXPECT_TRUE(MySteps("rev_t1").empty());
  EXPECT_EQ(MySteps("rev_t1b"), (std::vector<std::string>{"v11-1:township_review"}));
  auto old = Act("rev_t1", id, "approve");
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(MustAct("rev_t1b", id, "approve")["state"], "county_decision");
  const auto transfer = Audit("transfer");
  ASSERT_EQ(transfer.size(), 1u);
  EXPECT_EQ(transfer[0]["data"]["to_user"], "rev_t1b");
}

TEST_F(TasksTest, SupervisorsUrgeAndSeeOnlyWhatIsLate) {
  Admit("v11-1");
  const std::string measures = TasksNamed("v11-1", "measures")[0]["id"];
  auto clerk = Run(&api::UrgeTask, Who("clerk_v11"), {{"comment", "快"}}, measures);
  ASSERT_FALSE(clerk.ok());
  EXPECT_EQ(clerk.error().code, ErrorCode::kForbidden);
  auto other = Run(&api::UrgeTask, Who("sup_t1"), {{"comment", "快"}}, TasksNamed("v11-1", "handover")[0]["id"]);
  ASSERT_FALSE(other.ok());  // the county's handover is outside the township supervisor's subtree
  EXPECT_EQ(other.error().code, ErrorCode::kForbidden);
  Must(&api::UrgeTask, Who("sup_county"), {{"comment", "请本周内落实措施"}}, measures);
  const auto urged = Outbox("reminder");
  ASSERT_EQ(urged.size(), 1u);
  EXPECT_EQ(urged[0]["channel"], "ch-t1");
  EXPECT_TRUE(urged[0]["urgent"].get<bool>());
  EXPECT_NE(urged[0]["payload"]["text"].get<std::string>().find("请本周内落实措施"), std::string::npos);
  EXPECT_EQ(Audit("urge")[0]["actor"], "sup_county");

  EXPECT_TRUE(MySteps("sup_county").empty());  // nothing late yet
  SetNow("2026-03-06T09:00:00+08:00");          // handover and assign_contact are due Mar 5
  EXPECT_EQ(MySteps("sup_county"), (std::vector<std::string>{"v11-1:assign_contact", "v11-1:handover"}));
  EXPECT_EQ(MySteps("sup_t1"), (std::vector<std::string>{"v11-1:assign_contact"}));
  EXPECT_EQ(MySteps("rev_t1"), (std::vector<std::string>{"v11-1:assign_contact", "v11-1:measures", "v11-1:national_entry"}));
  EXPECT_EQ(MySteps("rev_t2"), (std::vector<std::string>{}));
  EXPECT_EQ(MySteps("county"), (std::vector<std::string>{"v11-1:handover"}));
}

TEST_F(TasksTest, VisitTasksFollowTheContactPerson) {
  Admit("v11-1");
  Must(&api::AssignContact, Who("rev_t1"), {{"user", "contact_a"}}, "v11-1");
  EXPECT_EQ(MySteps("contact_a"), (std::vector<std::string>{"v11-1:visit"}));
  EXPECT_TRUE(MySteps("contact_b").empty());
  // The contact person leaves; the new one takes over the open visit.
  Must(&api::AssignContact, Who("rev_t1"), {{"user", "contact_b"}}, "v11-1");
  EXPECT_TRUE(MySteps("contact_a").empty());
  EXPECT_EQ(MySteps("contact_b"), (std::vector<std::string>{"v11-1:visit"}));
  auto old = Run(&api::LogVisit, Who("contact_a"), {{"mode", "home"}}, "v11-1");
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.error().code, ErrorCode::kForbidden);
  Must(&api::LogVisit, Who("contact_b"), {{"mode", "home"}, {"note", "交接后首次走访"}}, "v11-1");
  EXPECT_EQ(TasksNamed("v11-1", "visit")[0]["period"], "2026-04");
  EXPECT_EQ(TasksNamed("v11-1", "visit")[0]["assignee"], "contact_b");
}

}  // namespace
}  // namespace dixian::testing
