#include <filesystem>

#include "tests/store/store_fixture.h"

namespace dixian::store::testing {
namespace {

using engine::ErrorCode;

JsonJob AddHouseholds(int from, int count, const engine::Org& village) {
  return [=](WriteTx& tx) -> Result<Json> {
    for (int i = from; i < from + count; ++i) {
      auto st = tx.InsertHousehold(MakeHousehold("h" + std::to_string(i), village, 3));
      if (!st) return st.error();
    }
    return Json(count);
  };
}

TEST_F(StoreTest, BackupIsConsistentAndPassesIntegrityCheck) {
  if (dixian::testing::OnPostgres()) GTEST_SKIP() << "SQLite only (the file, its pragmas)";
  auto village = MakeOrg("520101001", "village");
  MustWrite(*store_, [&](WriteTx& tx) { ASSERT_TRUE(tx.InsertOrg(village).ok()); });
  ASSERT_TRUE(store_->Run(AddHouseholds(0, 500, village)).ok());
  std::string backup = dir_.File("backups/b1.db");
  std::filesystem::create_directories(dir_.File("backups"));
  auto st = static_cast<SqliteStore&>(*store_).Backup(backup);
  ASSERT_TRUE(st.ok()) << st.error().message;
  ASSERT_TRUE(store_->Run(AddHouseholds(500, 10, village)).ok());  // after the backup

  auto check = SqliteStore::IntegrityCheck(backup);
  EXPECT_TRUE(check.ok()) << check.error().message;
  EXPECT_FALSE(std::filesystem::exists(backup + ".tmp"));
  auto copy = OpenOrDie(backup);
  ASSERT_NE(copy, nullptr);
  auto view = copy->Read();
  EXPECT_TRUE(view->FindHousehold("h499").has_value());
  EXPECT_FALSE(view->FindHousehold("h500").has_value());
}

TEST_F(StoreTest, IntegrityCheckOfTheLiveFileAndCheckpoint) {
  if (dixian::testing::OnPostgres()) GTEST_SKIP() << "SQLite only (the file, its pragmas)";
  ASSERT_TRUE(static_cast<SqliteStore&>(*store_).Checkpoint().ok());
  ASSERT_TRUE(static_cast<SqliteStore&>(*store_).Checkpoint(/*truncate=*/true).ok());
  EXPECT_TRUE(SqliteStore::IntegrityCheck(path_).ok());
}

TEST(MaintenanceTest, IntegrityCheckRejectsGarbage) {
  if (dixian::testing::OnPostgres()) GTEST_SKIP() << "SQLite only (the file, its pragmas)";
  dixian::testing::TempDir dir;
  std::string path = dir.File("garbage.db");
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::string junk(8192, 'x');
    std::fwrite(junk.data(), 1, junk.size(), f);
    std::fclose(f);
  }
  auto st = SqliteStore::IntegrityCheck(path);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInternal);
}

TEST(MaintenanceTest, ReadOnlyDatabaseRefusesWritesButServesReads) {
  if (dixian::testing::OnPostgres()) GTEST_SKIP() << "SQLite only (the file, its pragmas)";
  dixian::testing::TempDir dir;
  std::string path = dir.File("dixian.db");
  auto village = MakeOrg("520101001", "village");
  {
    auto store = OpenOrDie(path);
    MustWrite(*store, [&](WriteTx& tx) { ASSERT_TRUE(tx.InsertOrg(village).ok()); });
    ASSERT_TRUE(store->Run(AddHouseholds(0, 3, village)).ok());
  }
  SqliteOptions options;
  options.read_only = true;
  auto store = OpenOrDie(path, options);
  ASSERT_NE(store, nullptr);
  auto r = store->Run(AddHouseholds(3, 1, village));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message.find("数据库无法写入"), std::string::npos) << r.error().message;
  EXPECT_TRUE(store->Read()->FindHousehold("h0").has_value());
  EXPECT_EQ(store->PendingCount(), 0);
}

TEST(MaintenanceTest, FullDiskRefusesWritesButServesReads) {
  if (dixian::testing::OnPostgres()) GTEST_SKIP() << "SQLite only (the file, its pragmas)";
  dixian::testing::TempDir dir;
  std::string path = dir.File("dixian.db");
  auto village = MakeOrg("520101001", "village");
  {
    auto store = OpenOrDie(path);
    MustWrite(*store, [&](WriteTx& tx) { ASSERT_TRUE(tx.InsertOrg(village).ok()); });
    ASSERT_TRUE(store->Run(AddHouseholds(0, 3, village)).ok());
    ASSERT_TRUE(store->Checkpoint(true).ok());
  }
  std::int64_t pages = 0;
  {
    auto conn = SqliteConnection::Open(path, true, false, 1000);
    auto st = (*conn)->Prepare("PRAGMA page_count");
    ASSERT_TRUE(st.Step());
    pages = st.Int64(0);
  }
  SqliteOptions options;
  options.max_pages = pages;  // no room to grow: behaves like a full disk
  auto store = OpenOrDie(path, options);
  ASSERT_NE(store, nullptr);
  auto r = store->Run(AddHouseholds(1000, 2000, village));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(r.error().slug, "database_unavailable");
  auto view = store->Read();
  EXPECT_TRUE(view->FindHousehold("h0").has_value());
  EXPECT_FALSE(view->FindHousehold("h1000").has_value());
  // A small write that fits still goes through afterwards: the writer survived.
  auto small = store->Run([](WriteTx& tx) -> Result<Json> {
    tx.SetScheduleNext("digest", 5);
    return Json();
  });
  EXPECT_TRUE(small.ok()) << small.error().message;
}

TEST(MaintenanceTest, BulkImportOfHouseholdsInOneJob) {
  if (dixian::testing::OnPostgres()) GTEST_SKIP() << "SQLite only (the file, its pragmas)";
  dixian::testing::TempDir dir;
  auto store = OpenOrDie(dir.File("dixian.db"));
  auto village = MakeOrg("520101001", "village");
  MustWrite(*store, [&](WriteTx& tx) { ASSERT_TRUE(tx.InsertOrg(village).ok()); });
  auto r = store->Run(AddHouseholds(0, 20000, village));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(store->Read()->FindHousehold("h19999").has_value());
}

}  // namespace
}  // namespace dixian::store::testing
