// The SQLite checkpointer thread: it, not the writer, copies the WAL back into the database file.
// When its checkpoints did nothing (a connection that had never read the file has no WAL open),
// the WAL grew to 32x checkpoint_pages and the writer checkpointed inside its COMMIT, stalling
// every durable write for 200-500 ms (docs/benchmarks.md, "phase 7, the HTTP tail").
#include <chrono>
#include <filesystem>

#include "tests/store/store_fixture.h"

namespace dixian::store::testing {
namespace {

JsonJob FillVillage(int from, int count, const engine::Org& village) {
  return [=](WriteTx& tx) -> Result<Json> {
    for (int i = from; i < from + count; ++i) {
      auto st = tx.InsertHousehold(MakeHousehold("h" + std::to_string(i), village, 3));
      if (!st) return st.error();
    }
    return Json(count);
  };
}

TEST(SqliteCheckpointer, CopiesTheWalIntoTheDatabaseFile) {
  if (dixian::testing::OnPostgres()) GTEST_SKIP() << "SQLite only (its WAL)";
  dixian::testing::TempDir dir;
  SqliteOptions options;
  options.checkpoint_pages = 4;  // every commit below leaves more than this in the WAL
  auto store = OpenOrDie(dir.File("dixian.db"), options);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->CheckpointerBackfill(), 0);  // nothing written yet

  auto village = MakeOrg("520101001", "village");
  MustWrite(*store, [&](WriteTx& tx) { ASSERT_TRUE(tx.InsertOrg(village).ok()); });
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(store->Run(FillVillage(i * 100, 100, village)).ok());

  // Counts only the checkpointer thread's own passes (the writer's fallback at 32x is not in it).
  // The wait is a guard: a working checkpointer answers within milliseconds of the first commit.
  EXPECT_GT(store->CheckpointerBackfill(std::chrono::seconds(10)), 0);
}

}  // namespace
}  // namespace dixian::store::testing
