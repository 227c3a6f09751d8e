// Workflows are data: a new chain whose final state opens two new follow-up tasks, each completed
// by the domain event its file declares, is added here by writing JSON files only (no C++
// names a workflow, state or task). A typo in such a file is refused naming file:line:field.
#include <filesystem>
#include <fstream>

#include "tests/support/engine_fixture.h"

namespace dixian::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char kChain[] = R"({
  "name": "hardship_review",
  "label": "困难复核",
  "version": 1,
  "initial": "village_fill",
  "initiators": ["village_clerk"],
  "subject_status": ["risk_active"],
  "states": {
    "village_fill": {
      "label": "村级复核",
      "actor": {"level": "village", "role": "village_clerk"},
      "deadline": "5wd",
      "actions": {"submit": {"label": "提交乡镇", "to": "township_review"}}
    },
    "township_review": {
      "label": "乡镇复核",
      "actor": {"level": "township", "role": "township_reviewer"},
      "deadline": "3wd",
      "actions": {"approve": {"label": "复核通过", "to": "done"}}
    },
    "done": {
      "label": "复核完成",
      "final": true,
      "effects": [
        {"do": "open_task", "task": "income_check"},
        {"do": "open_task", "task": "review_visit"}
      ]
    }
  }
})";

constexpr const char kTasks[] = R"({
  "name": "hardship_followups",
  "label": "复核后续事项",
  "version": 1,
  "tasks": {
    "income_check": {
      "label": "核实收入并落实措施（5日内）",
      "actor": {"level": "township", "role": "township_reviewer"},
      "deadline": "5d",
      "reminders": ["-1d"],
      "escalation": [{"after": "0", "up": 0}, {"after": "1d", "up": 1}],
      "completed_by": "measure_recorded"
    },
    "review_visit": {
      "label": "复核后入户走访",
      "actor": {"level": "village", "role": "contact_person", "assignee": "contact_person"},
      "deadline": "10d",
      "completed_by": "visit_logged"
    }
  }
})";

// The shipped config and workflows, plus the two files above, in a temp config directory.
std::string ConfigWith(const TempDir& dir, const std::string& tasks_text) {
  const fs::path root = fs::path(dir.path()) / "config";
  const fs::path source = fs::path(DIXIAN_SOURCE_DIR);
  fs::create_directories(root / "workflows");
  fs::copy(source / "config", root, fs::copy_options::recursive);
  for (const auto& f : fs::directory_iterator(source / "workflows"))
    fs::copy(f.path(), root / "workflows");
  std::ofstream(root / "workflows" / "hardship_review.json") << kChain;
  std::ofstream(root / "workflows" / "hardship_followups.json") << tasks_text;
  return root.string();
}

class WorkflowDataTest : public EngineFixture {
 protected:
  void SetUp() override {
    config_dir_ = ConfigWith(config_, kTasks);
    EngineFixture::SetUp();
  }
  TempDir config_;
};

TEST_F(WorkflowDataTest, NewFollowUpTasksCompletedByTheirDeclaredEvents) {
  SeedMonitored("v11-1", "marginal", "illness");
  Must(&api::AssignContact, Who("rev_t1"), {{"user", "contact_a"}}, "v11-1");
  const std::string id = Open("clerk_v11", "hardship_review", "v11-1")["id"];
  MustAct("clerk_v11", id, "submit");
  EXPECT_EQ(MustAct("rev_t1", id, "approve")["state"], "done");

  EXPECT_EQ(OpenSteps("v11-1"), (std::vector<std::string>{"income_check", "review_visit"}));
  const auto check = TasksNamed("v11-1", "income_check");
  ASSERT_EQ(check.size(), 1u);
  EXPECT_EQ(check[0]["step_label"], "核实收入并落实措施（5日内）");
  EXPECT_EQ(check[0]["org"], "t1");
  EXPECT_EQ(check[0]["due_at"],
            "2026-03-08T00:00:00+08:00");  // end of the 5th day after Monday 03-02
  const auto visit = TasksNamed("v11-1", "review_visit");
  ASSERT_EQ(visit.size(), 1u);
  EXPECT_EQ(visit[0]["assignee"], "contact_a");  // the household's contact person, as declared

  // A measure is the event that completes income_check, and only it.
  Must(&api::RecordMeasure, Who("rev_t1"), {{"kind", "medical"}, {"description", "医疗救助"}},
       "v11-1");
  EXPECT_EQ(OpenSteps("v11-1"), (std::vector<std::string>{"review_visit"}));
  // A visit completes review_visit; it does not recur (no recurrence declared).
  Must(&api::LogVisit, Who("contact_a"), {{"mode", "home"}, {"note", "入户复核"}}, "v11-1");
  EXPECT_TRUE(OpenSteps("v11-1").empty());
  const auto done = Audit("task_done");
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[0]["from"], "income_check");
  EXPECT_EQ(done[0]["actor"], "rev_t1");
  EXPECT_EQ(done[1]["from"], "review_visit");
  EXPECT_EQ(done[1]["actor"], "contact_a");
  // Each new task was announced like any shipped one, with the label its file gives.
  std::vector<std::string> announced;
  for (const auto& m : Outbox("new_task")) announced.push_back(m["payload"]["step_label"]);
  EXPECT_EQ(announced, (std::vector<std::string>{"困难复核·村级复核", "困难复核·乡镇复核",
                                                 "核实收入并落实措施（5日内）", "复核后入户走访"}));
}

TEST(WorkflowDataLoad, AnUnknownCompletingEventIsRefusedNamingFileLineAndField) {
  TempDir dir;
  std::string typo = kTasks;
  typo.replace(typo.find("\"measure_recorded\""), 18, "\"measure_recordd\"");
  const std::string config = ConfigWith(dir, typo);
  auto r = engine::WorkflowRegistry::LoadDirectory(config + "/workflows");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind(
                config + "/workflows/hardship_followups.json:12: tasks.income_check.completed_by: "
                         "unknown event \"measure_recordd\"",
                0),
            0u)
      << r.error().message;
}

TEST(WorkflowDataLoad, AnEffectOutsideTheTableIsRefusedNamingTheField) {
  TempDir dir;
  std::string chain = kChain;
  const std::string row = "\"do\": \"open_task\", \"task\": \"income_check\"";
  chain.replace(chain.find(row), row.size(), "\"do\": \"send_money\", \"task\": \"income_check\"");
  const fs::path root = fs::path(dir.path()) / "workflows";
  fs::create_directories(root);
  std::ofstream(root / "hardship_review.json") << chain;
  std::ofstream(root / "hardship_followups.json") << kTasks;
  auto r = engine::WorkflowRegistry::LoadDirectory(root.string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(
      r.error().message.rfind(
          root.string() + "/hardship_review.json:25: states.done.effects.0.do: unknown effect "
                          "\"send_money\"",
          0),
      0u)
      << r.error().message;
}

}  // namespace
}  // namespace dixian::testing
