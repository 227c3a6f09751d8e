#include "adapters/http/read_pool.h"

#include <algorithm>
#include <memory>
#include <utility>

namespace dixian::http {

ReadPool::ReadPool(ReadPoolOptions options) {
  int n = options.threads > 0 ? options.threads
                              : std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
  max_queued_ = options.max_queued > 0 ? options.max_queued : 64 * static_cast<std::size_t>(n);
  threads_.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) threads_.emplace_back([this] { Loop(); });
}

ReadPool::~ReadPool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

bool ReadPool::TryPost(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= max_queued_) return false;
    queue_.push_back(std::move(job));
  }
  cv_.notify_one();
  return true;
}

void ReadPool::Loop() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job();
  }
}

Handler OnReadPool(ReadPool& pool, Handler read) {
  return
      [&pool, read = std::make_shared<const Handler>(std::move(read))](Request& req, Reply reply) {
        auto job = [req = std::make_shared<Request>(req), reply, read] {
          try {
            (*read)(*req, reply);
          } catch (...) {
            reply(Response::ErrorBody(500, "internal", "服务器内部错误，请稍后重试。"));
          }
        };
        if (pool.TryPost(std::move(job))) return;
        Response busy =
            Response::ErrorBody(503, "server_busy", "服务器繁忙：查询请求过多，请稍后重试。");
        busy.headers.emplace_back("Retry-After", "1");
        reply(std::move(busy));
      };
}

}  // namespace dixian::http
