// Workflow definitions: refusals name the file, the line and the field; a new version of a
// workflow does not disturb cases running on the old one.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/workflow/loader.h"
#include "tests/support/engine_fixture.h"

namespace dixian::testing {
namespace {

using engine::LoadWorkflowText;

// Line numbers matter: the refusals below name them.
constexpr const char* kPilotV1 = R"({
  "name": "pilot",
  "label": "试点流程",
  "version": 1,
  "initial": "draft",
  "initiators": ["village_clerk"],
  "states": {
    "draft": {
      "label": "村级起草",
      "actor": {"level": "village", "role": "village_clerk"},
      "deadline": "2wd",
      "actions": {"submit": {"label": "提交", "to": "review"}}
    },
    "review": {
      "label": "乡镇审核",
      "actor": {"level": "township", "role": "township_reviewer"},
      "deadline": "3wd",
      "actions": {"approve": {"label": "通过", "to": "done"}}
    },
    "done": {"label": "完成", "final": true}
  }
}
)";

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The refusal message for `text`, or "" if it loaded.
std::string Refusal(const std::string& text) {
  auto r = LoadWorkflowText(text, "tests/pilot.json");
  return r.ok() ? "" : r.error().message;
}

TEST(DefinitionsTest, ThePilotLoads) {
  auto r = LoadWorkflowText(kPilotV1, "tests/pilot.json");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value()->state_order, (std::vector<std::string>{"draft", "review", "done"}));
}

TEST(DefinitionsTest, UnknownStateInTo) {
  const auto msg = Refusal(Replace(kPilotV1, R"("to": "done")", R"("to": "finished")"));
  EXPECT_EQ(msg, "tests/pilot.json:18: states.review.actions.approve.to: unknown state \"finished\"");
}

TEST(DefinitionsTest, UnreachableState) {
  const auto msg = Refusal(Replace(kPilotV1, R"(    "done": {"label": "完成", "final": true})",
                                   "    \"done\": {\"label\": \"完成\", \"final\": true},\n"
                                   "    \"archived\": {\"label\": \"归档\", \"final\": true}"));
  EXPECT_EQ(msg, "tests/pilot.json:21: states.archived: is unreachable from the initial state \"draft\"");
}

TEST(DefinitionsTest, NonFinalStateWithoutActions) {
  const auto msg = Refusal(Replace(kPilotV1, R"("actions": {"approve": {"label": "通过", "to": "done"}})",
                                   R"("actions": {})"));
  EXPECT_EQ(msg.rfind("tests/pilot.json:14: states.review: has no way out and is not final", 0), 0u) << msg;
}

TEST(DefinitionsTest, UnknownRole) {
  const auto msg = Refusal(Replace(kPilotV1, R"("role": "township_reviewer")", R"("role": "village_head")"));
  EXPECT_EQ(msg, "tests/pilot.json:16: states.review.actor.role: unknown role \"village_head\"");
  const auto initiator = Refusal(Replace(kPilotV1, R"(["village_clerk"])", R"(["mayor"])"));
  EXPECT_EQ(initiator, "tests/pilot.json:6: initiators.0: unknown role \"mayor\"");
}

TEST(DefinitionsTest, BadDuration) {
  const auto msg = Refusal(Replace(kPilotV1, R"("deadline": "3wd")", R"("deadline": "10x")"));
  EXPECT_EQ(msg.rfind("tests/pilot.json:17: states.review.deadline: bad duration \"10x\"", 0), 0u) << msg;
}

TEST(DefinitionsTest, SpawnOfAnUnknownTask) {
  dixian::testing::TempDir dir;
  const std::string path = dir.File("pilot.json");
  std::ofstream(path) << Replace(kPilotV1, R"("done": {"label": "完成", "final": true})",
                                 R"("done": {"label": "完成", "final": true, "effects": [{"do": "open_task", "task": "paperwork"}]})");
  auto r = engine::WorkflowRegistry::LoadDirectory(dir.path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            path + ":20: states.done.effects.0.task: unknown follow-up task \"paperwork\" (define it in a tasks file)");
}

TEST(DefinitionsTest, ShippedWorkflowsLoadAndGraph) {
  auto reg = engine::WorkflowRegistry::LoadDirectory(std::string(DIXIAN_SOURCE_DIR) + "/workflows");
  ASSERT_TRUE(reg.ok()) << reg.error().message;
  for (const char* name : {"identification", "alert", "risk_elimination", "removal", "reflag"}) {
    auto def = reg.value().Latest(name);
    ASSERT_NE(def, nullptr) << name;
    auto graph = engine::RenderGraph(*def, "mermaid");
    ASSERT_TRUE(graph.ok());
    EXPECT_EQ(graph.value().rfind("flowchart TD\n", 0), 0u);
  }
  auto twice = reg.value().Add(reg.value().Latest("alert"));
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, engine::ErrorCode::kConflict);
}

// Version 2 adds a county step between the township and done.
std::string PilotV2() {
  std::string text = Replace(kPilotV1, R"("version": 1)", R"("version": 2)");
  text = Replace(text, R"("actions": {"approve": {"label": "通过", "to": "done"}})",
                 R"("actions": {"approve": {"label": "通过", "to": "county"}})");
  return Replace(text, R"(    "done": {"label": "完成", "final": true})",
                 "    \"county\": {\"label\": \"县级审定\", \"actor\": {\"level\": \"county\", \"role\": \"county_officer\"},\n"
                 "      \"deadline\": \"5wd\", \"actions\": {\"approve\": {\"label\": \"审定\", \"to\": \"done\"}}},\n"
                 "    \"done\": {\"label\": \"完成\", \"final\": true}");
}

class WorkflowVersionsTest : public EngineFixture {};

TEST_F(WorkflowVersionsTest, CasesStartedOnV1ContinueOnV1) {
  auto v1 = LoadWorkflowText(kPilotV1, "tests/pilot_v1.json");
  auto v2 = LoadWorkflowText(PilotV2(), "tests/pilot_v2.json");
  ASSERT_TRUE(v1.ok()) << v1.error().message;
  ASSERT_TRUE(v2.ok()) << v2.error().message;
  CloseEngine();
  OpenEngine({v1.value()});
  const std::string old_case = Open("clerk_v11", "pilot", "v11-1")["id"];
  EXPECT_EQ(Case(old_case)["workflow_version"], 1);
  MustAct("clerk_v11", old_case, "submit");

  // Deploy v2 next to v1 (as a restart with the new file would).
  CloseEngine();
  OpenEngine({v1.value(), v2.value()});
  auto listed = reads_.Workflows();
  ASSERT_TRUE(listed.ok());
  for (const auto& w : listed.value()) {
    if (w["name"] == "pilot") { EXPECT_EQ(w["version"], 2); }
    // The labels a chain declares for its data values are served with it (alert items).
    if (w["name"] == "alert") { EXPECT_EQ(w["labels"]["item"]["housing"], "住房安全") << w.dump(); }
  }

  const std::string new_case = Open("clerk_v11", "pilot", "v11-2")["id"];
  EXPECT_EQ(Case(new_case)["workflow_version"], 2);
  MustAct("clerk_v11", new_case, "submit");
  EXPECT_EQ(MustAct("rev_t1", new_case, "approve")["state"], "county");

  // The old case still follows v1: the township's approval finishes it.
  auto c = MustAct("rev_t1", old_case, "approve");
  EXPECT_EQ(c["state"], "done");
  EXPECT_EQ(c["workflow_version"], 1);
  EXPECT_EQ(c["closed"], true);
  EXPECT_EQ(MustAct("county", new_case, "approve")["state"], "done");
}

}  // namespace
}  // namespace dixian::testing
