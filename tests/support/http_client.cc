#include "tests/support/http_client.h"

#include <cctype>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace dixian::test_support {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string HttpResult::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (beast::iequals(key, name)) return value;
  }
  return {};
}

nlohmann::json HttpResult::Json() const {
  return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
}

struct HttpClient::Conn {
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;

  // Runs one asynchronous step to completion under a timeout.
  template <class Start>
  beast::error_code Run(std::chrono::milliseconds timeout, Start start) {
    beast::error_code result;
    stream.expires_after(timeout);
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }
};

HttpClient::HttpClient(unsigned short port, std::string host)
    : host_(std::move(host)), port_(port) {}

HttpClient::~HttpClient() = default;

bool HttpClient::Connect() {
  Close();
  conn_ = std::make_unique<Conn>();
  beast::error_code ec;
  tcp::endpoint endpoint(asio::ip::make_address(host_, ec), port_);
  if (ec) return false;
  if (!local_address_.empty()) {  // another loopback source address (127.0.0.2, ...)
    auto& socket = conn_->stream.socket();
    socket.open(endpoint.protocol(), ec);
    if (!ec) socket.bind(tcp::endpoint(asio::ip::make_address(local_address_, ec), 0), ec);
    if (ec) return conn_.reset(), false;
  }
  ec = conn_->Run(timeout_, [&](auto handler) { conn_->stream.async_connect(endpoint, handler); });
  if (ec) conn_.reset();
  return conn_ != nullptr;
}

void HttpClient::Close() {
  if (!conn_) return;
  beast::error_code ec;
  conn_->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  conn_->stream.close();
  conn_.reset();
}

bool HttpClient::ServerKeptOpen() {
  if (!conn_ || !conn_->stream.socket().is_open()) return false;
  if (conn_->buffer.size() > 0) return true;
  auto& socket = conn_->stream.socket();
  beast::error_code ec;
  socket.non_blocking(true, ec);
  char byte = 0;
  std::size_t n = socket.receive(asio::buffer(&byte, 1), tcp::socket::message_peek, ec);
  beast::error_code ignored;
  socket.non_blocking(false, ignored);
  if (ec == asio::error::would_block) return true;
  return !ec && n > 0;
}

HttpResult HttpClient::Request(std::string_view method, std::string_view target,
                               std::string_view body, const Headers& headers) {
  if (!keep_alive_ || !ServerKeptOpen()) {
    if (!Connect()) return {0, "connect failed", {}, {}};
  }
  bhttp::request<bhttp::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(bhttp::field::host, host_ + ":" + std::to_string(port_));
  req.keep_alive(keep_alive_);
  if (!bearer_.empty()) req.set(bhttp::field::authorization, "Bearer " + bearer_);
  if (!body.empty()) req.set(bhttp::field::content_type, "application/json");
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = std::string(body);
  req.prepare_payload();
  if (body.empty() && (method == "GET" || method == "HEAD" || method == "DELETE")) {
    req.erase(bhttp::field::content_length);
  }
  auto ec =
      conn_->Run(timeout_, [&](auto handler) { bhttp::async_write(conn_->stream, req, handler); });
  if (ec) {
    Close();
    return {0, "write failed: " + ec.message(), {}, {}};
  }
  return ReadResponse(method == "HEAD");
}

HttpResult HttpClient::SendRaw(std::string_view bytes) {
  if (!conn_ && !Connect()) return {0, "connect failed", {}, {}};
  auto ec = conn_->Run(timeout_, [&](auto handler) {
    asio::async_write(conn_->stream, asio::buffer(bytes.data(), bytes.size()), handler);
  });
  if (ec) {
    Close();
    return {0, "write failed: " + ec.message(), {}, {}};
  }
  return ReadResponse(false);
}

HttpResult HttpClient::ReadResponse(bool head) {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(std::uint64_t{1} << 32);
  parser.skip(head);
  auto ec = conn_->Run(timeout_, [&](auto handler) {
    bhttp::async_read(conn_->stream, conn_->buffer, parser, handler);
  });
  if (ec) {
    Close();
    return {0, "read failed: " + ec.message(), {}, {}};
  }
  auto& res = parser.get();
  HttpResult result;
  result.status = static_cast<int>(res.result_int());
  for (const auto& field : res) {
    result.headers.emplace_back(Lower(field.name_string()), std::string(field.value()));
  }
  result.body = std::move(res.body());
  if (!res.keep_alive()) Close();  // the server closes after this response
  return result;
}

}  // namespace dixian::test_support
