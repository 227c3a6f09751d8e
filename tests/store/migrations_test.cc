#include "adapters/store/sqlite/migrations.h"

#include <filesystem>

#include "tests/store/store_fixture.h"

namespace dixian::store::testing {
namespace {

int UserVersionOf(const std::string& path) {
  auto conn = SqliteConnection::Open(path, true, false, 1000);
  EXPECT_TRUE(conn.ok());
  auto st = (*conn)->Prepare("PRAGMA user_version");
  return st.Step() ? st.Int(0) : -1;
}

// Branches take their own numbers (TEAM.md), so a gap may exist until the lower one lands.
TEST(MigrationsTest, VersionsAreNumberedInOrder) {
  if (dixian::testing::OnPostgres()) GTEST_SKIP() << "SQLite only (the file, its pragmas)";
  int previous = 0;
  for (const auto& m : Migrations()) {
    EXPECT_GT(m.version, previous);
    previous = m.version;
  }
  EXPECT_EQ(previous, LatestSchemaVersion());
}

TEST(MigrationsTest, FreshFileIsCreatedWithParentDirsAndMigrated) {
  if (dixian::testing::OnPostgres()) GTEST_SKIP() << "SQLite only (the file, its pragmas)";
  dixian::testing::TempDir dir;
  std::string path = dir.File("a/b/c/dixian.db");
  {
    auto store = OpenOrDie(path);
    ASSERT_NE(store, nullptr);
  }
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_EQ(UserVersionOf(path), LatestSchemaVersion());
}

TEST(MigrationsTest, ReopenKeepsDataAndVersion) {
  if (dixian::testing::OnPostgres()) GTEST_SKIP() << "SQLite only (the file, its pragmas)";
  dixian::testing::TempDir dir;
  std::string path = dir.File("dixian.db");
  auto province = MakeOrg("52", "province");
  {
    auto store = OpenOrDie(path);
    MustWrite(*store, [&](WriteTx& tx) { ASSERT_TRUE(tx.InsertOrg(province).ok()); });
  }
  auto store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->Read()->FindOrg("52").has_value());
  EXPECT_EQ(UserVersionOf(path), LatestSchemaVersion());
}

TEST(MigrationsTest, NewerSchemaIsRefused) {
  if (dixian::testing::OnPostgres()) GTEST_SKIP() << "SQLite only (the file, its pragmas)";
  dixian::testing::TempDir dir;
  std::string path = dir.File("dixian.db");
  { ASSERT_NE(OpenOrDie(path), nullptr); }
  {
    auto conn = SqliteConnection::Open(path, false, false, 1000);
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->Exec("PRAGMA user_version = 999").ok());
  }
  auto store = SqliteStore::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, engine::ErrorCode::kUnavailable);
  EXPECT_EQ(store.error().slug, "schema_too_new");
  EXPECT_NE(store.error().message.find("999"), std::string::npos);
}

TEST(MigrationsTest, WalModeIsOn) {
  if (dixian::testing::OnPostgres()) GTEST_SKIP() << "SQLite only (the file, its pragmas)";
  dixian::testing::TempDir dir;
  std::string path = dir.File("dixian.db");
  auto store = OpenOrDie(path);
  auto conn = SqliteConnection::Open(path, true, false, 1000);
  ASSERT_TRUE(conn.ok());
  auto st = (*conn)->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(st.Step());
  EXPECT_EQ(st.Text(0), "wal");
}

}  // namespace
}  // namespace dixian::store::testing
