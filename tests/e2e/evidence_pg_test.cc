// Evidence on PostgreSQL (issue 14): the bytes are large objects in the database, so a second
// `dixian serve` on the same database, with no folder shared with the first, serves what the
// first took; the same bytes uploaded twice are one object. PostgreSQL run only.
#include <filesystem>
#include <random>

#include "engine/core/sha256.h"
#include "tests/e2e/e2e_world.h"
#include "tests/support/test_db.h"

namespace dixian::e2e {
namespace {

// A JPEG's first bytes, then binary noise (NULs included) across several lo_write chunks.
std::string JpegNoise(std::size_t size) {
  std::string bytes = "\xFF\xD8\xFF\xE0";
  std::mt19937 random(14);
  while (bytes.size() < size) bytes.push_back(static_cast<char>(random() & 0xFF));
  return bytes;
}

class EvidenceOnPostgresTest : public E2eTest {
 protected:
  void SetUp() override {
    if (!testing::OnPostgres()) GTEST_SKIP() << "PostgreSQL run only";
    E2eTest::SetUp();
    ASSERT_NO_FATAL_FAILURE(BuildWorld());
  }
  std::string Scalar(const std::string& sql) { return testing::ScalarDb(server_->db_path(), sql); }
};

TEST_F(EvidenceOnPostgresTest, ASecondServerWithNoSharedFolderServesTheBytes) {
  const std::string id = NewCase().value("id", "");
  const std::string photo = JpegNoise(700 * 1024 + 3);
  auto r = Upload("clerk1", id, "visit_photo", photo, "image/jpeg", "photo.jpg");
  ASSERT_EQ(r.status, 201) << Show(r);
  const json a = r.Json();
  const std::string sha = engine::Sha256Hex(photo);
  ASSERT_EQ(a["sha256"], sha);

  // Node B: the same database and key, its own temp folder; nothing on disk is shared.
  ServerProcessOptions o = Options();
  o.db = server_->db_path();
  o.key_file = server_->key_file();
  ServerProcess b(o);
  ASSERT_TRUE(b.Start()) << b.error();
  EXPECT_FALSE(std::filesystem::exists(server_->evidence_dir())) << "node A wrote no file";
  auto d = b.Client(tokens_.at("reviewer1"))->Request("GET", "/api/v1/attachments/" + a["id"].get<std::string>());
  ASSERT_EQ(d.status, 200) << Show(d);
  EXPECT_EQ(d.body.size(), photo.size());
  EXPECT_EQ(engine::Sha256Hex(d.body), sha);
  EXPECT_TRUE(d.body == photo);
  EXPECT_EQ(d.Header("content-type"), "image/jpeg");
  // The read permission is the case's, on either node: another village's clerk gets 404.
  auto other = b.Client(tokens_.at("clerk2"))->Request("GET", "/api/v1/attachments/" + a["id"].get<std::string>());
  EXPECT_EQ(other.status, 404) << Show(other);

  // The same bytes again, through node B: a second attachment row, still one object.
  auto again = b.Client(tokens_.at("clerk1"))
                   ->Request("POST", "/api/v1/cases/" + id + "/attachments?kind=visit_photo", photo,
                             {{"Content-Type", "image/jpeg"}, {"X-Filename", "again.jpg"}});
  ASSERT_EQ(again.status, 201) << Show(again);
  EXPECT_EQ(again.Json()["sha256"], sha);
  EXPECT_EQ(Scalar("SELECT count(*) FROM attachments WHERE sha256 = '" + sha + "'"), "2");
  EXPECT_EQ(Scalar("SELECT count(*) FROM evidence_objects WHERE sha256 = '" + sha + "'"), "1");
  EXPECT_EQ(Scalar("SELECT count(*) FROM evidence_objects e JOIN pg_largeobject_metadata m ON m.oid = e.oid"
                   " WHERE e.sha256 = '" + sha + "'"),
            "1");
  EXPECT_FALSE(std::filesystem::exists(b.evidence_dir())) << "node B wrote no file";
  // Back on node A, the second upload reads the same.
  auto d2 = Get("reviewer1", "/api/v1/attachments/" + again.Json()["id"].get<std::string>());
  ASSERT_EQ(d2.status, 200) << Show(d2);
  EXPECT_EQ(engine::Sha256Hex(d2.body), sha);
  EXPECT_EQ(GetJson("admin", "/api/v1/audit/verify").value("ok", false), true);
  EXPECT_EQ(b.Stop(), 0) << b.Log();
}

TEST_F(EvidenceOnPostgresTest, ARefusedUploadLeavesNoObjectAndNoRow) {
  const std::string id = NewCase().value("id", "");
  // Declared a PNG, the first bytes say JPEG: 422 before anything is stored.
  auto r = Upload("clerk1", id, "visit_photo", JpegNoise(4096), "image/png", "x.png");
  ASSERT_TRUE(IsErrorBody(r, 422));
  // A case of another village: 404 (as the case answers), nothing stored either.
  r = Upload("clerk2", id, "visit_photo", JpegNoise(4096), "image/jpeg", "x.jpg");
  ASSERT_TRUE(IsErrorBody(r, 404));
  EXPECT_EQ(Scalar("SELECT count(*) FROM attachments"), "0");
  EXPECT_EQ(Scalar("SELECT count(*) FROM evidence_objects"), "0");
}

}  // namespace
}  // namespace dixian::e2e
