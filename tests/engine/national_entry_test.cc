// After the county decides, the township enters the object into the national system
// (由乡(镇)组织人员在国家系统中录入, seed 003): a follow-up task declared in workflows/, with a
// deadline, a confirmation and a place in the overdue report.
#include <gtest/gtest.h>

#include "tests/support/engine_fixture.h"

namespace dixian::testing {
namespace {

class NationalEntryTest : public EngineFixture {};

TEST_F(NationalEntryTest, CountyDecisionOpensTheTownshipsEntryTaskWithADeadline) {
  const std::string id = Open("clerk_v11", "identification", "v11-1", {{"type", "marginal"}, {"primary_cause", "illness"}})["id"];
  MustAct("clerk_v11", id, "submit");
  MustAct("rev_t1", id, "approve");
  EXPECT_TRUE(TasksNamed("v11-1", "national_entry").empty());  // not before the county decides
  MustAct("county", id, "approve");
  const auto tasks = TasksNamed("v11-1", "national_entry");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0]["org"], "t1");
  EXPECT_EQ(tasks[0]["role"], "township_reviewer");
  EXPECT_EQ(tasks[0]["due_at"], "2026-03-13T00:00:00+08:00");  // 10 days from Monday Mar 2
  EXPECT_EQ(tasks[0]["step_label"], "国家系统录入（乡镇组织，10日内）");
  // Only the township confirms it; the confirmation closes it on time.
  auto village = Run(&api::CompleteTask, Who("clerk_v11"), Json::object(), tasks[0]["id"]);
  ASSERT_FALSE(village.ok());
  SetNow("2026-03-09T15:00:00+08:00");
  Must(&api::CompleteTask, Who("rev_t1"), Json::object(), tasks[0]["id"]);
  EXPECT_TRUE(TasksNamed("v11-1", "national_entry").empty());
  const auto done = Audit("task_done");
  ASSERT_FALSE(done.empty());
  EXPECT_EQ(done.back()["actor"], "rev_t1");
  EXPECT_EQ(done.back()["data"]["late"], false);
}

TEST_F(NationalEntryTest, AnUnconfirmedEntryIsOverdueLikeAnyTask) {
  Admit("v11-1");
  Admit("v12-1");
  Must(&api::CompleteTask, Who("rev_t1"), Json::object(), TasksNamed("v11-1", "national_entry")[0]["id"]);
  RunDueAt(At("2026-03-13T12:00:00+08:00"));
  auto r = reads_.OverdueReport(Who("rev_t1"), "t1");
  ASSERT_TRUE(r.ok()) << r.error().message;
  int late_entries = 0;
  for (const auto& t : r.value()["tasks"])
    if (t["step"] == "national_entry") {
      ++late_entries;
      EXPECT_EQ(t["household"], "v12-1");
    }
  EXPECT_EQ(late_entries, 1);
  bool notified = false;
  for (const auto& m : Outbox("overdue"))
    if (m["payload"]["step"] == "national_entry") notified = m["channel"] == "ch-t1" && m["payload"]["household_id"] == "v12-1";
  EXPECT_TRUE(notified);
}

}  // namespace
}  // namespace dixian::testing
