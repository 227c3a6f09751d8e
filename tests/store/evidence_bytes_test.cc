// Attachments' bytes in the store (issue 14): on PostgreSQL a large object per distinct SHA-256,
// written in the attachment's own transaction, so a job that fails after writing it leaves
// neither the object nor its row; the same bytes twice are one object; another connection (a
// second node) reads them back whole. SQLite keeps none (its files are adapters/evidence's).
#include <random>

#include "adapters/store/sql/write_tx.h"
#include "engine/core/sha256.h"
#include "tests/store/store_fixture.h"

namespace dixian::store::testing {
namespace {

using dixian::testing::ScalarDb;

// A PNG's first bytes, then binary noise with NULs, longer than one lo_write chunk (256 KiB).
std::string PngBytes(std::size_t size, unsigned seed) {
  std::string bytes = "\x89PNG\r\n\x1A\n";
  bytes.push_back('\0');
  std::mt19937 random(seed);
  while (bytes.size() < size) bytes.push_back(static_cast<char>(random() & 0xFF));
  return bytes;
}

engine::Status Put(engine::Store& store, const std::string& sha256, const std::string& bytes) {
  auto r = store.Run([&](WriteTx& tx) -> Result<Json> {
    if (auto st = tx.PutEvidenceBytes(sha256, bytes); !st.ok()) return st.error();
    return Json::object();
  });
  return r.ok() ? engine::OkStatus() : engine::Status(r.error());
}

class EvidenceBytesTest : public StoreTest {};

TEST_F(EvidenceBytesTest, SqliteKeepsNoneItsFilesDo) {
  if (dixian::testing::OnPostgres()) GTEST_SKIP() << "SQLite run only";
  const std::string bytes = PngBytes(1000, 1);
  const std::string sha = engine::Sha256Hex(bytes);
  auto st = Put(*store_, sha, bytes);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("数据库旁的文件"), std::string::npos) << st.error().message;
  auto view = store_->Read();
  EXPECT_EQ(view->EvidenceBytes(sha), std::nullopt);
  EXPECT_FALSE(view->failure().has_value());
}

TEST_F(EvidenceBytesTest, OneLargeObjectInTheTransactionNoneWhenItFails) {
  if (!dixian::testing::OnPostgres()) GTEST_SKIP() << "PostgreSQL run only";
  const std::string bytes = PngBytes(600 * 1024 + 7, 2);
  const std::string sha = engine::Sha256Hex(bytes);

  // The upload's job fails after its bytes were written: the object goes with its row.
  std::int64_t oid = 0;
  auto failed = store_->Run([&](WriteTx& tx) -> Result<Json> {
    EXPECT_TRUE(tx.PutEvidenceBytes(sha, bytes).ok());
    auto st = dynamic_cast<SqlWriteTx&>(tx).connection().Prepare(
        "SELECT oid FROM evidence_objects WHERE sha256 = ?1");
    st.Bind(1, sha);
    if (st.Step()) oid = st.Int64(0);
    return engine::Error::Unprocessable("later_check_failed", "写入之后的检查未通过");
  });
  ASSERT_FALSE(failed.ok());
  ASSERT_NE(oid, 0) << "the object existed inside the job";
  const std::string object = "SELECT count(*) FROM pg_largeobject_metadata WHERE oid = " + std::to_string(oid);
  EXPECT_EQ(ScalarDb(path_, object), "0");
  EXPECT_EQ(ScalarDb(path_, "SELECT count(*) FROM evidence_objects"), "0");
  EXPECT_EQ(store_->Read()->EvidenceBytes(sha), std::nullopt);

  // Stored by two jobs: one object, one row.
  ASSERT_TRUE(Put(*store_, sha, bytes).ok());
  ASSERT_TRUE(Put(*store_, sha, bytes).ok());
  EXPECT_EQ(ScalarDb(path_, "SELECT count(*) FROM evidence_objects"), "1");
  EXPECT_EQ(ScalarDb(path_, "SELECT size FROM evidence_objects"), std::to_string(bytes.size()));
  EXPECT_EQ(ScalarDb(path_, "SELECT count(*) FROM evidence_objects e JOIN pg_largeobject_metadata m"
                            " ON m.oid = e.oid"),
            "1");

  // Read back whole, here and by another store on the same database (another node).
  auto view = store_->Read();
  auto back = view->EvidenceBytes(sha);
  ASSERT_TRUE(back.has_value()) << (view->failure() ? view->failure()->message : "");
  EXPECT_EQ(*back, bytes);
  auto other = OpenStoreOrDie(path_);
  ASSERT_NE(other, nullptr);
  auto there = other->Read()->EvidenceBytes(sha);
  ASSERT_TRUE(there.has_value());
  EXPECT_EQ(engine::Sha256Hex(*there), sha);
  EXPECT_EQ(other->Read()->EvidenceBytes(std::string(64, '0')), std::nullopt);
}

}  // namespace
}  // namespace dixian::store::testing
