// Households as living records (issue 13 part 1): members as persons with checked ID numbers,
// PATCH with expected_version, the change history, masking, one ID number in one household,
// persons counted from the member list, member import.
#include <gtest/gtest.h>

#include "adapters/http/json_views.h"
#include "engine/commands/households.h"
#include "engine/core/id_number.h"
#include "tests/support/engine_fixture.h"

namespace dixian::testing {
namespace {

using engine::ErrorCode;

// Valid resident ID numbers (check characters computed by hand with ISO 7064 MOD 11-2; the
// last two are the standard's own examples).
constexpr const char* kHead = "532931198005120016";    // male, 1980
constexpr const char* kSpouse = "532931198203150021";  // female, 1982
constexpr const char* kChild = "532931201009010038";   // male, 2010
constexpr const char* kGrandma = "53293119550101004X";  // female, 1955
constexpr const char* kStdFemale = "11010519491231002X";
constexpr const char* kStdMale = "440524188001010014";

Json Person(const std::string& name, const std::string& relation, const std::string& id,
            const std::string& labour = "full") {
  return {{"name", name}, {"relation", relation}, {"id_number", id}, {"labour", labour}};
}

Json Family() {
  return Json::array({Person("李国强", "head", kHead), Person("王秀英", "spouse", kSpouse, "weak"),
                      Person("李小明", "child", kChild, "none")});
}

class HouseholdsTest : public EngineFixture {
 protected:
  Json NewHousehold(const std::string& id, Json members, const std::string& who = "clerk_v11") {
    return Must(&api::CreateHousehold, Who(who),
                {{"id", id},
                 {"village", "v11"},
                 {"head_name", "李国强"},
                 {"members", std::move(members)},
                 {"income_per_capita", 5200},
                 {"registered_poor", true}});
  }
  Json Changes(const std::string& who, const std::string& id) {
    auto r = engine::HouseholdChanges(*engine_, Who(who), id);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? http::ToJson(r.value()) : Json();
  }
};

TEST(IdNumberTest, CheckCharacterOfTheStandardsExamples) {
  EXPECT_EQ(engine::IdCheckCharacter("11010519491231002"), 'X');
  EXPECT_EQ(engine::IdCheckCharacter("44052418800101001"), '4');
  const auto now = At("2026-03-02T09:00:00+08:00");
  auto f = engine::CheckIdNumber("id", kStdFemale, now);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->birth_year, 1949);
  EXPECT_FALSE(f->male);
  EXPECT_TRUE(engine::CheckIdNumber("id", kHead, now)->male);
  // The standard's 1880 example has the right check character but no living person's birth date.
  EXPECT_FALSE(engine::CheckIdNumber("id", kStdMale, now).ok());
  std::string normalized;
  EXPECT_TRUE(engine::CheckIdNumber("id", "11010519491231002x", now, &normalized).ok());
  EXPECT_EQ(normalized, kStdFemale);
  // One digit changed: the check character no longer fits.
  auto wrong = engine::CheckIdNumber("members[2].id_number", "532931198005120017", now);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().message,
            "字段 members[2].id_number 不正确：身份证号码校验码（末位）不正确，请核对后重新填写");
  EXPECT_FALSE(engine::CheckIdNumber("id", "992931198005120016", now).ok());  // no province 99
  EXPECT_FALSE(engine::CheckIdNumber("id", "532931198002300010", now).ok());  // 30 February
  EXPECT_FALSE(engine::CheckIdNumber("id", "53293119800512001", now).ok());   // 17 characters
  EXPECT_EQ(engine::MaskIdNumber(kGrandma), "532931********004X");
}

TEST_F(HouseholdsTest, MembersArePersonsWithMaskedIdNumbers) {
  auto created = NewHousehold("h-1", Family());
  EXPECT_EQ(created["version"], 1);
  EXPECT_EQ(created["registered_poor"], true);
  EXPECT_EQ(created["persons"], 3);
  ASSERT_EQ(created["members"].size(), 3u);
  EXPECT_EQ(created["members"][0]["id_number"], "532931********0016");
  EXPECT_EQ(created["members"][1]["sex"], "female");  // from the ID number
  EXPECT_EQ(created["members"][1]["birth_year"], 1982);
  EXPECT_EQ(created["members"][2]["labour"], "none");
  auto got = reads_.GetHousehold(Who("rev_t1"), "h-1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->dump().find(kHead), std::string::npos);  // never the whole number
  EXPECT_EQ((*got)["members"][0]["id_number"], "532931********0016");
  // The audit chain never holds a whole ID number either.
  EXPECT_EQ(Audit().dump().find(kSpouse), std::string::npos);
}

TEST_F(HouseholdsTest, AWrongIdNumberIsRefusedNamingTheMember) {
  Json family = Family();
  family[2]["id_number"] = "532931201009010039";
  auto r = Run(&api::CreateHousehold, Who("clerk_v11"),
               {{"id", "h-2"}, {"village", "v11"}, {"head_name", "李国强"},
                {"members", family}, {"income_per_capita", 5200}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnprocessable);
  EXPECT_NE(r.error().message.find("members[2].id_number"), std::string::npos);
  EXPECT_NE(r.error().message.find("校验码"), std::string::npos);
  EXPECT_TRUE(Rows("SELECT id FROM households WHERE id = 'h-2'").empty());  // nothing written
  family[2]["id_number"] = kChild;
  family[2]["birth_year"] = 2011;
  r = Run(&api::CreateHousehold, Who("clerk_v11"),
          {{"id", "h-2"}, {"village", "v11"}, {"head_name", "李国强"},
           {"members", family}, {"income_per_capita", 5200}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("members[2].birth_year"), std::string::npos);
}

TEST_F(HouseholdsTest, OneIdNumberBelongsToOneHousehold) {
  NewHousehold("h-1", Family());
  // In the caller's remit the other household is named...
  auto same = Run(&api::CreateHousehold, Who("clerk_v11"),
                  {{"id", "h-2"}, {"village", "v11"}, {"head_name", "王某"},
                   {"members", Json::array({Person("王某", "head", kSpouse)})},
                   {"income_per_capita", 5200}});
  ASSERT_FALSE(same.ok());
  EXPECT_EQ(same.error().code, ErrorCode::kConflict);
  EXPECT_NE(same.error().message.find("h-1"), std::string::npos);
  EXPECT_TRUE(Rows("SELECT id FROM households WHERE id = 'h-2'").empty());
  // ...outside it, not.
  auto other = Run(&api::CreateHousehold, Who("clerk_v21"),
                   {{"id", "h-3"}, {"village", "v21"}, {"head_name", "王某"},
                    {"members", Json::array({Person("王某", "head", kSpouse)})},
                    {"income_per_capita", 5200}});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kConflict);
  EXPECT_EQ(other.error().message.find("h-1"), std::string::npos);
  EXPECT_EQ(other.error().message.find("李国强"), std::string::npos);
}

TEST_F(HouseholdsTest, PatchNeedsTheCurrentVersionAndRecordsWhoChangedWhat) {
  NewHousehold("h-1", Family());
  SetNow("2026-03-05T10:00:00+08:00");
  auto stale = Run(&api::UpdateHousehold, Who("clerk_v11"),
                   {{"expected_version", 0}, {"income_per_capita", 7000}}, "h-1");
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  auto missing = Run(&api::UpdateHousehold, Who("clerk_v11"), {{"income_per_capita", 7000}}, "h-1");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("expected_version"), std::string::npos);

  Json family = Family();
  family[1]["labour"] = "full";  // 劳动能力变化
  family.push_back(Person("张桂兰", "parent", kGrandma, "none"));
  auto patched = Must(&api::UpdateHousehold, Who("clerk_v11"),
                      {{"expected_version", 1},
                       {"income_per_capita", 4800},
                       {"rigid_spending", 12000},
                       {"away_long_term", true},
                       {"members", family}},
                      "h-1");
  EXPECT_EQ(patched["version"], 2);
  EXPECT_EQ(patched["persons"], 4);
  EXPECT_EQ(patched["away_long_term"], true);
  EXPECT_EQ(patched["rigid_spending"], 12000);
  // The stale writer loses.
  auto late = Run(&api::UpdateHousehold, Who("rev_t1"),
                  {{"expected_version", 1}, {"head_name", "别人"}}, "h-1");
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kConflict);

  const Json changes = Changes("rev_t1", "h-1");
  ASSERT_EQ(changes.size(), 5u);
  EXPECT_EQ(changes[0]["field"], "created");
  EXPECT_EQ(changes[0]["actor"], "clerk_v11");
  EXPECT_EQ(changes[1]["field"], "income_per_capita");
  EXPECT_EQ(changes[1]["from"], 5200);
  EXPECT_EQ(changes[1]["to"], 4800);
  EXPECT_EQ(changes[1]["at"], "2026-03-05T10:00:00+08:00");
  EXPECT_EQ(changes[1]["actor"], "clerk_v11");
  EXPECT_EQ(changes[4]["field"], "members");
  EXPECT_EQ(changes[4]["from"].size(), 3u);
  EXPECT_EQ(changes[4]["to"][3]["id_number"], "532931********004X");
  EXPECT_EQ(changes.dump().find(kGrandma), std::string::npos);
  // Audited in the same chain as every write.
  const Json audit = Audit("update_household");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0]["household"], "h-1");
  auto verify = reads_.VerifyAudit(Admin());
  ASSERT_TRUE(verify.ok());
  EXPECT_EQ((*verify)["ok"], true);
  // Outside the remit the history reads as absent.
  auto hidden = engine::HouseholdChanges(*engine_, Who("clerk_v21"), "h-1");
  ASSERT_FALSE(hidden.ok());
  EXPECT_EQ(hidden.error().code, ErrorCode::kNotFound);
}

TEST_F(HouseholdsTest, ReportsCountPersonsFromTheMemberList) {
  NewHousehold("h-1", Family());
  SeedMonitored("h-1", "marginal", "illness");
  auto report = reads_.MonitoringReport(Who("county"), "county");
  ASSERT_TRUE(report.ok());
  const std::string before = report->dump();
  Json family = Family();
  family.push_back(Person("张桂兰", "parent", kGrandma, "none"));
  Must(&api::UpdateHousehold, Who("clerk_v11"), {{"expected_version", 1}, {"members", family}},
       "h-1");
  const engine::Household hh = *store_->Read()->FindHousehold("h-1");
  EXPECT_EQ(engine::PersonCount(hh, store_->Read()->MembersOf("h-1")), 4);
  auto after = reads_.MonitoringReport(Who("county"), "county");
  ASSERT_TRUE(after.ok());
  // The fixture's household v11-* are not monitored: h-1's 3 then 4 persons are the total.
  EXPECT_NE(before.find("\"persons\":3"), std::string::npos) << before;
  EXPECT_NE(after->dump().find("\"persons\":4"), std::string::npos) << after->dump();
}

TEST_F(HouseholdsTest, MemberImportIsAllOrNothingAndNamesTheLine) {
  const std::string header = "household,name,relation,id_number,sex,birth_year,labour,health,schooling\n";
  auto bad = RunCsv(&api::ImportMembers, Who("clerk_v11"),
                    header + "v11-1,李国强,head," + kHead + ",,,full,健康,\n" +
                        "v11-1,王秀英,spouse," + kSpouse + ",,,weak,长期慢性病,\n" +
                        "v11-2,张三,head,532931198005120017,,,full,,\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kUnprocessable);
  EXPECT_NE(bad.error().message.find("第 4 行"), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("校验码"), std::string::npos);
  EXPECT_TRUE(Rows("SELECT * FROM members").empty());
  auto ok = RunCsv(&api::ImportMembers, Who("clerk_v11"),
                   header + "v11-1,李国强,head," + kHead + ",male,1980,full,健康,\n" +
                       "v11-1,王秀英,spouse," + kSpouse + ",,,weak,长期慢性病,\n" +
                       "v11-2,张三,head," + kChild + ",,,full,,在校\n");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ((*ok)["imported"], 3);
  auto hh = reads_.GetHousehold(Who("clerk_v11"), "v11-1");
  EXPECT_EQ((*hh)["persons"], 2);
  EXPECT_EQ((*hh)["version"], 2);
  // A household outside the caller's remit reads as unknown: nothing written.
  auto outside = RunCsv(&api::ImportMembers, Who("clerk_v11"),
                        header + "v21-1,某某,head," + kGrandma + ",,,full,,\n");
  ASSERT_FALSE(outside.ok());
  EXPECT_NE(outside.error().message.find("第 2 行"), std::string::npos);
  EXPECT_TRUE(Rows("SELECT * FROM members WHERE household = 'v21-1'").empty());
}

TEST_F(HouseholdsTest, HouseholdImportTakesTheFactsColumns) {
  auto r = RunCsv(&api::ImportHouseholds, Who("clerk_v11"),
                  "id,village,head_name,members,income_per_capita,registered_poor,away_long_term,"
                  "rigid_spending\nn-1,v11,赵大,4,5600,是,0,3000\nn-2,v11,钱二,2,8000,0,1,\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto hh = reads_.GetHousehold(Who("clerk_v11"), "n-1");
  EXPECT_EQ((*hh)["registered_poor"], true);
  EXPECT_EQ((*hh)["rigid_spending"], 3000);
  EXPECT_EQ((*reads_.GetHousehold(Who("clerk_v11"), "n-2"))["away_long_term"], true);
  auto bad = RunCsv(&api::ImportHouseholds, Who("clerk_v11"),
                    "id,village,head_name,members,income_per_capita,registered_poor,away_long_term,"
                    "rigid_spending\nn-3,v11,孙三,4,5600,也许,0,0\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("第 2 行"), std::string::npos);
  EXPECT_NE(bad.error().message.find("registered_poor"), std::string::npos);
}

}  // namespace
}  // namespace dixian::testing
