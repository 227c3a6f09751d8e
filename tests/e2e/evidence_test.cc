// Evidence (佐证材料) through the real binary: upload as a raw body, the case lists it, the bytes
// come back equal with download headers; 413 over 10 MiB, 422 when the first bytes are not what
// the content type says, 404 for another village's clerk exactly as for the case; the village
// submit of identification requires the minutes; backup copies the files and restore verifies
// each SHA-256, refusing a corrupted or missing file by name.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/core/sha256.h"
#include "tests/e2e/e2e_world.h"
#include "tests/support/test_db.h"

namespace dixian::e2e {
namespace {

using test_support::CommandResult;
using test_support::RunCommand;

std::string CliOutput(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\nstdout: " + r.out + "\nstderr: " + r.err;
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A JPEG's first bytes and some body (the engine reads the magic, not the whole image).
std::string Jpeg(std::size_t size) {
  std::string bytes = "\xFF\xD8\xFF\xE0";
  bytes.resize(size, 'x');
  return bytes;
}

class EvidenceTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    ASSERT_NO_FATAL_FAILURE(BuildWorld());
  }
  long long Attachments(const std::string& case_id) {
    return static_cast<long long>(GetJson("admin", "/api/v1/cases/" + case_id)["attachments"].size());
  }
};

TEST_F(EvidenceTest, UploadListDownloadBytesEqual) {
  const std::string id = NewCase().value("id", "");
  const std::string photo = Jpeg(300 * 1024);
  // X-Filename percent-encoded UTF-8 with a path and a control character: both dropped.
  auto r = Upload("clerk1", id, "visit_photo", photo, "image/jpeg", "..%2F..%2Fetc%2F%E5%85%A5%E6%88%B7%01.jpg");
  ASSERT_EQ(r.status, 201) << Show(r);
  const json a = r.Json();
  EXPECT_EQ(a["kind"], "visit_photo");
  EXPECT_EQ(a["kind_label"], "入户照片");
  EXPECT_EQ(a["size"], photo.size());
  EXPECT_EQ(a["content_type"], "image/jpeg");
  EXPECT_EQ(a["sha256"], engine::Sha256Hex(photo));
  EXPECT_EQ(a["filename"], "入户.jpg");
  EXPECT_EQ(a["actor"], "clerk1");
  EXPECT_EQ(a["case"], id);

  const json c = GetJson("reviewer1", "/api/v1/cases/" + id);
  ASSERT_EQ(c["attachments"].size(), 1u) << c.dump();
  EXPECT_EQ(c["attachments"][0]["id"], a["id"]);

  auto d = Get("reviewer1", "/api/v1/attachments/" + a["id"].get<std::string>());
  ASSERT_EQ(d.status, 200) << d.status;
  EXPECT_EQ(d.body, photo);
  EXPECT_EQ(d.Header("content-type"), "image/jpeg");
  EXPECT_EQ(d.Header("x-content-type-options"), "nosniff");
  EXPECT_EQ(d.Header("content-disposition").rfind("attachment; filename=\"evidence-", 0), 0u)
      << d.Header("content-disposition");
  EXPECT_NE(d.Header("content-disposition").find("filename*=UTF-8''%E5%85%A5%E6%88%B7.jpg"), std::string::npos)
      << d.Header("content-disposition");

  const std::string hex = a["sha256"];
  if (testing::OnPostgres()) {  // a large object in the database; no file anywhere
    EXPECT_EQ(testing::ScalarDb(server_->db_path(), "SELECT size FROM evidence_objects WHERE sha256 = '" + hex + "'"),
              std::to_string(photo.size()));
    EXPECT_FALSE(std::filesystem::exists(server_->evidence_dir()));
    EXPECT_EQ(GetJson("admin", "/api/v1/audit/verify")["ok"], true);
    return;
  }
  // The file is content-addressed beside the database, 0600 in a 0700 folder.
  const std::string dir = server_->evidence_dir();
  const std::string file = dir + "/" + hex.substr(0, 2) + "/" + hex.substr(2);
  EXPECT_EQ(ReadBytes(file), photo);
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  // The upload is audited like every other write.
  const json verdict = GetJson("admin", "/api/v1/audit/verify");
  EXPECT_EQ(verdict["ok"], true) << verdict.dump();
}

TEST_F(EvidenceTest, OverTenMegabytesIs413AndNothingStored) {
  const std::string id = NewCase().value("id", "");
  // Refused from Content-Length, before the body is read: the client need not send it all (the
  // server drains 4 MiB of it, then closes).
  auto client = As("clerk1");
  const std::string head = "POST /api/v1/cases/" + id + "/attachments?kind=visit_photo HTTP/1.1\r\n"
                           "Host: 127.0.0.1\r\nAuthorization: Bearer " + tokens_.at("clerk1") +
                           "\r\nContent-Type: image/jpeg\r\nContent-Length: " +
                           std::to_string(10 * 1024 * 1024 + 1) + "\r\nConnection: close\r\n\r\n";
  auto r = client->SendRaw(head + Jpeg(1024 * 1024));
  ASSERT_TRUE(IsErrorBody(r, 413));
  EXPECT_NE(r.Json()["error"]["message"].get<std::string>().find("10 MB"), std::string::npos) << r.body;
  EXPECT_EQ(Attachments(id), 0);
  // Exactly 10 MiB is accepted; other routes keep their 1 MiB limit.
  r = Upload("clerk1", id, "visit_photo", Jpeg(10 * 1024 * 1024), "image/jpeg");
  EXPECT_EQ(r.status, 201) << Show(r);
  r = Post("clerk1", "/api/v1/cases/" + id + "/actions", {{"comment", std::string(2 << 20, 'x')}});
  EXPECT_TRUE(IsErrorBody(r, 413));
}

TEST_F(EvidenceTest, TypeByFirstBytesIs422NamingTheKind) {
  const std::string id = NewCase().value("id", "");
  auto r = Upload("clerk1", id, "visit_photo", kMinimalPdf, "image/png");
  ASSERT_TRUE(IsErrorBody(r, 422));
  EXPECT_EQ(r.Json()["error"]["code"], "content_type_mismatch");
  EXPECT_NE(r.body.find("PDF 文件"), std::string::npos) << r.body;
  r = Upload("clerk1", id, "other", "<html><script>alert(1)</script></html>", "text/html");
  ASSERT_TRUE(IsErrorBody(r, 422));
  EXPECT_EQ(r.Json()["error"]["code"], "unsupported_file_type");
  r = Upload("clerk1", id, "selfie", kMinimalPdf, "application/pdf");
  ASSERT_TRUE(IsErrorBody(r, 422));
  EXPECT_NE(r.body.find("kind"), std::string::npos) << r.body;
  EXPECT_EQ(Attachments(id), 0);
  // A PNG declared as PNG is fine.
  r = Upload("clerk1", id, "visit_photo", std::string("\x89PNG\r\n\x1A\n", 8) + "rest", "image/png");
  EXPECT_EQ(r.status, 201) << Show(r);
}

TEST_F(EvidenceTest, AnotherVillagesClerkGets404AsForTheCase) {
  const std::string id = NewCase().value("id", "");
  auto r = Upload("clerk1", id, "meeting_minutes", kMinimalPdf, "application/pdf");
  ASSERT_EQ(r.status, 201) << Show(r);
  const std::string att = r.Json()["id"];

  const auto as_case = Get("clerk2", "/api/v1/cases/" + id);
  ASSERT_TRUE(IsErrorBody(as_case, 404));
  auto upload = Upload("clerk2", id, "meeting_minutes", kMinimalPdf, "application/pdf");
  ASSERT_TRUE(IsErrorBody(upload, 404));
  EXPECT_EQ(upload.body, as_case.body);  // the case's own answer, byte for byte
  // Even a file that would be refused gets the case's 404 first.
  EXPECT_EQ(Upload("clerk2", id, "meeting_minutes", "junk", "application/pdf").body, as_case.body);

  auto d = Get("clerk2", "/api/v1/attachments/" + att);
  ASSERT_TRUE(IsErrorBody(d, 404));
  auto never = Get("clerk2", "/api/v1/attachments/999999");
  ASSERT_TRUE(IsErrorBody(never, 404));
  EXPECT_EQ(d.Json()["error"]["code"], never.Json()["error"]["code"]);
  EXPECT_EQ(d.Header("content-length").empty(), never.Header("content-length").empty());
  // A department officer may not read cases at all: 403 as for the case.
  EXPECT_EQ(Get("medical1", "/api/v1/cases/" + id).status, Get("medical1", "/api/v1/attachments/" + att).status);
  EXPECT_EQ(Attachments(id), 1);
}

TEST_F(EvidenceTest, VillageSubmitRequiresTheMinutes) {
  auto_evidence_ = false;
  const std::string id = NewCase().value("id", "");
  const json c = GetJson("clerk1", "/api/v1/cases/" + id);
  bool shown = false;
  for (const auto& a : c["allowed_actions"])
    if (a["action"] == "submit")
      shown = a["requires_evidence"] == json::array({{{"kind", "meeting_minutes"}, {"label", "民主评议会议记录"}}});
  EXPECT_TRUE(shown) << c["allowed_actions"].dump();

  auto r = Act("clerk1", id, "submit");
  ASSERT_TRUE(IsErrorBody(r, 422));
  EXPECT_EQ(r.Json()["error"]["code"], "evidence_required");
  EXPECT_NE(r.body.find("民主评议会议记录"), std::string::npos) << r.body;
  EXPECT_EQ(GetJson("clerk1", "/api/v1/cases/" + id)["state"], "village_fill");
  // A photo is not the minutes.
  ASSERT_EQ(Upload("clerk1", id, "visit_photo", Jpeg(100), "image/jpeg").status, 201);
  EXPECT_TRUE(IsErrorBody(Act("clerk1", id, "submit"), 422));
  ASSERT_EQ(Upload("clerk1", id, "meeting_minutes", kMinimalPdf, "application/pdf").status, 201);
  r = Act("clerk1", id, "submit");
  ASSERT_EQ(r.status, 200) << Show(r);
  EXPECT_EQ(r.Json()["state"], "township_review");
}

TEST_F(EvidenceTest, BackupCopiesFilesAndRestoreVerifiesEachSha256) {
  if (testing::OnPostgres()) GTEST_SKIP() << "SQLite only (dixian backup copies files)";
  const std::string id = NewCase().value("id", "");
  const std::string photo = Jpeg(64 * 1024);
  ASSERT_EQ(Upload("clerk1", id, "visit_photo", photo, "image/jpeg").status, 201);
  ASSERT_EQ(Upload("clerk1", id, "meeting_minutes", kMinimalPdf, "application/pdf").status, 201);
  const std::string backup = server_->dir().File("backup.db");
  auto r = RunCommand(DIXIAN_BINARY, {"backup", backup, "--db", server_->db_path()}, server_->key_file());
  ASSERT_EQ(r.exit_code, 0) << CliOutput(r);
  const std::string hex = engine::Sha256Hex(photo);
  const std::string copied = backup + ".evidence/" + hex.substr(0, 2) + "/" + hex.substr(2);
  ASSERT_EQ(ReadBytes(copied), photo);
  EXPECT_EQ(server_->Stop(), 0) << server_->Log();

  // A corrupted file: refused by name, nothing restored.
  const std::string target = server_->dir().File("restored.db");
  {
    std::fstream f(copied, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    f.put('!');
  }
  r = RunCommand(DIXIAN_BINARY, {"restore", backup, "--db", target});
  EXPECT_EQ(r.exit_code, 1) << CliOutput(r);
  EXPECT_NE(r.err.find(hex.substr(2)), std::string::npos) << CliOutput(r);
  EXPECT_NE(r.err.find("SHA-256"), std::string::npos) << CliOutput(r);
  EXPECT_FALSE(std::filesystem::exists(target));
  // A missing file: refused by name.
  std::filesystem::remove(copied);
  r = RunCommand(DIXIAN_BINARY, {"restore", backup, "--db", target});
  EXPECT_EQ(r.exit_code, 1) << CliOutput(r);
  EXPECT_NE(r.err.find(hex.substr(2)), std::string::npos) << CliOutput(r);
  EXPECT_FALSE(std::filesystem::exists(target));

  // The file put back: restore copies database and files; the server serves the bytes again.
  {
    std::ofstream f(copied, std::ios::binary | std::ios::trunc);
    f << photo;
  }
  r = RunCommand(DIXIAN_BINARY, {"restore", backup, "--db", server_->db_path()});
  ASSERT_EQ(r.exit_code, 0) << CliOutput(r);
  std::filesystem::remove_all(server_->db_path() + ".evidence/" + hex.substr(0, 2));
  r = RunCommand(DIXIAN_BINARY, {"restore", backup, "--db", server_->db_path()});
  ASSERT_EQ(r.exit_code, 0) << CliOutput(r);
  ASSERT_TRUE(server_->Restart()) << server_->error();
  const json c = GetJson("reviewer1", "/api/v1/cases/" + id);
  ASSERT_EQ(c["attachments"].size(), 2u) << c.dump();
  auto d = Get("reviewer1", "/api/v1/attachments/" + c["attachments"][0]["id"].get<std::string>());
  EXPECT_EQ(d.status, 200);
  EXPECT_EQ(d.body, photo);
}

}  // namespace
}  // namespace dixian::e2e
