// The SQLite checkpointer thread: it, not the writer, copies the WAL back into the database file.
// When its checkpoints did nothing (a connection that had never read the file has no WAL open),
// the WAL grew to 32x checkpoint_pages and the writer checkpointed inside its COMMIT, stalling
// every durable write for 200-500 ms (docs/benchmarks.md, "phase 7, the HTTP tail").
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

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

// This process's threads by name (/proc/self/task/*/comm) with their nice values.
std::map<std::string, int> NiceByThreadName() {
  std::map<std::string, int> nice;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::string name, stat;
    std::getline(std::ifstream(task.path() / "comm"), name);
    std::getline(std::ifstream(task.path() / "stat"), stat);
    // Fields after "(comm) ": state is the 3rd field of the line; nice is the 19th.
    std::istringstream rest(stat.substr(stat.rfind(')') + 2));
    std::string field;
    for (int i = 3; i <= 19 && rest >> field; ++i) {
    }
    nice[name] = std::stoi(field);
  }
  return nice;
}

// The threads an operator sees in `top -H` are named, and the checkpointer yields the CPU to the
// writer (docs/benchmarks.md, "phase 9").
TEST(SqliteCheckpointer, RunsBelowTheWritersPriority) {
  if (dixian::testing::OnPostgres()) GTEST_SKIP() << "SQLite only (its checkpointer)";
  dixian::testing::TempDir dir;
  SqliteOptions options;
  options.checkpoint_pages = 4;
  auto store = OpenOrDie(dir.File("dixian.db"), options);
  ASSERT_NE(store, nullptr);
  auto village = MakeOrg("520101001", "village");
  MustWrite(*store, [&](WriteTx& tx) { ASSERT_TRUE(tx.InsertOrg(village).ok()); });
  ASSERT_TRUE(store->Run(FillVillage(0, 100, village)).ok());
  // A pass done means the thread is past setting its priority (its first statement).
  ASSERT_GT(store->CheckpointerBackfill(std::chrono::seconds(10)), 0);
  auto nice = NiceByThreadName();
  ASSERT_TRUE(nice.count("db-writer"));
  ASSERT_TRUE(nice.count("db-syncer"));
  ASSERT_TRUE(nice.count("db-checkpointer"));
  EXPECT_EQ(nice["db-checkpointer"], std::min(nice["db-writer"] + 10, 19));  // relative: ctest may run under nice
}

}  // namespace
}  // namespace dixian::store::testing
