// The writer's WAL buffer (adapters/store/sqlite/wal_buffer_vfs.h): a transaction's frames reach
// the file in a few pwrites, every committed transaction is in the file before anyone can see
// it, and a failed write fails the COMMIT and leaves nothing half-written.
#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>

#include "adapters/store/sqlite/sqlite_db.h"
#include "tests/store/store_fixture.h"

namespace dixian::store::testing {
namespace {

// Write-type syscalls this process has made (/proc/self/io "syscw").
long WriteSyscalls() {
  std::ifstream io("/proc/self/io");
  std::string key;
  long value = 0;
  while (io >> key >> value)
    if (key == "syscw:") return value;
  return -1;
}

std::unique_ptr<SqliteConnection> OpenWriter(const std::string& path, bool buffer_wal) {
  auto conn = SqliteConnection::Open(path, false, true, 1000, buffer_wal);
  EXPECT_TRUE(conn.ok());
  if (!conn.ok()) return nullptr;
  for (const char* sql : {"PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL",
                          "CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, body BLOB)"})
    EXPECT_TRUE((*conn)->Exec(sql).ok()) << sql;
  return std::move(conn.value());
}

std::int64_t Count(Connection& c, const char* sql) {
  auto q = c.Prepare(sql);
  const std::int64_t n = q.Step() ? q.Int64(0) : -1;
  q.Reset();
  return n;
}

std::string Rows(int first, int count, int bytes) {
  return "INSERT INTO t(id, body) WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < " +
         std::to_string(count) + ") SELECT " + std::to_string(first) + " + v, randomblob(" +
         std::to_string(bytes) + ") FROM n";
}

// One transaction; rolled back when it fails.
engine::Status InTransaction(Connection& c, const std::string& sql) {
  if (auto st = c.Exec("BEGIN IMMEDIATE"); !st) return st;
  auto st = c.Exec(sql.c_str());
  if (st.ok()) st = c.Exec("COMMIT");
  if (!st.ok() && c.InTransaction()) (void)c.Exec("ROLLBACK");
  return st;
}

// 40 rows of 3 KB each: ~40 pages, ~80 frame writes on the plain VFS.
engine::Status InsertRows(Connection& c, int first) { return InTransaction(c, Rows(first, 40, 3000)); }

class WalBuffer : public ::testing::Test {
 protected:
  void SetUp() override {
    if (dixian::testing::OnPostgres()) GTEST_SKIP() << "SQLite only (its WAL)";
  }
  dixian::testing::TempDir dir_;
};

TEST_F(WalBuffer, WritesATransactionsFramesInAFewCalls) {
  auto plain = OpenWriter(dir_.File("plain.db"), false);
  auto buffered = OpenWriter(dir_.File("buffered.db"), true);
  ASSERT_TRUE(plain && buffered);
  long before = WriteSyscalls();
  ASSERT_TRUE(InsertRows(*plain, 0).ok());
  const long plain_calls = WriteSyscalls() - before;
  before = WriteSyscalls();
  ASSERT_TRUE(InsertRows(*buffered, 0).ok());
  const long buffered_calls = WriteSyscalls() - before;
  EXPECT_GE(plain_calls, 80);     // a header and a page per frame
  EXPECT_LE(buffered_calls, 4);   // ~165 KB of frames, at most 124 KB per call
}

TEST_F(WalBuffer, EveryCommitIsReadableByAnotherConnectionWhenItReturns) {
  auto writer = OpenWriter(dir_.File("w.db"), true);
  ASSERT_TRUE(writer);
  auto reader = SqliteConnection::Open(dir_.File("w.db"), true, false, 1000);  // the plain VFS
  ASSERT_TRUE(reader.ok());
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(InsertRows(*writer, i * 40).ok());
    // A reader that trusted a header whose frames were still in the buffer would read zeros.
    EXPECT_EQ(Count(**reader, "SELECT count(*) FROM t WHERE length(body) = 3000"), (i + 1) * 40);
  }
  EXPECT_EQ(Count(**reader, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1);
}

TEST_F(WalBuffer, ATransactionLargerThanTheBufferCommitsWhole) {
  auto writer = OpenWriter(dir_.File("big.db"), true);
  ASSERT_TRUE(writer);
  ASSERT_TRUE(InTransaction(*writer, Rows(0, 2000, 3000)).ok());
  writer.reset();  // closes: checkpoints the WAL through the shim's reads
  auto reader = SqliteConnection::Open(dir_.File("big.db"), true, false, 1000);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(Count(**reader, "SELECT count(*) FROM t WHERE length(body) = 3000"), 2000);
  EXPECT_EQ(Count(**reader, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1);
}

// The file-size limit makes the buffered write of the commit fail (EFBIG) after part of it
// reached the file: the COMMIT reports it, readers still see the state before, and once the
// limit is gone the next commit writes over the partial frame and works.
TEST_F(WalBuffer, AFailedWriteFailsTheCommitAndPublishesNothing) {
  auto writer = OpenWriter(dir_.File("full.db"), true);
  ASSERT_TRUE(writer);
  ASSERT_TRUE(InsertRows(*writer, 0).ok());
  auto reader = SqliteConnection::Open(dir_.File("full.db"), true, false, 1000);
  ASSERT_TRUE(reader.ok());
  ASSERT_EQ(Count(**reader, "SELECT count(*) FROM t"), 40);

  std::signal(SIGXFSZ, SIG_IGN);
  rlimit old{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  rlimit tight = old;
  tight.rlim_cur = std::filesystem::file_size(dir_.File("full.db-wal")) + 1000;  // < one frame
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &tight), 0);
  const auto failed = InTransaction(*writer, Rows(40, 1, 100));  // one frame, the commit's
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &old), 0);
  EXPECT_FALSE(failed.ok());
  EXPECT_FALSE(writer->InTransaction());
  EXPECT_EQ(Count(**reader, "SELECT count(*) FROM t"), 40);

  ASSERT_TRUE(InsertRows(*writer, 80).ok());
  EXPECT_EQ(Count(**reader, "SELECT count(*) FROM t WHERE length(body) = 3000"), 80);
  EXPECT_EQ(Count(**reader, "SELECT count(*) FROM t"), 80);
  EXPECT_EQ(Count(**reader, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1);
}

}  // namespace
}  // namespace dixian::store::testing
