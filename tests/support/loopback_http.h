#pragma once
// The loopback HTTP server under the local fakes of the chat platforms: it accepts on
// 127.0.0.1:<free port> on its own thread, reads requests (header names in lower case) and hands
// each to the fake, which answers on the stream; the next request is read on the same connection
// until one side closes it (the fakes close after each answer unless told to keep it alive). Beast only here and in the
// two fakes' .cc files.

#include <atomic>
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <thread>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>

namespace dixian::testing {

struct FakeHttpRequest {
  std::string method;
  std::string target;
  std::string body;
  std::map<std::string, std::string> headers;
};

class LoopbackHttp {
 public:
  using Serve = std::function<boost::asio::awaitable<void>(boost::beast::tcp_stream&, FakeHttpRequest)>;

  // Binds and starts accepting; returns the port.
  unsigned short Start(Serve serve);
  // Closes the listener, stops the io thread and joins it.
  void Stop();
  boost::asio::io_context& ioc() { return ioc_; }
  std::size_t Connections() const { return connections_.load(); }  // accepted so far

 private:
  boost::asio::awaitable<void> Listen();
  boost::asio::awaitable<void> Session(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_{ioc_};
  Serve serve_;
  std::thread thread_;
  std::atomic<std::size_t> connections_{0};
};

// Writes `body` as application/json with Connection: close, then shuts the socket.
boost::asio::awaitable<void> WriteJsonAndClose(boost::beast::tcp_stream& stream, unsigned status,
                                               std::string body);
// Writes `body` as application/json and keeps the connection open for the next request.
boost::asio::awaitable<void> WriteJsonKeepAlive(boost::beast::tcp_stream& stream, unsigned status,
                                                std::string body);

}  // namespace dixian::testing
