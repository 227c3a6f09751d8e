#pragma once
// Reads (reports, audit verification, lists, /metrics counts) run here, off the io threads: a
// fixed set of threads and a bounded queue. A full queue refuses at once (the caller answers
// 503 with Retry-After) rather than queueing without limit while the clients time out.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "adapters/http/http_types.h"

namespace dixian::http {

struct ReadPoolOptions {
  int threads = 0;             // 0 = hardware cores (at least 2)
  std::size_t max_queued = 0;  // jobs waiting for a thread; 0 = 64 per thread
};

class ReadPool {
 public:
  explicit ReadPool(ReadPoolOptions options = {});
  ~ReadPool();  // runs what is queued, then joins
  ReadPool(const ReadPool&) = delete;
  ReadPool& operator=(const ReadPool&) = delete;

  // Queues the job; false (job not taken) when max_queued jobs are already waiting or the pool
  // is stopping. A job must not throw.
  bool TryPost(std::function<void()> job);

  std::size_t threads() const { return threads_.size(); }
  std::size_t max_queued() const { return max_queued_; }

 private:
  void Loop();

  std::size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> threads_;
};

// A handler that runs `read` on the pool with a copy of the request; the Reply takes the answer
// back to the connection's strand. A full pool answers 503 server_busy with Retry-After: 1 at
// once; a read that throws answers 500.
Handler OnReadPool(ReadPool& pool, Handler read);

}  // namespace dixian::http
