#include "tests/support/loopback_http.h"

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace dixian::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

unsigned short LoopbackHttp::Start(Serve serve) {
  serve_ = std::move(serve);
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
  asio::co_spawn(ioc_, Listen(), asio::detached);
  thread_ = std::thread([this] { ioc_.run(); });
  return acceptor_.local_endpoint().port();
}

void LoopbackHttp::Stop() {
  asio::post(ioc_, [this] {
    boost::system::error_code ec;
    acceptor_.close(ec);
    ioc_.stop();
  });
  if (thread_.joinable()) thread_.join();
}

asio::awaitable<void> LoopbackHttp::Listen() {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    ++connections_;
    asio::co_spawn(ioc_, Session(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> LoopbackHttp::Session(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {  // ends when the fake or the client closes the connection
    http::request<http::string_body> req;
    boost::system::error_code ec;
    co_await http::async_read(stream, buffer, req, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    FakeHttpRequest request{std::string(req.method_string()), std::string(req.target()),
                            std::move(req.body()), {}};
    for (const auto& field : req) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      request.headers[name] = std::string(field.value());
    }
    co_await serve_(stream, std::move(request));
  }
}

namespace {

asio::awaitable<void> WriteJson(beast::tcp_stream& stream, unsigned status, std::string body,
                                bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(status), 11};
  res.set(http::field::content_type, "application/json");
  res.body() = std::move(body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  boost::system::error_code ec;
  co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
}

}  // namespace

asio::awaitable<void> WriteJsonAndClose(beast::tcp_stream& stream, unsigned status, std::string body) {
  co_await WriteJson(stream, status, std::move(body), /*keep_alive=*/false);
  boost::system::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
}

asio::awaitable<void> WriteJsonKeepAlive(beast::tcp_stream& stream, unsigned status, std::string body) {
  co_await WriteJson(stream, status, std::move(body), /*keep_alive=*/true);
}

}  // namespace dixian::testing
