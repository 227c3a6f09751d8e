// Acting on cases: optimistic versions, Idempotency-Key replay, actions not allowed in a state,
// required comments, and who may act (role, org subtree, contact person).
#include <gtest/gtest.h>

#include "tests/support/engine_fixture.h"

namespace dixian::testing {
namespace {

using engine::ErrorCode;

class ActionsTest : public EngineFixture {
 protected:
  std::string Submitted() {
    const std::string id = Open("clerk_v11", "identification", "v11-1",
                                {{"type", "marginal"}, {"primary_cause", "illness"}})["id"];
    MustAct("clerk_v11", id, "submit");
    return id;
  }
  std::size_t Count(const std::string& table) {
    return static_cast<std::size_t>(Rows("SELECT COUNT(*) AS n FROM " + table)[0]["n"].get<std::int64_t>());
  }
  void ExpectRefused(const engine::Result<Json>& r, ErrorCode code, const std::string& needle = "") {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, code) << r.error().message;
    if (!needle.empty()) {
      EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
    }
  }
};

TEST_F(ActionsTest, StaleVersionIsAConflictAndChangesNothing) {
  const std::string id = Submitted();
  const auto events = Count("audit"), outbox = Count("outbox"), tasks = Count("tasks");
  auto r = Run(&api::ApplyAction, Who("rev_t1"), {{"action", "approve"}, {"expected_version", 1}}, id);
  ExpectRefused(r, ErrorCode::kConflict, "2");
  EXPECT_EQ(r.error().slug, "version_conflict");
  const auto c = Case(id);
  EXPECT_EQ(c["state"], "township_review");
  EXPECT_EQ(c["version"], 2);
  EXPECT_EQ(Count("audit"), events);
  EXPECT_EQ(Count("outbox"), outbox);
  EXPECT_EQ(Count("tasks"), tasks);
  // The current version goes through.
  auto ok = Run(&api::ApplyAction, Who("rev_t1"), {{"action", "approve"}, {"expected_version", 2}}, id);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.value()["version"], 3);
}

TEST_F(ActionsTest, IdempotentCreateReturnsTheFirstResponse) {
  const Json body = {{"workflow", "identification"}, {"household", "v11-1"},
                     {"data", {{"type", "marginal"}, {"primary_cause", "illness"}}}};
  auto first = Run(&api::CreateCase, Who("clerk_v11"), body, "", "key-1");
  ASSERT_TRUE(first.ok()) << first.error().message;
  MoveTo(Now() + 60);
  auto second = Run(&api::CreateCase, Who("clerk_v11"), body, "", "key-1");
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second.value(), first.value());
  EXPECT_EQ(Count("cases"), 1u);
  EXPECT_EQ(Audit("create").size(), 1u);
  Json other = body;
  other["household"] = "v11-2";
  auto reused = Run(&api::CreateCase, Who("clerk_v11"), other, "", "key-1");
  ExpectRefused(reused, ErrorCode::kUnprocessable);
  EXPECT_EQ(reused.error().slug, "idempotency_key_reused");
  EXPECT_EQ(Count("cases"), 1u);
}

TEST_F(ActionsTest, IdempotentActionIsAppliedOnce) {
  const std::string id = Submitted();
  const Json body = {{"action", "approve"}, {"expected_version", 2}};
  auto first = Run(&api::ApplyAction, Who("rev_t1"), body, id, "approve-1");
  ASSERT_TRUE(first.ok());
  auto replay = Run(&api::ApplyAction, Who("rev_t1"), body, id, "approve-1");
  ASSERT_TRUE(replay.ok()) << replay.error().message;  // not a 409: the first answer again
  EXPECT_EQ(replay.value(), first.value());
  EXPECT_EQ(Case(id)["version"], 3);
  EXPECT_EQ(Audit("approve").size(), 1u);
}

TEST_F(ActionsTest, ActionNotAllowedInThisStateNamesTheAction) {
  const std::string id = Open("clerk_v11", "identification", "v11-1",
                              {{"type", "marginal"}, {"primary_cause", "illness"}})["id"];
  auto r = Act("clerk_v11", id, "approve");
  ExpectRefused(r, ErrorCode::kUnprocessable, "approve");
  EXPECT_EQ(r.error().slug, "action_not_allowed");
  EXPECT_NE(r.error().message.find("submit"), std::string::npos);  // says what is allowed
  ExpectRefused(Act("clerk_v11", id, "launch"), ErrorCode::kUnprocessable, "launch");
  EXPECT_EQ(Case(id)["version"], 1);
}

TEST_F(ActionsTest, ReturnAndRejectNeedAComment) {
  const std::string id = Submitted();
  ExpectRefused(Act("rev_t1", id, "return"), ErrorCode::kUnprocessable, "comment");
  ExpectRefused(Act("rev_t1", id, "reject"), ErrorCode::kUnprocessable, "comment");
  EXPECT_EQ(Case(id)["version"], 2);
  EXPECT_EQ(MustAct("rev_t1", id, "return", "补充材料")["state"], "village_fill");
}

// Outside the reviewer's township the case reads as absent (no existence oracle).
TEST_F(ActionsTest, AnotherTownshipsReviewerIsForbidden) {
  const std::string id = Submitted();
  ExpectRefused(Act("rev_t2", id, "approve"), ErrorCode::kNotFound);
  auto read = reads_.GetCase(Who("rev_t2"), id);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Case(id)["version"], 2);
}

TEST_F(ActionsTest, WrongRoleIsForbidden) {
  const std::string id = Submitted();
  ExpectRefused(Act("clerk_v11", id, "approve"), ErrorCode::kForbidden, "乡镇审核员");
  ExpectRefused(Act("county", id, "approve"), ErrorCode::kForbidden);
  ExpectRefused(Act("dept_medical", id, "approve"), ErrorCode::kForbidden);
  ExpectRefused(Act("contact_a", id, "approve"), ErrorCode::kForbidden);
  ExpectRefused(Run(&api::CreateCase, Who("county"),
                    {{"workflow", "identification"}, {"household", "v11-2"},
                     {"data", {{"type", "marginal"}, {"primary_cause", "illness"}}}}),
                ErrorCode::kForbidden);
  EXPECT_EQ(Case(id)["version"], 2);
}

TEST_F(ActionsTest, VillageClerkOfAnotherVillageIsForbidden) {
  const std::string id = Open("clerk_v11", "identification", "v11-1",
                              {{"type", "marginal"}, {"primary_cause", "illness"}})["id"];
  // Another village's records read as absent: 404, or 422 naming the unknown id.
  ExpectRefused(Act("clerk_v12", id, "submit"), ErrorCode::kNotFound);
  ExpectRefused(Run(&api::CreateCase, Who("clerk_v12"),
                    {{"workflow", "identification"}, {"household", "v11-2"},
                     {"data", {{"type", "marginal"}, {"primary_cause", "illness"}}}}),
                ErrorCode::kUnprocessable, "v11-2");
  ExpectRefused(Run(&api::CreateHousehold, Who("clerk_v12"),
                    {{"id", "x-1"}, {"village", "v11"}, {"head_name", "张三"}, {"members", 2}, {"income_per_capita", 1}}),
                ErrorCode::kUnprocessable, "village");
  EXPECT_EQ(Case(id)["version"], 1);
}

TEST_F(ActionsTest, ContactPersonLogsVisitsOnlyForOwnHouseholds) {
  Admit("v11-1");
  Admit("v11-2");
  Must(&api::AssignContact, Who("rev_t1"), {{"user", "contact_a"}}, "v11-1");
  Must(&api::AssignContact, Who("rev_t1"), {{"user", "contact_b"}}, "v11-2");
  ExpectRefused(Run(&api::LogVisit, Who("contact_b"), {{"mode", "home"}, {"note", "走访"}}, "v11-1"),
                ErrorCode::kForbidden);
  ExpectRefused(Run(&api::LogVisit, Who("clerk_v11"), {{"mode", "home"}}, "v11-1"), ErrorCode::kForbidden);
  ExpectRefused(Run(&api::RecordMeasure, Who("contact_b"), {{"kind", "medical"}, {"description", "医保"}}, "v11-1"),
                ErrorCode::kForbidden);
  EXPECT_TRUE(Rows("SELECT id FROM visits").empty());
  Must(&api::LogVisit, Who("contact_a"), {{"mode", "home"}, {"note", "入户走访"}}, "v11-1");
  EXPECT_EQ(Rows("SELECT \"user\" FROM visits")[0]["user"], "contact_a");
  // A contact person of another village cannot be assigned here.
  ExpectRefused(Run(&api::AssignContact, Who("rev_t1"), {{"user", "contact_c"}}, "v11-1"),
                ErrorCode::kUnprocessable, "user");
  ExpectRefused(Run(&api::AssignContact, Who("rev_t2"), {{"user", "contact_a"}}, "v11-1"), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace dixian::testing
