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

// A GroupCommit over a scripted sync, recording what its dones see. Members in this order: the
// held fsyncs are let go, then the commit closes (answering into `acks`), then the rest.
struct SyncHarness {
  SyncHarness(std::vector<Status> answers, std::vector<std::size_t> held,
              GroupCommit::BatchRunner runner = AllWrote)
      : sync(std::move(answers)), commit(16, std::move(runner), [this] { return sync(); }) {
    for (auto call : held) sync.Hold(call);
    commit.Start();
  }
  // Commits `first`, then `second` once the first fsync has begun; true once the second has too.
  bool CommitDuringTheFirstFsync(const std::string& first, const std::string& second) {
    commit.Enqueue(NoJob(), acks.Done(first));
    if (!sync.WaitEntered(0)) return false;
    commit.Enqueue(NoJob(), acks.Done(second));
    return sync.WaitEntered(1);  // with one syncer it waits for the first fsync's end: false
  }
  // False if `name` is not answered within 10 s.
  bool WaitFor(const std::string& name) {
    std::future<void> answered;
    {
      std::lock_guard lock(acks.mu);
      for (const auto& [seen, st] : acks.seen)
        if (seen == name) return true;
      acks.last = {};
      acks.last_name = name;
      answered = acks.last.get_future();
    }
    return answered.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  }

  ScriptedSync sync;
  Acknowledged acks;
  GroupCommit commit;
  ReleaseOnExit release{sync};
};

const Error kSyncFailed = Error::Unavailable("database_unavailable", "WAL 同步失败");

TEST(GroupCommitSyncers, ABatchCommittedDuringAnFsyncStartsTheNextOneAtOnceAndAnswersInOrder) {
  if (dixian::testing::OnPostgres()) GTEST_SKIP() << "no database";
  SyncHarness h({engine::OkStatus(), engine::OkStatus()}, {0});  // the first fsync is held
  ASSERT_TRUE(h.CommitDuringTheFirstFsync("a", "b"));
  // The second fsync, having ended, settles both batches: "a" is answered first, before its own
  // fsync has returned.
  ASSERT_TRUE(h.WaitFor("b"));
  {
    std::lock_guard lock(h.acks.mu);
    ASSERT_EQ(h.acks.seen.size(), 2u);
    EXPECT_EQ(h.acks.seen[0].first, "a");
    EXPECT_TRUE(h.acks.seen[0].second.ok());
    EXPECT_TRUE(h.acks.seen[1].second.ok());
  }
  h.sync.Release(0);
  h.commit.Close();
  EXPECT_EQ(h.acks.seen.size(), 2u);  // the first fsync's end answers nothing twice
}

TEST(GroupCommitSyncers, AFailedSyncFailsTheWritesItWasToSettleAndNoOthers) {
  if (dixian::testing::OnPostgres()) GTEST_SKIP() << "no database";
  SyncHarness h({kSyncFailed, engine::OkStatus()}, {});
  h.commit.Enqueue(NoJob(), h.acks.Done("a"));
  ASSERT_TRUE(h.WaitFor("a"));
  h.commit.Enqueue(NoJob(), h.acks.Done("b"));
  ASSERT_TRUE(h.WaitFor("b"));
  h.commit.Close();
  ASSERT_EQ(h.acks.seen.size(), 2u);
  ASSERT_FALSE(h.acks.seen[0].second.ok());
  EXPECT_EQ(h.acks.seen[0].second.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(h.acks.seen[1].second.ok());
}

// A sync that fails while a later one is held: the batches it was to settle fail, the later
// batch is answered only when its own fsync ends.
TEST(GroupCommitSyncers, ALaterBatchWaitsForItsOwnFsyncWhenAnEarlierOneFailed) {
  if (dixian::testing::OnPostgres()) GTEST_SKIP() << "no database";
  SyncHarness h({kSyncFailed, engine::OkStatus()}, {0, 1});
  ASSERT_TRUE(h.CommitDuringTheFirstFsync("a", "b"));
  h.sync.Release(0);  // fails: "a" fails; "b" was committed after that fsync began, it waits
  ASSERT_TRUE(h.WaitFor("a"));
  {
    std::lock_guard lock(h.acks.mu);
    ASSERT_EQ(h.acks.seen.size(), 1u);
    EXPECT_FALSE(h.acks.seen[0].second.ok());
  }
  h.sync.Release(1);
  ASSERT_TRUE(h.WaitFor("b"));
  h.commit.Close();
  ASSERT_EQ(h.acks.seen.size(), 2u);
  EXPECT_TRUE(h.acks.seen[1].second.ok());
}

// A batch that wrote nothing needs no fsync of its own, but it may not settle an earlier batch
// whose fsync still runs: answering it means everything before it is on disk.
TEST(GroupCommitSyncers, ABatchThatWroteNothingStillSyncsForTheBatchesBeforeIt) {
  if (dixian::testing::OnPostgres()) GTEST_SKIP() << "no database";
  std::atomic<int> batches{0};
  auto second_fails = [&batches](std::vector<GroupCommit::Pending>& batch) {
    if (batches++ == 0) return AllWrote(batch);
    return std::vector<Status>(batch.size(), Error::Conflict("version_conflict", "案件已被他人处理"));
  };
  SyncHarness h({engine::OkStatus(), engine::OkStatus()}, {0}, second_fails);
  ASSERT_TRUE(h.CommitDuringTheFirstFsync("wrote", "refused"));  // the 2nd: begun after "wrote"
  ASSERT_TRUE(h.WaitFor("refused"));
  std::lock_guard lock(h.acks.mu);
  ASSERT_EQ(h.acks.seen.size(), 2u);
  EXPECT_EQ(h.acks.seen[0].first, "wrote");
  EXPECT_TRUE(h.acks.seen[0].second.ok());
  EXPECT_EQ(h.acks.seen[1].second.error().code, ErrorCode::kConflict);
}

}  // namespace
}  // namespace dixian::store::testing
