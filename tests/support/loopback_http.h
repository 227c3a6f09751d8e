#pragma once
// The loopback HTTP server under the local fakes of the chat platforms: it accepts on
// 127.0.0.1:<free port> on its own thread, reads one request per connection (header names in
// lower case) and hands it to the fake, which answers on the stream. Beast only here and in the
// two fakes' .cc files.

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

 private:
  boost::asio::awaitable<void> Listen();
  boost::asio::awaitable<void> Session(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_{ioc_};
  Serve serve_;
  std::thread thread_;
};

// Writes `body` as application/json with Connection: close, then shuts the socket.
boost::asio::awaitable<void> WriteJsonAndClose(boost::beast::tcp_stream& stream, unsigned status,
                                               std::string body);

}  // namespace dixian::testing
