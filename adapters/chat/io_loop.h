#pragma once
// One io_context on one thread and one TLS client context, shared by every send of the delivery
// worker: channels are coroutines on it, so threads do not grow with channels. Included only by
// the chat adapter's .cc files (Asio stays out of its public headers).
#include <memory>
#include <thread>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "adapters/chat/http_client.h"

namespace dixian::chat {

class IoLoop {
 public:
  IoLoop();   // starts the thread
  ~IoLoop();  // lets queued work finish, then joins
  IoLoop(const IoLoop&) = delete;
  IoLoop& operator=(const IoLoop&) = delete;

  boost::asio::io_context& context() { return ioc_; }
  boost::asio::ssl::context& tls() { return tls_; }
  // Runs `task` on the loop; an exception escaping it is logged by the caller's own handling
  // (tasks catch their own), never propagated.
  void Spawn(boost::asio::awaitable<void> task);

 private:
  boost::asio::io_context ioc_;
  boost::asio::ssl::context tls_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
};

// One exchange on the current coroutine's executor, with `tls` for https.
boost::asio::awaitable<engine::Result<HttpResponse>> Exchange(boost::asio::ssl::context& tls,
                                                              HttpRequest request,
                                                              HttpTimeouts timeouts);

}  // namespace dixian::chat
