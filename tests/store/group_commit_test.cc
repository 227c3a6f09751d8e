#include <atomic>
#include <future>
#include <stdexcept>
#include <thread>

#include "tests/store/store_fixture.h"

namespace dixian::store::testing {
namespace {

using engine::Error;
using engine::ErrorCode;

JsonJob InsertProvince(const std::string& code) {
  return [code](WriteTx& tx) -> Result<Json> {
    auto st = tx.InsertOrg(MakeOrg(code, "province"));
    if (!st) return st.error();
    return Json{{"code", code}};
  };
}

// Holds the writer inside a job until released, so later submissions queue up as one batch.
class WriterGate {
 public:
  JsonJob Job() {
    return [this](WriteTx&) -> Result<Json> {
      entered_.set_value();
      release_.get_future().wait();
      return Json::object();
    };
  }
  void WaitEntered() { entered_.get_future().wait(); }
  void Release() { release_.set_value(); }

 private:
  std::promise<void> entered_;
  std::promise<void> release_;
};

TEST_F(StoreTest, OneFailingJobInABatchDoesNotUndoTheOthers) {
  WriterGate gate;
  store_->Submit(gate.Job(), nullptr);
  gate.WaitEntered();

  std::vector<std::future<Result<Json>>> results;
  auto submit = [&](JsonJob job) {
    auto promise = std::make_shared<std::promise<Result<Json>>>();
    results.push_back(promise->get_future());
    store_->Submit(std::move(job), [promise](Result<Json> r) { promise->set_value(std::move(r)); });
  };
  std::vector<std::size_t> batches;
  store_->OnBatch([&](std::size_t n) { batches.push_back(n); });
  submit(InsertProvince("11"));
  submit([](WriteTx& tx) -> Result<Json> {  // writes, then fails: its write must vanish
    EXPECT_TRUE(tx.InsertOrg(MakeOrg("12", "province")).ok());
    return Error::Unprocessable("bad", "rejected");
  });
  submit(InsertProvince("13"));
  submit([](WriteTx& tx) -> Result<Json> {  // throws after writing
    EXPECT_TRUE(tx.InsertOrg(MakeOrg("14", "province")).ok());
    throw std::runtime_error("boom");
  });
  submit(InsertProvince("11"));  // duplicate of the first one, same batch
  gate.Release();

  ASSERT_TRUE(results[0].get().ok());
  auto failed = results[1].get();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().slug, "bad");
  ASSERT_TRUE(results[2].get().ok());
  auto thrown = results[3].get();
  ASSERT_FALSE(thrown.ok());
  EXPECT_EQ(thrown.error().code, ErrorCode::kInternal);
  auto duplicate = results[4].get();
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().code, ErrorCode::kConflict);

  auto view = store_->Read();
  EXPECT_TRUE(view->FindOrg("11").has_value());
  EXPECT_FALSE(view->FindOrg("12").has_value());
  EXPECT_TRUE(view->FindOrg("13").has_value());
  EXPECT_FALSE(view->FindOrg("14").has_value());
  // The gate's own batch, then the five queued jobs committed together.
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[1], 5u);
}

// The writer remembers the chain's last hash within a batch; a job rolled back must take its
// audit row out of that memory too, or the next job would chain onto a row that is not there.
TEST_F(StoreTest, ARolledBackJobLeavesNoLinkInTheAuditChain) {
  WriterGate gate;
  store_->Submit(gate.Job(), nullptr);
  gate.WaitEntered();
  auto append = [](WriteTx& tx, const std::string& hash, std::string* saw) {
    engine::AuditEvent e;
    e.at = 100;
    e.case_id = "C1";
    e.actor = "u1";
    e.action = "submit";
    e.prev_hash = tx.LastAuditHash();
    if (saw) *saw = e.prev_hash;
    e.hash = hash;
    return tx.AppendAudit(e);
  };
  std::vector<std::future<Result<Json>>> results;
  auto submit = [&](JsonJob job) {
    auto promise = std::make_shared<std::promise<Result<Json>>>();
    results.push_back(promise->get_future());
    store_->Submit(std::move(job), [promise](Result<Json> r) { promise->set_value(std::move(r)); });
  };
  std::string first_saw = "?", failed_saw = "?", last_saw = "?";
  submit([&](WriteTx& tx) -> Result<Json> { return Json(append(tx, "h-1", &first_saw)); });
  submit([&](WriteTx& tx) -> Result<Json> {  // appends, then fails: its row is rolled back
    append(tx, "h-2", &failed_saw);
    return Error::Unprocessable("bad", "rejected");
  });
  submit([&](WriteTx& tx) -> Result<Json> { return Json(append(tx, "h-3", &last_saw)); });
  gate.Release();
  ASSERT_TRUE(results[0].get().ok());
  ASSERT_FALSE(results[1].get().ok());
  ASSERT_TRUE(results[2].get().ok());
  EXPECT_EQ(first_saw, "");
  EXPECT_EQ(failed_saw, "h-1");
  EXPECT_EQ(last_saw, "h-1");
  const auto chain = store_->Read()->AuditPage(0, 10);
  ASSERT_EQ(chain.size(), 2u);
  EXPECT_EQ(chain[0].hash, "h-1");
  EXPECT_EQ(chain[1].prev_hash, "h-1");
  EXPECT_EQ(chain[1].hash, "h-3");
}

// Engine commands are queued as rerunnable (Store::EnqueueRerunnable): SQLite runs such a batch
// without a savepoint per job; a job that fails after writing rolls the batch back and the others
// run again without it. Whatever the store does, the outcome is the one savepoints gave: exactly
// the other jobs' rows, one audit chain without the failed links, each caller its own answer.
TEST_F(StoreTest, RerunnableJobsFailingAfterWritingLeaveExactlyTheOthersRows) {
  WriterGate gate;
  store_->Submit(gate.Job(), nullptr);
  gate.WaitEntered();
  auto append = [](WriteTx& tx, const std::string& hash) {
    engine::AuditEvent e;
    e.at = 100;
    e.case_id = "C1";
    e.actor = "u1";
    e.action = "submit";
    e.prev_hash = tx.LastAuditHash();
    e.hash = hash;
    return tx.AppendAudit(e);
  };
  std::vector<std::future<engine::Status>> results;
  auto enqueue = [&](engine::WriteJob job) {
    auto promise = std::make_shared<std::promise<engine::Status>>();
    results.push_back(promise->get_future());
    store_->EnqueueRerunnable(std::move(job),
                              [promise](engine::Status st) { promise->set_value(std::move(st)); });
  };
  std::atomic<int> failed_runs{0}, thrown_runs{0}, refused_runs{0};
  enqueue([&](WriteTx& tx) -> engine::Status {
    append(tx, "h-1");
    return tx.InsertOrg(MakeOrg("11", "province"));
  });
  enqueue([&](WriteTx& tx) -> engine::Status {  // writes, then fails
    ++failed_runs;
    append(tx, "h-bad");
    (void)tx.InsertOrg(MakeOrg("12", "province"));
    return Error::Unprocessable("bad_step", "rejected after writing");
  });
  enqueue([&](WriteTx&) -> engine::Status {  // refused before writing anything
    ++refused_runs;
    return Error::Forbidden("refused");
  });
  enqueue([&](WriteTx& tx) -> engine::Status {
    append(tx, "h-2");
    return tx.InsertOrg(MakeOrg("13", "province"));
  });
  enqueue([&](WriteTx& tx) -> engine::Status {  // writes, then throws
    ++thrown_runs;
    append(tx, "h-thrown");
    (void)tx.InsertOrg(MakeOrg("14", "province"));
    throw std::runtime_error("boom");
  });
  enqueue([&](WriteTx& tx) -> engine::Status {
    append(tx, "h-3");
    return tx.InsertOrg(MakeOrg("15", "province"));
  });
  gate.Release();
  std::vector<engine::Status> got;
  for (auto& r : results) got.push_back(r.get());
  EXPECT_TRUE(got[0].ok());
  ASSERT_FALSE(got[1].ok());
  EXPECT_EQ(got[1].error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(got[1].error().message, "rejected after writing");
  ASSERT_FALSE(got[2].ok());
  EXPECT_EQ(got[2].error().code, ErrorCode::kForbidden);
  EXPECT_TRUE(got[3].ok());
  ASSERT_FALSE(got[4].ok());
  EXPECT_EQ(got[4].error().code, ErrorCode::kInternal);
  EXPECT_NE(got[4].error().message.find("boom"), std::string::npos);
  EXPECT_TRUE(got[5].ok());
  EXPECT_EQ(failed_runs.load(), 1);  // a failed job is not run again
  EXPECT_EQ(thrown_runs.load(), 1);
  EXPECT_GE(refused_runs.load(), 1);
  auto view = store_->Read();
  for (const char* code : {"11", "13", "15"}) EXPECT_TRUE(view->FindOrg(code).has_value()) << code;
  for (const char* code : {"12", "14"}) EXPECT_FALSE(view->FindOrg(code).has_value()) << code;
  const auto chain = view->AuditPage(0, 10);
  ASSERT_EQ(chain.size(), 3u);
  EXPECT_EQ(chain[0].hash, "h-1");
  EXPECT_EQ(chain[0].prev_hash, "");
  EXPECT_EQ(chain[1].hash, "h-2");
  EXPECT_EQ(chain[1].prev_hash, "h-1");
  EXPECT_EQ(chain[2].hash, "h-3");
  EXPECT_EQ(chain[2].prev_hash, "h-2");
}

TEST_F(StoreTest, ConcurrentSubmittersAreGroupCommitted) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  std::atomic<std::size_t> batches{0};
  std::atomic<int> acknowledged{0};
  store_->OnBatch([&](std::size_t) { ++batches; });

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::future<void>> waits;
      for (int i = 0; i < kPerThread; ++i) {
        auto promise = std::make_shared<std::promise<void>>();
        waits.push_back(promise->get_future());
        auto code = "P" + std::to_string(t) + "-" + std::to_string(i);
        store_->Submit(InsertProvince(code), [&, promise](Result<Json> r) {
          if (r.ok()) ++acknowledged;
          promise->set_value();
        });
      }
      for (auto& w : waits) w.wait();
    });
  }
  for (auto& t : threads) t.join();

  EXPECT_EQ(acknowledged.load(), kThreads * kPerThread);
  EXPECT_LT(batches.load(), static_cast<std::size_t>(kThreads * kPerThread));
  EXPECT_TRUE(store_->Read()->FindOrg("P7-199").has_value());
}

TEST_F(StoreTest, AcknowledgedWritesSurviveReopen) {
  std::atomic<int> done{0};
  for (int i = 0; i < 100; ++i)
    store_->Submit(InsertProvince("R" + std::to_string(i)), [&](Result<Json> r) {
      EXPECT_TRUE(r.ok());
      ++done;
    });
  store_->Close();  // drains the queue
  EXPECT_EQ(done.load(), 100);
  store_.reset();

  auto reopened = OpenStoreOrDie(path_);
  auto view = reopened->Read();
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(view->FindOrg("R" + std::to_string(i)).has_value());
}

TEST_F(StoreTest, SubmitAfterCloseFailsAtOnce) {
  store_->Close();
  auto r = store_->Run(InsertProvince("11"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(r.error().slug, "store_closed");
}

TEST_F(StoreTest, ReadViewIsASnapshot) {
  auto view = store_->Read();
  EXPECT_FALSE(view->FindOrg("11").has_value());  // snapshot starts here
  ASSERT_TRUE(store_->Run(InsertProvince("11")).ok());
  EXPECT_FALSE(view->FindOrg("11").has_value());
  EXPECT_TRUE(store_->Read()->FindOrg("11").has_value());
}

TEST_F(StoreTest, WriteTxSeesItsOwnWrites) {
  auto r = store_->Run([](WriteTx& tx) -> Result<Json> {
    EXPECT_TRUE(tx.InsertOrg(MakeOrg("11", "province")).ok());
    return Json(tx.FindOrg("11").has_value());
  });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, Json(true));
}

TEST_F(StoreTest, RunInsideAJobFailsInsteadOfDeadlocking) {
  auto r = store_->Run([this](WriteTx&) -> Result<Json> {
    auto inner = store_->Run(InsertProvince("11"));
    EXPECT_FALSE(inner.ok());
    EXPECT_EQ(inner.error().code, ErrorCode::kInternal);
    return Json::object();
  });
  EXPECT_TRUE(r.ok());
}


// Where a write is answered: with sync_behind (the default) on the syncer thread after the WAL
// fsync, never on the writer thread that ran it (the writer goes on with the next group); with
// sync_behind off, on the writer right after a synchronous=FULL COMMIT.
TEST_F(StoreTest, AnsweredOnTheSyncerAfterTheFsyncNotOnTheWriter) {
  if (dixian::testing::OnPostgres()) GTEST_SKIP() << "SQLite's WAL fsync";
  for (bool behind : {true, false}) {
    auto store = OpenOrDie(dir_.File(behind ? "behind.db" : "full.db"), {.sync_behind = behind});
    std::thread::id ran_on;
    std::promise<std::thread::id> answered_on;
    store->Submit(
        [&ran_on](WriteTx& tx) -> Result<Json> {
          ran_on = std::this_thread::get_id();
          EXPECT_TRUE(tx.InsertOrg(MakeOrg("11", "province")).ok());
          return Json::object();
        },
        [&answered_on](Result<Json> r) {
          EXPECT_TRUE(r.ok());
          answered_on.set_value(std::this_thread::get_id());
        });
    const auto answered = answered_on.get_future().get();
    EXPECT_NE(answered, std::this_thread::get_id());
    if (behind)
      EXPECT_NE(answered, ran_on);
    else
      EXPECT_EQ(answered, ran_on);
    EXPECT_TRUE(store->Read()->FindOrg("11").has_value());
  }
}

TEST_F(StoreTest, RunInsideADoneCallbackFailsInsteadOfDeadlocking) {
  std::promise<engine::ErrorCode> inner_code;
  store_->Submit(InsertProvince("11"), [this, &inner_code](Result<Json> r) {
    EXPECT_TRUE(r.ok());
    auto inner = store_->Run(InsertProvince("12"));
    inner_code.set_value(inner.ok() ? ErrorCode::kUnavailable : inner.error().code);
    EXPECT_FALSE(inner.ok());
  });
  EXPECT_EQ(inner_code.get_future().get(), ErrorCode::kInternal);
}

}  // namespace
}  // namespace dixian::store::testing
