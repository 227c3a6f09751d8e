// The open-task counters (task_counts, migration 11) that the overdue report reads instead of
// scanning every open task: after a seeded random mix of admissions, open chains, approvals,
// returns, transfers, completed follow-ups, measures and fired timers, they equal a full recount
// of the tasks table, also after a restart.
#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "tests/support/engine_fixture.h"

namespace dixian::testing {
namespace {

using Key = std::tuple<std::string, std::string, std::string>;  // assignee, org, role
struct Tally {
  std::int64_t open = 0, overdue = 0;
  Instant oldest_due = 0;
  bool operator==(const Tally&) const = default;
};

class TaskCountsTest : public EngineFixture {
 protected:
  // The counters as OpenTaskGroups reads them, and the same figures recounted from every open
  // task row (OpenTasksDueBy reads the tasks table itself).
  void ExpectCountersEqualRecount(const std::string& when) {
    auto view = store_->Read();
    const Instant now = Now();
    std::map<Key, Tally> counted, recounted;
    for (const auto& g : view->OpenTaskGroups("/", now))
      counted[{g.assignee, g.org, engine::Name(g.role)}] = {g.open, g.overdue, g.overdue ? g.oldest_due : 0};
    for (const auto& t :
         view->OpenTasksDueBy("/", "", std::numeric_limits<Instant>::max(), 1 << 30)) {
      Tally& r = recounted[{t.assignee, t.org, engine::Name(t.role)}];
      ++r.open;
      if (t.due_at > now) continue;
      r.oldest_due = r.overdue ? std::min(r.oldest_due, t.due_at) : t.due_at;
      ++r.overdue;
    }
    ASSERT_FALSE(view->failure());
    EXPECT_EQ(counted, recounted) << when;
    std::int64_t open = 0;
    for (const auto& [_, r] : recounted) open += r.open;
    EXPECT_EQ(view->CountOpenTasks(), open) << when;
  }

  // The open tasks with this step, as admin sees them.
  std::vector<Json> OpenTasks(const std::string& step) {
    std::vector<Json> out;
    for (const char* v : {"v11", "v12", "v21", "v22"})
      for (int n = 1; n <= 4; ++n)
        for (const auto& t : TasksNamed(std::string(v) + "-" + std::to_string(n), step)) out.push_back(t);
    return out;
  }
};

TEST_F(TaskCountsTest, EqualAFullRecountAfterARandomMixOfTransitions) {
  AddUser({{"id", "rev_t1b"}, {"name", "东乡审核乙"}, {"role", "township_reviewer"}, {"org", "t1"},
           {"mobile", "13900000001"}});
  std::mt19937 rng(20261129);
  auto pick = [&rng](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  const std::vector<std::string> households = {"v11-1", "v11-2", "v11-3", "v11-4", "v12-1", "v12-2",
                                               "v12-3", "v12-4", "v21-1", "v21-2", "v21-3", "v21-4"};
  const std::map<std::string, std::string> clerk = {{"v11", "clerk_v11"}, {"v12", "clerk_v12"}, {"v21", "clerk_v21"}};
  const std::map<std::string, std::string> reviewer = {{"v11", "rev_t1"}, {"v12", "rev_t1"}, {"v21", "rev_t2"}};
  std::map<std::string, std::string> open_case;  // household -> identification case at township
  std::set<std::string> admitted, used;  // used: has had an identification case
  int done = 0;
  for (int step = 0; step < 150; ++step) {
    const std::string& h = households[pick(households.size())];
    const std::string village = h.substr(0, 3);
    switch (pick(7)) {
      case 0:  // a whole admission chain: follow-up tasks open
        if (used.count(h) || village == "v21") break;  // the fixture's Admit acts in t1
        Admit(h), admitted.insert(h), used.insert(h), ++done;
        break;
      case 1: {  // an identification submitted: a township review task opens
        if (used.count(h)) break;
        used.insert(h);
        auto c = Run(&api::CreateCase, Who(clerk.at(village)),
                     {{"workflow", "identification"}, {"household", h},
                      {"data", {{"type", "marginal"}, {"primary_cause", "illness"}}}});
        if (!c.ok()) break;
        const std::string id = c.value()["id"];
        if (Act(clerk.at(village), id, "submit").ok()) open_case[h] = id, ++done;
        break;
      }
      case 2: {  // the township returns or approves it
        auto it = open_case.find(h);
        if (it == open_case.end()) break;
        const std::string action = pick(2) ? "approve" : "return";
        // After a transfer only the colleague may act.
        if (Act(reviewer.at(village), it->second, action, "退回补充").ok() ||
            Act("rev_t1b", it->second, action, "退回补充").ok())
          ++done;
        open_case.erase(it);
        break;
      }
      case 3: {  // a township review moved to a colleague (the group's assignee changes)
        auto tasks = OpenTasks("township_review");
        if (tasks.empty()) break;
        const Json& t = tasks[pick(tasks.size())];
        if (t.value("org", "") != "t1" || t.value("assignee", "") == "rev_t1b") break;
        if (Run(&api::TransferTask, Who("rev_t1"), {{"user", "rev_t1b"}}, t["id"]).ok()) ++done;
        break;
      }
      case 4: {  // a handover confirmed
        auto tasks = OpenTasks("handover");
        if (tasks.empty()) break;
        if (Run(&api::CompleteTask, Who("county"), Json::object(), tasks[pick(tasks.size())]["id"]).ok()) ++done;
        break;
      }
      case 5:  // a measure recorded: the measures follow-up completes on the event
        if (!admitted.count(h)) break;
        if (Run(&api::RecordMeasure, Who(reviewer.at(village)),
                {{"kind", "medical"}, {"description", "大病医保倾斜"}, {"department", "medical"}}, h)
                .ok())
          ++done;
        break;
      case 6:  // days pass: reminders and escalations fire, some tasks fall overdue
        RunDueAt(Now() + static_cast<Instant>(1 + pick(4)) * 86400);
        ++done;
        break;
    }
  }
  EXPECT_GT(done, 40) << "the mix did too little to test anything";
  ASSERT_NO_FATAL_FAILURE(ExpectCountersEqualRecount("after the mix"));
  {
    auto view = store_->Read();
    std::int64_t overdue = 0;
    for (const auto& g : view->OpenTaskGroups("/", Now())) overdue += g.overdue;
    EXPECT_GT(overdue, 0) << "the mix should leave some tasks overdue";
  }
  CloseEngine();
  OpenEngine();
  ASSERT_NO_FATAL_FAILURE(ExpectCountersEqualRecount("after a restart"));
}

}  // namespace
}  // namespace dixian::testing
