// GroupCommit's syncers, with a sync step the test controls (no database): two fsyncs overlap,
// acknowledgements keep commit order, and a failed sync fails exactly the writes it was to settle.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <future>
#include <mutex>
#include <vector>

#include "adapters/store/sql/group_commit.h"
#include "tests/store/store_fixture.h"

namespace dixian::store::testing {
namespace {

using engine::Error;
using engine::ErrorCode;
using engine::Status;

// Every job of a batch succeeds without touching a database.
std::vector<Status> AllWrote(std::vector<GroupCommit::Pending>& batch) {
  return std::vector<Status>(batch.size(), engine::OkStatus());
}

// The sync step: call k (from 0) waits for its gate if it has one, then answers its status.
class ScriptedSync {
 public:
  explicit ScriptedSync(std::vector<Status> answers) : answers_(std::move(answers)) {
    for (std::size_t i = 0; i < answers_.size(); ++i) {
      entered_.emplace_back();
      gates_.emplace_back();
      released_.push_back(false);
    }
  }
  void Hold(std::size_t call) { held_.push_back(call); }
  Status operator()() {
    std::size_t call;
    {
      std::lock_guard lock(mu_);
      call = calls_++;
    }
    entered_.at(call).set_value();
    if (std::find(held_.begin(), held_.end(), call) != held_.end()) gates_[call].get_future().wait();
    return answers_[call];
  }
  // False if call `call` has not begun within 10 s (a syncer that waits for the other's fsync).
  bool WaitEntered(std::size_t call) {
    return entered_.at(call).get_future().wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  }
  void Release(std::size_t call) {
    if (!released_.at(call)) gates_.at(call).set_value();
    released_[call] = true;
  }
  // Lets every held call end (a failed assertion must not leave a syncer blocked in Close).
  void ReleaseAll() {
    for (std::size_t i = 0; i < gates_.size(); ++i) Release(i);
  }

 private:
  std::vector<Status> answers_;
  std::vector<std::size_t> held_;
  std::deque<std::promise<void>> entered_, gates_;
  std::vector<bool> released_;
  std::mutex mu_;
  std::size_t calls_ = 0;
};

// What the dones saw, in the order they ran.
struct Acknowledged {
  std::mutex mu;
  std::vector<std::pair<std::string, Status>> seen;
  std::promise<void> last;
  std::string last_name;
  engine::WriteDone Done(std::string name) {
    return [this, name](Status st) {
      std::lock_guard lock(mu);
      seen.emplace_back(name, std::move(st));
      if (name == last_name) last.set_value();
    };
  }
};

struct ReleaseOnExit {
  ScriptedSync& sync;
  ~ReleaseOnExit() { sync.ReleaseAll(); }
};

engine::WriteJob NoJob() {
  return [](engine::WriteTx&) { return engine::OkStatus(); };
}

TEST(GroupCommitSyncers, ABatchCommittedDuringAnFsyncStartsTheNextOneAtOnceAndAnswersInOrder) {
  if (dixian::testing::OnPostgres()) GTEST_SKIP() << "no database";
  ScriptedSync sync({engine::OkStatus(), engine::OkStatus()});
  sync.Hold(0);  // the first fsync does not end until released
  GroupCommit commit(16, AllWrote, [&sync] { return sync(); });
  ReleaseOnExit release{sync};
  commit.Start();
  Acknowledged acks;
  acks.last_name = "b";
  commit.Enqueue(NoJob(), acks.Done("a"));
  ASSERT_TRUE(sync.WaitEntered(0));
  commit.Enqueue(NoJob(), acks.Done("b"));
  // The second fsync started while the first still runs, and having ended it settles both
  // batches: "a" is answered first, before its own fsync has returned.
  ASSERT_TRUE(sync.WaitEntered(1));
  acks.last.get_future().wait();
  {
    std::lock_guard lock(acks.mu);
    ASSERT_EQ(acks.seen.size(), 2u);
    EXPECT_EQ(acks.seen[0].first, "a");
    EXPECT_EQ(acks.seen[1].first, "b");
    EXPECT_TRUE(acks.seen[0].second.ok());
    EXPECT_TRUE(acks.seen[1].second.ok());
  }
  sync.Release(0);
  commit.Close();
  EXPECT_EQ(acks.seen.size(), 2u);  // the first fsync's end answers nothing twice
}

TEST(GroupCommitSyncers, AFailedSyncFailsTheWritesItWasToSettleAndNoOthers) {
  if (dixian::testing::OnPostgres()) GTEST_SKIP() << "no database";
  ScriptedSync sync({Error::Unavailable("database_unavailable", "WAL 同步失败"), engine::OkStatus()});
  GroupCommit commit(16, AllWrote, [&sync] { return sync(); });
  ReleaseOnExit release{sync};
  commit.Start();
  Acknowledged acks;
  acks.last_name = "a";
  commit.Enqueue(NoJob(), acks.Done("a"));
  acks.last.get_future().wait();
  acks.last = {};
  acks.last_name = "b";
  commit.Enqueue(NoJob(), acks.Done("b"));
  acks.last.get_future().wait();
  commit.Close();
  ASSERT_EQ(acks.seen.size(), 2u);
  ASSERT_FALSE(acks.seen[0].second.ok());
  EXPECT_EQ(acks.seen[0].second.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(acks.seen[1].second.ok());
}

// A sync that fails while a later one is held: the batches it was to settle fail, the later
// batch is answered only when its own fsync ends.
TEST(GroupCommitSyncers, ALaterBatchWaitsForItsOwnFsyncWhenAnEarlierOneFailed) {
  if (dixian::testing::OnPostgres()) GTEST_SKIP() << "no database";
  ScriptedSync sync({Error::Unavailable("database_unavailable", "WAL 同步失败"), engine::OkStatus()});
  sync.Hold(0);
  sync.Hold(1);
  GroupCommit commit(16, AllWrote, [&sync] { return sync(); });
  ReleaseOnExit release{sync};
  commit.Start();
  Acknowledged acks;
  acks.last_name = "a";
  commit.Enqueue(NoJob(), acks.Done("a"));
  ASSERT_TRUE(sync.WaitEntered(0));
  commit.Enqueue(NoJob(), acks.Done("b"));
  ASSERT_TRUE(sync.WaitEntered(1));
  sync.Release(0);  // fails: "a" fails; "b" was committed after that fsync began, it waits
  acks.last.get_future().wait();
  {
    std::lock_guard lock(acks.mu);
    ASSERT_EQ(acks.seen.size(), 1u);
    EXPECT_FALSE(acks.seen[0].second.ok());
    acks.last = {};
    acks.last_name = "b";
  }
  sync.Release(1);
  acks.last.get_future().wait();
  commit.Close();
  ASSERT_EQ(acks.seen.size(), 2u);
  EXPECT_EQ(acks.seen[1].first, "b");
  EXPECT_TRUE(acks.seen[1].second.ok());
}

// A batch that wrote nothing needs no fsync of its own, but it may not settle an earlier batch
// whose fsync still runs: answering it means everything before it is on disk.
TEST(GroupCommitSyncers, ABatchThatWroteNothingStillSyncsForTheBatchesBeforeIt) {
  if (dixian::testing::OnPostgres()) GTEST_SKIP() << "no database";
  ScriptedSync sync({engine::OkStatus(), engine::OkStatus()});
  sync.Hold(0);
  std::atomic<int> batches{0};
  auto second_fails = [&batches](std::vector<GroupCommit::Pending>& batch) {
    if (batches++ == 0) return AllWrote(batch);
    return std::vector<Status>(batch.size(), Error::Conflict("version_conflict", "案件已被他人处理"));
  };
  GroupCommit commit(16, second_fails, [&sync] { return sync(); });
  ReleaseOnExit release{sync};
  commit.Start();
  Acknowledged acks;
  acks.last_name = "refused";
  commit.Enqueue(NoJob(), acks.Done("wrote"));
  ASSERT_TRUE(sync.WaitEntered(0));
  commit.Enqueue(NoJob(), acks.Done("refused"));
  ASSERT_TRUE(sync.WaitEntered(1));  // an fsync begun after "wrote" was committed
  acks.last.get_future().wait();
  std::lock_guard lock(acks.mu);
  ASSERT_EQ(acks.seen.size(), 2u);
  EXPECT_EQ(acks.seen[0].first, "wrote");
  EXPECT_TRUE(acks.seen[0].second.ok());
  EXPECT_EQ(acks.seen[1].second.error().code, ErrorCode::kConflict);
}

}  // namespace
}  // namespace dixian::store::testing
