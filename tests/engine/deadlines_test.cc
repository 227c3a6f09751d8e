// Deadlines, reminders and escalation on the engine clock: the 10-day measures rule, working days
// across the 2026 Spring Festival, each timer exactly once however often RunDue runs.
#include <gtest/gtest.h>

#include "tests/support/engine_fixture.h"

namespace dixian::testing {
namespace {

class DeadlinesTest : public EngineFixture {
 protected:
  // "kind@channel" of every timer message about the task (new_task excluded), oldest first.
  std::vector<std::string> Fired(const std::string& task_id) {
    std::vector<std::string> out;
    for (const auto& m : Outbox())
      if (m["kind"] != "new_task" && m["payload"].value("task_id", "") == task_id)
        out.push_back(m["kind"].get<std::string>() + "@" + m["channel"].get<std::string>());
    return out;
  }
  // "action/up" of the timer audit events about the task.
  std::vector<std::string> TimerEvents(const std::string& task_id) {
    std::vector<std::string> out;
    for (const auto& e : Audit())
      if ((e["action"] == "overdue" || e["action"] == "escalate") && e["data"]["task"] == task_id)
        out.push_back(e["action"].get<std::string>() + "/" + std::to_string(e["data"]["up"].get<int>()));
    return out;
  }
  std::string TaskId(const std::string& household, const std::string& step) {
    auto tasks = TasksNamed(household, step);
    EXPECT_EQ(tasks.size(), 1u) << household << " " << step;
    return tasks.empty() ? "" : tasks[0]["id"].get<std::string>();
  }
};

TEST_F(DeadlinesTest, TenDayMeasuresRule) {
  Admit("v11-1");  // day 0: Monday 2026-03-02 09:00
  Admit("v11-2");
  const std::string late = TaskId("v11-1", "measures");
  const std::string done = TaskId("v11-2", "measures");
  EXPECT_EQ(TasksNamed("v11-1", "measures")[0]["due_at"], "2026-03-13T00:00:00+08:00");

  // v11-2's measure is recorded on day 3: the task completes and its timers stop.
  SetNow("2026-03-05T10:00:00+08:00");
  Must(&api::RecordMeasure, Who("rev_t1"), {{"kind", "minimum_living"}, {"description", "纳入低保"},
                                               {"department", "civil_affairs"}}, "v11-2");
  EXPECT_TRUE(TasksNamed("v11-2", "measures").empty());
  const auto row = Rows("SELECT status, next_fire_at FROM tasks WHERE id = " + done)[0];
  EXPECT_EQ(row["status"], "done");
  EXPECT_TRUE(row["next_fire_at"].is_null());
  EXPECT_EQ(Audit("task_done").back()["data"]["late"], false);

  // Through the end of day 10 only the two reminders (-50%, -1d) fire, in the township's channel.
  RunDueAt(At("2026-03-07T16:29:59+08:00"));
  EXPECT_TRUE(Fired(late).empty());
  RunDueAt(At("2026-03-07T16:30:00+08:00"));  // half of 10d15h before the due time
  EXPECT_EQ(Fired(late), (std::vector<std::string>{"reminder@ch-t1"}));
  RunDueAt(At("2026-03-12T23:59:59+08:00"));
  RunDue();
  EXPECT_EQ(Fired(late), (std::vector<std::string>{"reminder@ch-t1", "reminder@ch-t1"}));
  EXPECT_TRUE(TimerEvents(late).empty());

  // The start of day 11: the overdue notice, once.
  RunDueAt(At("2026-03-13T00:00:00+08:00"));
  RunDue();
  RunDue();
  EXPECT_EQ(TimerEvents(late), (std::vector<std::string>{"overdue/0"}));
  RunDueAt(At("2026-03-13T23:59:59+08:00"));
  EXPECT_EQ(TimerEvents(late), (std::vector<std::string>{"overdue/0"}));
  // +1 day: escalated one level up (the county), once.
  RunDueAt(At("2026-03-14T00:00:00+08:00"));
  RunDue();
  EXPECT_EQ(TimerEvents(late), (std::vector<std::string>{"overdue/0", "escalate/1"}));
  // +3 days: two levels up (the city).
  RunDueAt(At("2026-03-16T00:00:00+08:00"));
  RunDueAt(At("2026-04-30T00:00:00+08:00"));
  EXPECT_EQ(TimerEvents(late), (std::vector<std::string>{"overdue/0", "escalate/1", "escalate/2"}));
  EXPECT_EQ(Fired(late), (std::vector<std::string>{"reminder@ch-t1", "reminder@ch-t1", "overdue@ch-t1",
                                                   "escalation@ch-county", "escalation@ch-city"}));
  EXPECT_TRUE(Fired(done).empty());
  const auto escalation = Outbox("escalation");
  bool seen = false;
  for (const auto& m : escalation)
    if (m["payload"]["task_id"] == late && m["channel"] == "ch-county") {
      seen = true;
      EXPECT_TRUE(m["urgent"].get<bool>());
      EXPECT_EQ(m["payload"]["escalation_level"], 1);
      EXPECT_EQ(m["payload"]["mobiles"], Json({"13800000016"}));  // sup_county
      EXPECT_EQ(m["payload"]["days_left"], -1);
    }
  EXPECT_TRUE(seen);
  // Still open and overdue; a late measure closes it as late and nothing more fires.
  EXPECT_EQ(TasksNamed("v11-1", "measures")[0]["overdue"], true);
  Must(&api::RecordMeasure, Who("rev_t1"), {{"kind", "medical"}, {"description", "医疗救助"}}, "v11-1");
  EXPECT_EQ(Audit("task_done").back()["data"]["late"], true);
  EXPECT_EQ(RunDueAt(At("2026-04-30T00:00:01+08:00")), 0);
}

// RunDue fires in pipelined write jobs of timer_batch timers (the next queued once the previous
// has run): with batches of 3, the eight measures and visit reminders due at one instant take
// several jobs and each fires exactly once.
TEST_F(DeadlinesTest, TimersDueAtOneInstantFireOnceAcrossBatches) {
  for (const char* household : {"v11-1", "v11-2", "v11-3", "v11-4"}) Admit(household);
  CloseEngine();
  timer_batch_ = 3;
  OpenEngine();
  std::vector<std::string> tasks;
  for (const char* household : {"v11-1", "v11-2", "v11-3", "v11-4"})
    tasks.push_back(TaskId(household, "measures"));
  const Json due = Rows("SELECT COUNT(*) AS n FROM tasks WHERE next_fire_at <= " +
                        std::to_string(At("2026-03-07T16:30:00+08:00")));
  EXPECT_EQ(due[0]["n"], 16);  // four follow-ups of each household: several batches of 3
  const auto rungs = [&] { return Rows("SELECT SUM(fire_index) AS n FROM tasks")[0]["n"].get<std::int64_t>(); };
  const std::int64_t before = rungs();
  // Every timer fired once moved its task one rung on; some tasks had two rungs due by then.
  const std::int64_t fired = RunDueAt(At("2026-03-07T16:30:00+08:00"));
  EXPECT_EQ(fired, rungs() - before);
  EXPECT_EQ(fired, 32);
  for (const auto& id : tasks) EXPECT_EQ(Fired(id), (std::vector<std::string>{"reminder@ch-t1"})) << id;
  EXPECT_EQ(RunDue(), 0);
  for (const auto& id : tasks) EXPECT_EQ(Fired(id), (std::vector<std::string>{"reminder@ch-t1"})) << id;
}

TEST_F(DeadlinesTest, WorkingDaysAcrossTheSpringFestival) {
  SetNow("2026-02-13T09:00:00+08:00");  // Friday before the 2026 Spring Festival holiday
  const std::string id = Open("clerk_v11", "identification", "v11-1",
                              {{"type", "marginal"}, {"primary_cause", "accident"}})["id"];
  const auto c = MustAct("clerk_v11", id, "submit");
  ASSERT_EQ(c["tasks"].size(), 1u);
  const std::string task = c["tasks"][0]["id"];
  // 3 working days after Feb 13: Sat Feb 14 (调休上班), then Feb 15-23 are holidays, Tue Feb 24,
  // Wed Feb 25 -> due at the end of Feb 25.
  const Instant due = engine_->calendar().EndOfWorkingDays(At("2026-02-13T09:00:00+08:00"), 3);
  EXPECT_EQ(Show(due), "2026-02-26T00:00:00+08:00");
  EXPECT_EQ(c["tasks"][0]["due_at"], "2026-02-26T00:00:00+08:00");

  // Reminders: -50% of the 12d15h (Feb 19 16:30) and -1d (Feb 25 00:00).
  RunDueAt(At("2026-02-19T16:29:59+08:00"));
  EXPECT_TRUE(Fired(task).empty());
  RunDueAt(At("2026-02-19T16:30:00+08:00"));
  RunDueAt(At("2026-02-24T23:59:59+08:00"));
  EXPECT_EQ(Fired(task), (std::vector<std::string>{"reminder@ch-t1"}));
  RunDueAt(At("2026-02-25T00:00:00+08:00"));
  EXPECT_EQ(Fired(task), (std::vector<std::string>{"reminder@ch-t1", "reminder@ch-t1"}));
  // Escalation ladder: +0 at the township, +1wd (Feb 27 00:00) the county, +3wd (Feb 27, Sat Feb 28
  // 调休上班, Mon Mar 2 -> Mar 2 00:00) the city. Each exactly once.
  RunDueAt(At("2026-02-26T00:00:00+08:00"));
  RunDue();
  RunDueAt(At("2026-02-26T23:59:59+08:00"));
  EXPECT_EQ(TimerEvents(task), (std::vector<std::string>{"overdue/0"}));
  EXPECT_EQ(Show(engine_->calendar().AddWorkingDaysKeepTime(due, 1)), "2026-02-27T00:00:00+08:00");
  EXPECT_EQ(Show(engine_->calendar().AddWorkingDaysKeepTime(due, 3)), "2026-03-02T00:00:00+08:00");
  RunDueAt(At("2026-02-27T00:00:00+08:00"));
  RunDueAt(At("2026-03-01T23:59:59+08:00"));
  EXPECT_EQ(TimerEvents(task), (std::vector<std::string>{"overdue/0", "escalate/1"}));
  RunDueAt(At("2026-03-02T00:00:00+08:00"));
  RunDue();
  RunDueAt(At("2026-03-31T00:00:00+08:00"));
  EXPECT_EQ(TimerEvents(task), (std::vector<std::string>{"overdue/0", "escalate/1", "escalate/2"}));
  EXPECT_EQ(Fired(task), (std::vector<std::string>{"reminder@ch-t1", "reminder@ch-t1", "overdue@ch-t1",
                                                   "escalation@ch-county", "escalation@ch-city"}));
  // The audit events are by the system, on the case, at the township step.
  for (const auto& e : Audit("escalate")) {
    EXPECT_EQ(e["actor"], "system");
    EXPECT_EQ(e["case"], id);
    EXPECT_EQ(e["from"], "township_review");
  }
}

TEST_F(DeadlinesTest, TwoWorkingDaysFromTheFridayBeforeTheFestival) {
  SeedMonitored("v11-1", "marginal", "illness");
  SetNow("2026-02-13T09:00:00+08:00");
  const std::string id = Open("clerk_v11", "alert", "v11-1", {{"item", "water"}})["id"];
  const auto c = MustAct("clerk_v11", id, "submit");
  // 2wd: Sat Feb 14 (调休上班) and Tue Feb 24 -> the end of Feb 24.
  EXPECT_EQ(c["tasks"][0]["due_at"], "2026-02-25T00:00:00+08:00");
  EXPECT_EQ(Show(engine_->calendar().EndOfWorkingDays(At("2026-02-13T09:00:00+08:00"), 2)),
            "2026-02-25T00:00:00+08:00");
}

TEST_F(DeadlinesTest, MonthlyVisitsAcrossMonthEnds) {
  SetNow("2026-01-31T10:00:00+08:00");
  Admit("v11-1");
  Must(&api::AssignContact, Who("rev_t1"), {{"user", "contact_a"}}, "v11-1");
  auto jan = TasksNamed("v11-1", "visit");
  ASSERT_EQ(jan.size(), 1u);
  EXPECT_EQ(jan[0]["period"], "2026-01");
  EXPECT_EQ(jan[0]["due_at"], "2026-02-01T00:00:00+08:00");
  EXPECT_EQ(jan[0]["assignee"], "contact_a");
  const std::string jan_id = jan[0]["id"];

  // January is missed: overdue at Feb 1 00:00 and February's visit is opened, once.
  RunDueAt(At("2026-02-01T00:00:00+08:00"));
  RunDue();
  EXPECT_EQ(TimerEvents(jan_id), (std::vector<std::string>{"overdue/0"}));
  MoveTo(At("2026-02-01T00:00:01+08:00"));  // "overdue" in task lists means strictly after due_at
  auto open = TasksNamed("v11-1", "visit");
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(open[0]["period"], "2026-01");  // overdue first
  EXPECT_EQ(open[0]["overdue"], true);
  EXPECT_EQ(open[1]["period"], "2026-02");
  EXPECT_EQ(open[1]["due_at"], "2026-03-01T00:00:00+08:00");
  EXPECT_EQ(open[1]["assignee"], "contact_a");
  // +3d: escalated to the township, once.
  RunDueAt(At("2026-02-04T00:00:00+08:00"));
  RunDue();
  EXPECT_EQ(TimerEvents(jan_id), (std::vector<std::string>{"overdue/0", "escalate/1"}));
  EXPECT_EQ(Fired(jan_id), (std::vector<std::string>{"overdue@ch-v11", "escalation@ch-t1"}));

  // A visit in February closes the open visits (January's as late) and opens March's.
  SetNow("2026-02-10T15:00:00+08:00");
  Exec("UPDATE households SET away_long_term = 1 WHERE id = 'v11-1'");  // WeChat: away only
  Must(&api::LogVisit, Who("contact_a"), {{"mode", "wechat"}, {"note", "外出务工，微信视频回访"}}, "v11-1");
  open = TasksNamed("v11-1", "visit");
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0]["period"], "2026-03");
  EXPECT_EQ(open[0]["due_at"], "2026-04-01T00:00:00+08:00");
  const auto done = Audit("task_done");
  ASSERT_EQ(done.size(), 3u);  // assign_contact, January's and February's visits
  EXPECT_EQ(done[1]["data"]["period"], "2026-01");
  EXPECT_EQ(done[1]["data"]["late"], true);
  EXPECT_EQ(done[2]["data"]["period"], "2026-02");
  EXPECT_EQ(done[2]["data"]["late"], false);
  // Nothing more for January or February; March's visit reminds 7 days and 1 day before its end.
  RunDueAt(At("2026-03-31T12:00:00+08:00"));
  EXPECT_EQ(TimerEvents(jan_id).size(), 2u);
  EXPECT_EQ(Fired(open[0]["id"]), (std::vector<std::string>{"reminder@ch-v11", "reminder@ch-v11"}));
}

TEST_F(DeadlinesTest, AMissedMonthOpensTheNextAndEscalates) {
  SetNow("2026-03-15T10:00:00+08:00");
  Admit("v11-1");
  Must(&api::AssignContact, Who("rev_t1"), {{"user", "contact_a"}}, "v11-1");
  // Nobody visits for two months: each month becomes overdue, escalates, and the next opens.
  RunDueAt(At("2026-05-10T00:00:00+08:00"));
  std::vector<std::string> periods;
  for (const auto& t : TasksNamed("v11-1", "visit")) periods.push_back(t["period"]);
  EXPECT_EQ(periods, (std::vector<std::string>{"2026-03", "2026-04", "2026-05"}));
  int overdue = 0, escalated = 0;
  for (const auto& e : Audit()) {
    if (e["from"] != "visit") continue;
    overdue += e["action"] == "overdue" ? 1 : 0;
    escalated += e["action"] == "escalate" ? 1 : 0;
  }
  EXPECT_EQ(overdue, 2);    // March (Apr 1) and April (May 1)
  EXPECT_EQ(escalated, 2);  // Apr 4 and May 4
  EXPECT_EQ(RunDue(), 0);
}

}  // namespace
}  // namespace dixian::testing
