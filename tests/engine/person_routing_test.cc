// Issue 15: tasks and reminders for named people go to each of them through the nearest app
// channel (walking up the org tree), addressed by their `im` id; whoever the app cannot reach
// keeps the group robot; escalations stay on group robots. Routing is data in the notice facts.
#include <gtest/gtest.h>

#include "tests/support/engine_fixture.h"
#include "tests/support/fake_app.h"

namespace dixian::testing {
namespace {

class PersonRoutingTest : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    const FakeAppSettings s;  // valid WeCom settings (no fake server needed: nothing is sent)
    Must(&api::CreateChannel, Admin(),
         {{"id", "app-county"},
          {"org", "county"},
          {"kind", "wecom_app"},
          {"app",
           {{"corp_id", s.corp_id},
            {"corp_secret", s.corp_secret},
            {"agent_id", s.agent_id},
            {"callback_token", s.callback_token},
            {"encoding_aes_key", s.encoding_aes_key}}}});
    AddUser({{"id", "rev_im"},
             {"name", "张三"},
             {"role", "township_reviewer"},
             {"org", "t1"},
             {"mobile", "13800001111"},
             {"im", {{"wecom", "zhangsan"}}}});
    AddUser({{"id", "rev_feishu"},
             {"name", "李四"},
             {"role", "township_reviewer"},
             {"org", "t2"},
             {"mobile", "13800002222"},
             {"im", {{"feishu", "ou_lisi"}}}});
  }
  // "<channel>[/<to_user>=<to_im>]" of each message of `kind` about the case's township review.
  std::vector<std::string> Routes(const std::string& kind, const std::string& case_id) {
    std::vector<std::string> out;
    for (const auto& m : Outbox(kind)) {
      if (m["payload"].value("step", "") != "township_review" ||
          m["payload"].value("case_id", "") != case_id)
        continue;
      std::string r = m["channel"].get<std::string>();
      if (m["facts"].contains("to_user"))
        r += "/" + m["facts"]["to_user"].get<std::string>() + "=" +
             m["facts"]["to_im"].get<std::string>();
      out.push_back(r);
    }
    return out;
  }
};

TEST_F(PersonRoutingTest, ARoleAtAnOrgReachesEachHolderWithAnImIdAndTheRobotKeepsTheRest) {
  const std::string id = Open("clerk_v11", "identification", "v11-1",
                              {{"type", "marginal"},
                               {"primary_cause", "illness"},
                               {"causes", {"illness"}},
                               {"income_per_capita", 4000}})["id"];
  MustAct("clerk_v11", id, "submit");
  // 张三 through the county's app; rev_t1 (no im) through 东乡镇's robot.
  EXPECT_EQ(Routes("new_task", id),
            (std::vector<std::string>{"app-county/rev_im=zhangsan", "ch-t1"}));
  // The person's message carries what they may do, at the case's version now.
  for (const auto& m : Outbox("new_task")) {
    if (m["channel"] != "app-county") continue;
    EXPECT_EQ(m["payload"]["to"], "zhangsan");
    EXPECT_EQ(m["payload"]["case_version"], Case(id)["version"]);
    std::vector<std::string> actions;
    for (const auto& a : m["payload"]["actions"])
      actions.push_back(a["action"].get<std::string>() + ":" + a["label"].get<std::string>());
    EXPECT_NE(std::find(actions.begin(), actions.end(), "approve:通过"), actions.end())
        << m["payload"].dump();
  }
}

TEST_F(PersonRoutingTest, WhenEveryoneHasAnImIdNoRobotIsUsedAndEscalationsStayOnRobots) {
  Must(&api::RevokeUser, Admin(), Json::object(), "rev_t1");  // 张三 is 东乡镇's only reviewer now
  const std::string id = Open("clerk_v11", "identification", "v11-2",
                              {{"type", "marginal"},
                               {"primary_cause", "illness"},
                               {"causes", {"illness"}},
                               {"income_per_capita", 4000}})["id"];
  MustAct("clerk_v11", id, "submit");
  EXPECT_EQ(Routes("new_task", id), (std::vector<std::string>{"app-county/rev_im=zhangsan"}));
  RunDueAt(At("2026-04-30T00:00:00+08:00"));
  const auto reminders = Routes("reminder", id);
  ASSERT_FALSE(reminders.empty());
  for (const auto& r : reminders) EXPECT_EQ(r, "app-county/rev_im=zhangsan");
  const auto escalations = Routes("escalation", id);
  ASSERT_FALSE(escalations.empty());
  for (const auto& r : escalations) EXPECT_EQ(r.find('/'), std::string::npos) << r;  // robots only
  EXPECT_EQ(escalations.front(), "ch-county");
}

TEST_F(PersonRoutingTest, AnImIdOnAnotherPlatformThanTheAppsLeavesTheRobot) {
  // 李四 (西乡镇) has a Feishu id only; the county's app is WeCom: 西乡镇's robot it is.
  const std::string id = Open("clerk_v21", "identification", "v21-1",
                              {{"type", "marginal"},
                               {"primary_cause", "illness"},
                               {"causes", {"illness"}},
                               {"income_per_capita", 4000}})["id"];
  MustAct("clerk_v21", id, "submit");
  EXPECT_EQ(Routes("new_task", id), (std::vector<std::string>{"ch-t2"}));
}

}  // namespace
}  // namespace dixian::testing
