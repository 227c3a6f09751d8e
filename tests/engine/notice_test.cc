// Public notice (公示): a state that ends by itself when its period runs out (the engine moves the
// case, actor `system`), objections (异议) during it, and the county's announcement (县级公告).
#include <gtest/gtest.h>

#include "engine/workflow/loader.h"
#include "tests/support/engine_fixture.h"

namespace dixian::testing {
namespace {

using engine::ErrorCode;

class NoticeTest : public EngineFixture {
 protected:
  // A removal of v11-1 (reason: car) through township review: now in its township notice.
  std::string InNotice() {
    Admit("v11-1");
    const std::string id = Open("clerk_v11", "removal", "v11-1", {{"reason", "car"}})["id"];
    MustAct("clerk_v11", id, "submit");
    auto c = MustAct("rev_t1", id, "approve");
    EXPECT_EQ(c["state"], "public_notice");
    return id;
  }
};

TEST_F(NoticeTest, RemovalNoticeEndsByItselfAfterNoticeDays) {
  const std::string id = InNotice();
  const Json c = Case(id);
  ASSERT_EQ(c["tasks"].size(), 1u);
  EXPECT_EQ(c["tasks"][0]["step"], "public_notice");
  EXPECT_EQ(c["tasks"][0]["org"], "t1");
  // notice_days 7 in workflows/removal.json, from Monday 2026-03-02 09:00.
  const std::string until = c["tasks"][0]["due_at"];
  EXPECT_EQ(until, "2026-03-10T00:00:00+08:00");
  // A day before the end nothing moves; the county cannot decide yet.
  RunDueAt(At("2026-03-09T23:59:00+08:00"));
  EXPECT_EQ(Case(id)["state"], "public_notice");
  auto early = Act("county", id, "approve");
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(RunDueAt(At(until)), 1);
  const Json moved = Case(id);
  EXPECT_EQ(moved["state"], "county_review");
  EXPECT_EQ(moved["tasks"][0]["org"], "county");
  const Json passed = Audit("notice_passed");
  ASSERT_EQ(passed.size(), 1u);
  EXPECT_EQ(passed[0]["actor"], "system");
  EXPECT_EQ(passed[0]["from"], "public_notice");
  EXPECT_EQ(passed[0]["to"], "county_review");
  EXPECT_EQ(passed[0]["case"], id);
  const Json history = History(id);
  EXPECT_EQ(history.back()["action"], "notice_passed");
  EXPECT_EQ(history.back()["actor"], "system");
  // Nobody was late: no overdue or escalation notices for the notice's task.
  for (const char* kind : {"reminder", "overdue", "escalation"})
    for (const auto& m : Outbox(kind)) EXPECT_NE(m["payload"]["step"], "public_notice") << kind;
  EXPECT_EQ(MustAct("county", id, "approve")["state"], "done");
  EXPECT_EQ(Monitoring("v11-1")["status"], "removed");
}

TEST_F(NoticeTest, ObjectionSendsTheCaseBackToTheVillage) {
  const std::string id = InNotice();
  auto no_comment = Act("sup_t1", id, "object");
  ASSERT_FALSE(no_comment.ok());
  EXPECT_EQ(no_comment.error().code, ErrorCode::kUnprocessable);
  // An official of another township does not see the case at all.
  auto outsider = Act("rev_t2", id, "object", "不同意");
  ASSERT_FALSE(outsider.ok());
  EXPECT_EQ(outsider.error().code, ErrorCode::kNotFound);
  const Json c = MustAct("sup_t1", id, "object", "该户车辆为营运用途，非消费型汽车");
  EXPECT_EQ(c["state"], "village_fill");
  EXPECT_EQ(c["tasks"][0]["org"], "v11");
  const Json objected = Audit("object");
  ASSERT_EQ(objected.size(), 1u);
  EXPECT_EQ(objected[0]["actor"], "sup_t1");
  EXPECT_EQ(objected[0]["comment"], "该户车辆为营运用途，非消费型汽车");
  // The notice's timer is gone with its task: the period's end moves nothing.
  RunDueAt(At("2026-03-11T00:00:00+08:00"));
  EXPECT_EQ(Case(id)["state"], "village_fill");
  EXPECT_TRUE(Audit("notice_passed").empty());
}

TEST_F(NoticeTest, CountyDecisionIsAnnouncedToTheCountyChannel) {
  const std::string id = InNotice();
  RunDueAt(At("2026-03-10T00:00:00+08:00"));
  EXPECT_TRUE(Outbox("announcement").empty());
  MustAct("county", id, "approve");
  const Json sent = Outbox("announcement");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["channel"], "ch-county");
  EXPECT_EQ(sent[0]["urgent"], false);
  EXPECT_EQ(sent[0]["payload"]["text"], "经乡镇公示无异议，县级审定清退，清退原因：购买消费型汽车。特此公告。");
  EXPECT_EQ(sent[0]["payload"]["household_id"], "v11-1");
  EXPECT_EQ(sent[0]["payload"]["org_name"], "示范县");
  EXPECT_EQ(sent[0]["payload"]["mobiles"], Json::array());  // published, nobody @mentioned
}

constexpr const char* kNoticed = R"({
  "name": "noticed",
  "label": "公示试点",
  "version": 1,
  "initial": "draft",
  "initiators": ["village_clerk"],
  "states": {
    "draft": {
      "label": "村级起草",
      "actor": {"level": "village", "role": "village_clerk"},
      "actions": {"submit": {"label": "提交", "to": "notice"}}
    },
    "notice": {
      "label": "村级公示",
      "actor": {"level": "village", "role": "village_clerk"},
      "notice_days": 5,
      "notice_passed": {"label": "公示期满", "to": "done"}
    },
    "done": {"label": "完成", "final": true}
  }
}
)";

std::string Refusal(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  auto r = engine::LoadWorkflowText(text, "tests/noticed.json");
  return r.ok() ? "" : r.error().message;
}

TEST(NoticeDefinitionTest, AnyWorkflowMayDeclareANoticeState) {
  auto r = engine::LoadWorkflowText(kNoticed, "tests/noticed.json");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto* st = r.value()->State("notice");
  ASSERT_NE(st, nullptr);
  EXPECT_TRUE(st->timing.ends_itself);
  ASSERT_TRUE(st->notice_passed.has_value());
  EXPECT_EQ(st->notice_passed->to, "done");
  auto graph = engine::RenderGraph(*r.value(), "mermaid");
  ASSERT_TRUE(graph.ok());
  EXPECT_NE(graph.value().find("notice -.->|公示期满| done"), std::string::npos) << graph.value();
}

TEST(NoticeDefinitionTest, NoticeWithoutPeriodOrOnwardTransitionIsRefused) {
  EXPECT_EQ(Refusal(kNoticed, R"("notice_days": 5,)", ""),
            "tests/noticed.json:13: states.notice.notice_days: a notice state needs its period: whole days, 1 "
            "to 90");
  EXPECT_EQ(Refusal(kNoticed, R"("notice_days": 5,)", R"("notice_days": "7d",)"),
            "tests/noticed.json:16: states.notice.notice_days: a notice state needs its period: whole days, 1 "
            "to 90");
  const std::string no_way_on = Refusal(kNoticed, R"(,
      "notice_passed": {"label": "公示期满", "to": "done"})", "");
  EXPECT_EQ(no_way_on.rfind("tests/noticed.json:13: states.notice.notice_passed: a notice state needs its onward "
                            "transition",
                            0),
            0u)
      << no_way_on;
  EXPECT_EQ(Refusal(kNoticed, R"("to": "done"})", R"("to": "filed"})"),
            "tests/noticed.json:17: states.notice.notice_passed.to: unknown state \"filed\"");
}

}  // namespace
}  // namespace dixian::testing
