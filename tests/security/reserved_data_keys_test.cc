// Attack: case `data` naming what the engine records itself (issue 17 item 3; API.md "Safety
// rules"). Before schema 5 any actor's data merged over the engine's facts: a county return could
// set `department` and re-route an alert to another department without the dispatch check, a
// clerk could erase a threshold warning, anyone could rewrite who acted last (and so who may
// withdraw). Each such key is now refused with 422 naming it, and nothing changes.
#include "tests/support/engine_fixture.h"

namespace dixian::testing {
namespace {

using engine::ErrorCode;

class ReservedDataKeysTest : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    SeedMonitored("v11-1", "marginal", "illness");
  }
  // An alert dispatched to the medical department, then sent back to it by the county.
  std::string AtDepartment() {
    const std::string id = Open("clerk_v11", "alert", "v11-1", {{"item", "medical"}})["id"];
    MustAct("clerk_v11", id, "submit");
    MustAct("rev_t1", id, "approve");
    MustAct("county", id, "approve");
    return id;
  }
  void ExpectRefusedNaming(const engine::Result<Json>& r, const std::string& key) {
    ASSERT_FALSE(r.ok()) << "accepted a data key the engine records itself: " << key;
    EXPECT_EQ(r.error().code, ErrorCode::kUnprocessable);
    EXPECT_EQ(r.error().slug, "reserved_field");
    EXPECT_NE(r.error().message.find("data." + key), std::string::npos) << r.error().message;
  }
};

TEST_F(ReservedDataKeysTest, CountyReturnCannotRerouteTheAlertToAnotherDepartment) {
  const std::string id = AtDepartment();
  MustAct("dept_medical", id, "submit");  // to county_close_review
  const auto before = Case(id);
  // The attack: send it back "for more work" while naming another department in data.
  ExpectRefusedNaming(Act("county", id, "return", "继续补短", {{"department", "housing"}}),
                      "department");
  const auto after = Case(id);
  EXPECT_EQ(after["state"], "county_close_review");
  EXPECT_EQ(after["version"], before["version"]);
  EXPECT_EQ(after["department"], "medical");
  // Returned properly, the task goes back to the department the county dispatched it to.
  auto back = MustAct("county", id, "return", "继续补短");
  EXPECT_EQ(back["tasks"][0]["department"], "medical");
  EXPECT_EQ(Act("dept_housing", id, "submit").error().code, ErrorCode::kForbidden);
}

TEST_F(ReservedDataKeysTest, TheDispatchItselfStillTakesTheDepartment) {
  const std::string id = Open("clerk_v11", "alert", "v11-1", {{"item", "medical"}})["id"];
  MustAct("clerk_v11", id, "submit");
  MustAct("rev_t1", id, "approve");
  auto c = MustAct("county", id, "approve", "", {{"department", "civil_affairs"}});
  EXPECT_EQ(c["department"], "civil_affairs");
  EXPECT_FALSE(c["data"].contains("department")) << c.dump();  // a fact, not user data
}

TEST_F(ReservedDataKeysTest, NoCallerCanWriteAnEngineFactThroughData) {
  // At creation: a department, a warning, an actor.
  for (const char* key : {"department", "threshold_warning", "last_actor", "last_from"}) {
    auto r = Run(
        &api::CreateCase, Who("clerk_v11"),
        {{"workflow", "alert"}, {"household", "v11-1"}, {"data", {{"item", "water"}, {key, "x"}}}});
    ExpectRefusedNaming(r, key);
  }
  EXPECT_TRUE(HouseholdTasks("v11-1").empty());
  // On an action: a clerk erasing the township's threshold warning, or making someone else the
  // last actor so that they may withdraw.
  const std::string id =
      Open("clerk_v12", "identification", "v12-1",
           {{"type", "marginal"}, {"primary_cause", "illness"}, {"income_per_capita", 8000}})["id"];
  const std::string warning = Case(id)["threshold_warning"];
  ASSERT_FALSE(warning.empty());
  ExpectRefusedNaming(Act("clerk_v12", id, "submit", "", {{"threshold_warning", ""}}),
                      "threshold_warning");
  ExpectRefusedNaming(Act("clerk_v12", id, "submit", "", {{"last_actor", "rev_t1"}}), "last_actor");
  MustAct("clerk_v12", id, "submit");
  EXPECT_EQ(Case(id)["threshold_warning"], warning);
  ExpectRefusedNaming(Act("rev_t1", id, "return", "补材料", {{"last_from", "township_review"}}),
                      "last_from");
  // Only the submitter withdraws: the facts say who that is.
  EXPECT_EQ(Act("rev_t1", id, "withdraw").error().code, ErrorCode::kForbidden);
  EXPECT_EQ(MustAct("clerk_v12", id, "withdraw")["state"], "village_fill");
}

TEST_F(ReservedDataKeysTest, FactsLiveInTheirOwnColumns) {
  const std::string id = AtDepartment();
  const auto row =
      Rows("SELECT data, department, last_actor, last_from FROM cases WHERE id = '" + id + "'")[0];
  EXPECT_EQ(row["department"], "medical");
  EXPECT_EQ(row["last_actor"], "county");
  EXPECT_EQ(row["last_from"], "county_review");
  const auto data = Json::parse(row["data"].get<std::string>());
  EXPECT_EQ(data, (Json{{"item", "medical"}}));
}

}  // namespace
}  // namespace dixian::testing
