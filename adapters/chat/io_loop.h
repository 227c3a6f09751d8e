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

class ConnectionPool;  // idle keep-alive connections per (scheme, host, port); http_client.cc

class IoLoop {
 public:
  IoLoop();   // starts the thread
  ~IoLoop();  // lets queued work finish, then joins
  IoLoop(const IoLoop&) = delete;
  IoLoop& operator=(const IoLoop&) = delete;

  boost::asio::io_context& context() { return ioc_; }
  boost::asio::ssl::context& tls() { return tls_; }
  ConnectionPool& pool() { return *pool_; }  // used on the loop's thread only
  // Runs `task` on the loop; an exception escaping it is logged by the caller's own handling
  // (tasks catch their own), never propagated.
  void Spawn(boost::asio::awaitable<void> task);

 private:
  boost::asio::io_context ioc_;
  boost::asio::ssl::context tls_;
  std::unique_ptr<ConnectionPool> pool_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
};

// One exchange on the loop (run it on the loop's thread): takes an idle connection to the host
// from the loop's pool or opens one, and gives it back after a complete keep-alive answer.
boost::asio::awaitable<engine::Result<HttpResponse>> Exchange(IoLoop& loop, HttpRequest request,
                                                              HttpTimeouts timeouts);
// One exchange on the current coroutine's executor on a connection of its own, with `tls` for
// https (the blocking HttpSend).
boost::asio::awaitable<engine::Result<HttpResponse>> Exchange(boost::asio::ssl::context& tls,
                                                              HttpRequest request,
                                                              HttpTimeouts timeouts);

}  // namespace dixian::chat
