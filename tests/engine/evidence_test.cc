// Evidence (佐证材料) in the engine: a step's required kind (requires_evidence, data in the
// workflow file), who may attach and read, the checks on the file, and the loader's refusal of an
// unknown kind.
#include <gtest/gtest.h>

#include "engine/commands/evidence.h"
#include "engine/workflow/loader.h"
#include "tests/support/engine_fixture.h"

namespace dixian::testing {
namespace {

using engine::ErrorCode;

class EvidenceTest : public EngineFixture {
 protected:
  std::string NewCase(const std::string& household = "v11-1", const std::string& clerk = "clerk_v11") {
    return Open(clerk, "identification", household,
                {{"type", "marginal"}, {"primary_cause", "illness"}, {"income_per_capita", 4000}})
        .value("id", "");
  }
  engine::Result<Json> Minutes(const std::string& user, const std::string& case_id) {
    return Attach(user, case_id, "meeting_minutes", kMinimalPdf, "application/pdf", "评议记录.pdf");
  }
};

TEST_F(EvidenceTest, VillageSubmitWaitsForTheMinutes) {
  auto_evidence_ = false;
  const std::string id = NewCase();
  auto r = Act("clerk_v11", id, "submit");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(r.error().slug, "evidence_required");
  EXPECT_EQ(r.error().message, "请先上传民主评议会议记录（meeting_minutes），再提交乡镇审核");
  EXPECT_EQ(Case(id)["state"], "village_fill");
  // Another kind does not count.
  ASSERT_TRUE(Attach("clerk_v11", id, "signed_form", kMinimalPdf, "application/pdf", "").ok());
  EXPECT_FALSE(Act("clerk_v11", id, "submit").ok());
  ASSERT_TRUE(Minutes("clerk_v11", id).ok());
  r = Act("clerk_v11", id, "submit");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value()["state"], "township_review");
  // Steps that declare nothing need nothing: the township approves without a file of its own.
  EXPECT_TRUE(Act("rev_t1", id, "approve").ok());
}

TEST_F(EvidenceTest, TheRequirementIsDataInTheWorkflowFile) {
  const auto def = engine_->workflows().Latest("identification");
  ASSERT_TRUE(def);
  const auto& submit = def->State("village_fill")->actions.at("submit");
  EXPECT_EQ(submit.requires_evidence, std::vector<engine::EvidenceKind>{engine::EvidenceKind::kMeetingMinutes});
  EXPECT_TRUE(def->State("township_review")->actions.at("approve").requires_evidence.empty());
}

TEST_F(EvidenceTest, WhoMayReadTheCaseMayAttachAndRead) {
  const std::string id = NewCase();
  auto mine = Minutes("clerk_v11", id);
  ASSERT_TRUE(mine.ok()) << mine.error().message;
  const auto att = std::stoll(mine.value()["id"].get<std::string>());
  // The township above may read and attach too.
  EXPECT_TRUE(engine::GetAttachment(*engine_, Who("rev_t1"), att).ok());
  EXPECT_TRUE(Attach("rev_t1", id, "signed_form", kMinimalPdf, "application/pdf", "x.pdf").ok());
  // Another village (and another township) reads it as absent, exactly as the case.
  auto other = Minutes("clerk_v12", id);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(other.error().message, reads_.GetCase(Who("clerk_v12"), id).error().message);
  auto read = engine::GetAttachment(*engine_, Who("clerk_v12"), att);
  ASSERT_FALSE(read.ok());
  auto never = engine::GetAttachment(*engine_, Who("clerk_v12"), att + 1000);
  ASSERT_FALSE(never.ok());
  EXPECT_EQ(read.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(read.error().slug, never.error().slug);
  EXPECT_FALSE(engine::GetAttachment(*engine_, Who("rev_t2"), att).ok());
  auto file = engine::GetAttachment(*engine_, Who("county"), att);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->bytes, kMinimalPdf);
  EXPECT_EQ(file->meta.filename, "评议记录.pdf");
  EXPECT_EQ(Case(id)["attachments"].size(), 2u);
}

TEST_F(EvidenceTest, FilesAreCheckedByTheirFirstBytesAndNamesSanitised) {
  EXPECT_EQ(engine::SniffMediaType("\xFF\xD8\xFF\xE1rest"), "image/jpeg");
  EXPECT_EQ(engine::SniffMediaType(std::string("\x89PNG\r\n\x1A\n", 8)), "image/png");
  EXPECT_EQ(engine::SniffMediaType("%PDF-1.7"), "application/pdf");
  EXPECT_EQ(engine::SniffMediaType("RIFF\x10\0\0\0WEBPVP8 "), "");  // a NUL ends the C string
  EXPECT_EQ(engine::SniffMediaType(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)), "image/webp");
  EXPECT_EQ(engine::SniffMediaType(std::string("\0\0\0\x18" "ftypheic", 12)), "image/heic");
  EXPECT_EQ(engine::SniffMediaType("<html>"), "");
  EXPECT_EQ(engine::SniffMediaType("GIF89a"), "");

  EXPECT_EQ(engine::SanitiseFileName("C:\\Users\\王\\评议.pdf", "application/pdf").value(), "评议.pdf");
  EXPECT_EQ(engine::SanitiseFileName("../../x\x01\x7f.jpg", "image/jpeg").value(), "x.jpg");
  EXPECT_EQ(engine::SanitiseFileName("\xE2\x80\xAEgpj.exe", "image/jpeg").value(), "gpj.exe");
  EXPECT_EQ(engine::SanitiseFileName("...", "image/png").value(), "佐证材料.png");
  EXPECT_EQ(engine::SanitiseFileName(std::string(100, 'a'), "image/png").value().size(), 100u);
  auto long_name = engine::SanitiseFileName(std::string(101, 'a'), "image/png");
  ASSERT_FALSE(long_name.ok());
  EXPECT_NE(long_name.error().message.find("最多 100 个字"), std::string::npos);
  EXPECT_FALSE(engine::SanitiseFileName("\xFF\xFE", "image/png").ok());

  const std::string id = NewCase();
  auto r = Attach("clerk_v11", id, "visit_photo", kMinimalPdf, "image/jpeg", "a.jpg");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().slug, "content_type_mismatch");
  EXPECT_EQ(r.error().message, "文件内容是PDF 文件，与声明的类型 image/jpeg 不符");
  r = Attach("clerk_v11", id, "visit_photo", std::string(engine::kMaxEvidenceBytes + 1, '%'), "", "a");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTooLarge);
  EXPECT_EQ(r.error().message, "文件过大：上限为 10 MB");
  r = Attach("clerk_v11", id, "receipt", kMinimalPdf, "application/pdf", "a.pdf");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(Case(id)["attachments"].size(), 0u);
}

// A visit's photos come with the household (for the household page's thumbnails), to whoever
// reads the household; another village reads neither the household nor the photo.
TEST_F(EvidenceTest, AVisitsPhotosComeWithTheHousehold) {
  Admit("v11-1");
  Must(&api::AssignContact, Who("rev_t1"), {{"user", "contact_a"}}, "v11-1");
  Must(&api::LogVisit, Who("contact_a"), {{"mode", "home"}, {"note", "入户走访"}}, "v11-1");
  Must(&api::LogVisit, Who("contact_a"), {{"mode", "home"}, {"note", "再次走访"}}, "v11-1");
  auto before = reads_.GetHousehold(Who("county"), "v11-1");
  ASSERT_TRUE(before.ok()) << before.error().message;
  const Json visits = before.value()["monitoring"]["visits"];
  ASSERT_EQ(visits.size(), 2u);
  const std::string photo = std::string("\x89PNG\r\n\x1A\n", 8) + std::string(64, '\0') + "走访";
  engine::AttachInput in;
  in.household = "v11-1";
  in.visit = std::stoll(visits[1]["id"].get<std::string>());
  in.kind = "visit_photo";
  in.bytes = photo;
  in.content_type = "image/png";
  in.filename = "走访.png";
  auto a = engine::RunNow(*engine_, &engine::AttachToVisit, Who("contact_a"), std::move(in));
  ASSERT_TRUE(a.ok()) << a.error().message;

  auto household = reads_.GetHousehold(Who("clerk_v11"), "v11-1");
  ASSERT_TRUE(household.ok()) << household.error().message;
  const Json after = household.value()["monitoring"]["visits"];
  EXPECT_EQ(after[0]["attachments"], Json::array());
  ASSERT_EQ(after[1]["attachments"].size(), 1u);
  const Json& shown = after[1]["attachments"][0];
  EXPECT_EQ(shown["id"], std::to_string(a->id));
  EXPECT_EQ(shown["kind"], "visit_photo");
  EXPECT_EQ(shown["content_type"], "image/png");
  EXPECT_EQ(shown["filename"], "走访.png");
  EXPECT_EQ(shown["visit"], visits[1]["id"]);
  auto bytes = engine::GetAttachment(*engine_, Who("clerk_v11"), a->id);
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  EXPECT_EQ(bytes->bytes, photo);
  // Another village: the household and the photo both read as absent.
  auto elsewhere = reads_.GetHousehold(Who("clerk_v12"), "v11-1");
  ASSERT_FALSE(elsewhere.ok());
  EXPECT_EQ(elsewhere.error().code, ErrorCode::kNotFound);
  auto photo_elsewhere = engine::GetAttachment(*engine_, Who("clerk_v12"), a->id);
  ASSERT_FALSE(photo_elsewhere.ok());
  EXPECT_EQ(photo_elsewhere.error().code, ErrorCode::kNotFound);
}

TEST(EvidenceDefinitionsTest, AnUnknownKindNamesFileLineAndField) {
  const std::string text = R"({
  "name": "pilot", "label": "试点", "version": 1, "initial": "draft", "initiators": ["village_clerk"],
  "states": {
    "draft": {"label": "起草", "actor": {"level": "village", "role": "village_clerk"}, "deadline": "2wd",
      "actions": {"submit": {"label": "提交", "to": "done",
                             "requires_evidence": ["meeting_minutes", "selfie"]}}},
    "done": {"label": "完成", "final": true}
  }
}
)";
  auto r = engine::LoadWorkflowText(text, "tests/pilot.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind("tests/pilot.json:6: states.draft.actions.submit.requires_evidence.1: unknown evidence kind", 0), 0u)
      << r.error().message;
  EXPECT_NE(r.error().message.find("selfie"), std::string::npos);
}

}  // namespace
}  // namespace dixian::testing
