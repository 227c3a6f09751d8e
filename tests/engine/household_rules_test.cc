// Rules the seeds state (issue 13 part 3): phone or WeChat visits only for households away
// long-term (004), measures from the documented kinds, aimed at the household's risk causes and
// not added once its risk is eliminated (000, 003, 004).
#include <gtest/gtest.h>

#include "tests/support/engine_fixture.h"

namespace dixian::testing {
namespace {

using engine::ErrorCode;

class HouseholdRulesTest : public EngineFixture {};

TEST_F(HouseholdRulesTest, PhoneOrWechatVisitsOnlyForHouseholdsAwayLongTerm) {
  Admit("v11-1");
  Must(&api::AssignContact, Who("rev_t1"), {{"user", "contact_a"}}, "v11-1");
  auto phone = Run(&api::LogVisit, Who("contact_a"), {{"mode", "phone"}, {"note", "电话"}}, "v11-1");
  ASSERT_FALSE(phone.ok());
  EXPECT_EQ(phone.error().code, ErrorCode::kUnprocessable);
  EXPECT_NE(phone.error().message.find("常年外出"), std::string::npos);
  EXPECT_TRUE(Rows("SELECT id FROM visits").empty());
  Must(&api::UpdateHousehold, Who("clerk_v11"), {{"expected_version", 1}, {"away_long_term", true}},
       "v11-1");
  EXPECT_EQ(Must(&api::LogVisit, Who("contact_a"), {{"mode", "wechat"}, {"note", "微信视频"}},
                 "v11-1")["mode"],
            "wechat");
}

TEST_F(HouseholdRulesTest, MeasuresAnswerTheHouseholdsCausesWithADocumentedKind) {
  Admit("v11-1", "marginal", "illness");
  auto odd = Run(&api::RecordMeasure, Who("rev_t1"),
                 {{"kind", "medical_insurance"}, {"description", "医保"}}, "v11-1");
  ASSERT_FALSE(odd.ok());
  EXPECT_NE(odd.error().message.find("kind"), std::string::npos);
  auto off_target = Run(&api::RecordMeasure, Who("rev_t1"),
                        {{"kind", "housing"}, {"description", "危房改造"}, {"cause", "unsafe_housing"}},
                        "v11-1");
  ASSERT_FALSE(off_target.ok());
  EXPECT_NE(off_target.error().message.find("cause"), std::string::npos);
  auto ok = Must(&api::RecordMeasure, Who("rev_t1"),
                 {{"kind", "medical"}, {"description", "落实大病保险"}, {"cause", "illness"}},
                 "v11-1");
  EXPECT_EQ(ok["cause"], "illness");
  // Without a cause the measure answers the primary one.
  EXPECT_EQ(Must(&api::RecordMeasure, Who("rev_t1"), {{"kind", "employment"}, {"description", "公益岗"}},
                 "v11-1")["cause"],
            "illness");
}

TEST_F(HouseholdRulesTest, NoMeasuresOnceTheRiskIsEliminated) {
  SeedMonitored("v11-1", "marginal", "illness", "risk_eliminated");
  auto r = Run(&api::RecordMeasure, Who("rev_t1"), {{"kind", "medical"}, {"description", "医保"}},
               "v11-1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnprocessable);
  EXPECT_NE(r.error().message.find("风险已消除"), std::string::npos);
  EXPECT_TRUE(Rows("SELECT id FROM measures").empty());
}

}  // namespace
}  // namespace dixian::testing
