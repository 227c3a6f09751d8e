#include "adapters/chat/http_client.h"

#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "adapters/chat/io_loop.h"

namespace dixian::chat {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using engine::Error;

Error Fail(const char* slug, const std::string& step, const boost::system::error_code& ec) {
  const bool timeout = ec == beast::error::timeout;
  return Error::Unavailable(timeout ? "timeout" : slug,
                            step + (timeout ? " timed out" : " failed: " + ec.message()));
}

struct Exchanging {
  ParsedUrl url;
  HttpRequest request;
  HttpTimeouts timeouts;
  std::optional<engine::Result<HttpResponse>> result;
};

http::request<http::string_body> MakeRequest(const Exchanging& x) {
  const bool get = x.request.method == "GET";
  http::request<http::string_body> req{get ? http::verb::get : http::verb::post, x.url.target, 11};
  const bool default_port = x.url.port == (x.url.https ? "443" : "80");
  req.set(http::field::host, x.url.host + (default_port ? "" : ":" + x.url.port));
  req.set(http::field::user_agent, "dixian-delivery/1");
  for (const auto& [name, value] : x.request.headers) req.set(name, value);
  if (!get) req.body() = x.request.body;
  req.prepare_payload();
  return req;
}

// Write the request and read the answer on an already connected stream.
template <class Stream>
asio::awaitable<void> Converse(Stream& stream, beast::tcp_stream& tcp, Exchanging& x) {
  boost::system::error_code ec;
  auto req = MakeRequest(x);
  tcp.expires_after(x.timeouts.write);
  co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    x.result = Fail("io_failed", "sending the request", ec);
    co_return;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1 << 20);
  tcp.expires_after(x.timeouts.read);
  co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    x.result = Fail("io_failed", "reading the answer", ec);
    co_return;
  }
  auto& res = parser.get();
  x.result = HttpResponse{static_cast<int>(res.result_int()), std::move(res.body())};
}

asio::awaitable<void> Run(Exchanging& x, ssl::context& ctx) {
  auto executor = co_await asio::this_coro::executor;
  boost::system::error_code ec;
  tcp::resolver resolver(executor);
  auto endpoints = co_await resolver.async_resolve(x.url.host, x.url.port,
                                                   asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    x.result = Fail("connect_failed", "resolving " + x.url.host, ec);
    co_return;
  }
  if (!x.url.https) {
    beast::tcp_stream stream(executor);
    stream.expires_after(x.timeouts.connect);
    co_await stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      x.result = Fail("connect_failed", "connecting to " + x.url.host, ec);
      co_return;
    }
    co_await Converse(stream, stream, x);
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    co_return;
  }
  beast::ssl_stream<beast::tcp_stream> stream(executor, ctx);
  if (!SSL_set_tlsext_host_name(stream.native_handle(), x.url.host.c_str())) {
    x.result = Error::Unavailable("tls_failed", "cannot set SNI host name");
    co_return;
  }
  stream.set_verify_callback(ssl::host_name_verification(x.url.host));
  auto& tcp_layer = beast::get_lowest_layer(stream);
  tcp_layer.expires_after(x.timeouts.connect);
  co_await tcp_layer.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    x.result = Fail("connect_failed", "connecting to " + x.url.host, ec);
    co_return;
  }
  co_await stream.async_handshake(ssl::stream_base::client,
                                  asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    x.result = Fail("tls_failed", "TLS handshake with " + x.url.host, ec);
    co_return;
  }
  co_await Converse(stream, tcp_layer, x);
  tcp_layer.expires_after(x.timeouts.write);
  // A truncated stream on shutdown is common and harmless: the answer is already read.
  co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
}

}  // namespace

engine::Result<ParsedUrl> ParseUrl(const std::string& url) {
  ParsedUrl p;
  std::string rest;
  if (url.rfind("https://", 0) == 0) {
    p.https = true;
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else {
    return Error::BadInput("bad_url", "Webhook 地址必须以 https:// 开头：" + url);
  }
  const std::size_t slash = rest.find_first_of("/?");
  std::string authority = rest.substr(0, slash);
  p.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (!p.target.empty() && p.target[0] == '?') p.target = "/" + p.target;
  if (authority.find('@') != std::string::npos || authority.empty()) {
    return Error::BadInput("bad_url", "Webhook 地址的主机部分无效：" + url);
  }
  if (authority[0] == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string::npos) return Error::BadInput("bad_url", "IPv6 地址缺少 ]：" + url);
    p.host = authority.substr(1, close - 1);
    authority = authority.substr(close + 1);
    p.port = authority.size() > 1 && authority[0] == ':' ? authority.substr(1) : "";
  } else {
    const std::size_t colon = authority.rfind(':');
    p.host = authority.substr(0, colon);
    if (colon != std::string::npos) p.port = authority.substr(colon + 1);
  }
  if (p.port.empty()) p.port = p.https ? "443" : "80";
  if (p.host.empty() || p.port.find_first_not_of("0123456789") != std::string::npos) {
    return Error::BadInput("bad_url", "Webhook 地址的主机或端口无效：" + url);
  }
  return p;
}

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

asio::awaitable<engine::Result<HttpResponse>> Exchange(ssl::context& tls, HttpRequest request,
                                                      HttpTimeouts timeouts) {
  auto parsed = ParseUrl(request.url);
  if (!parsed) co_return parsed.error();
  if (!parsed->https && !IsLoopbackHost(parsed->host)) {
    co_return Error::Unprocessable(
        "insecure_url", "拒绝以明文 http 发送到非本机地址 " + parsed->host + "，请使用 https:// 地址");
  }
  Exchanging x{std::move(parsed.value()), std::move(request), timeouts, std::nullopt};
  co_await Run(x, tls);
  if (!x.result) co_return Error::Internal("HTTP exchange ended without a result");
  co_return std::move(*x.result);
}

namespace {
void ConfigureClientTls(ssl::context& ctx) {
  ctx.set_default_verify_paths();
  ctx.set_verify_mode(ssl::verify_peer);
}
}  // namespace

IoLoop::IoLoop()
    : tls_(ssl::context::tls_client), work_(asio::make_work_guard(ioc_)) {
  // Loading the CA bundle costs milliseconds of CPU: once per loop, never per message.
  ConfigureClientTls(tls_);
  thread_ = std::thread([this] { ioc_.run(); });
}

IoLoop::~IoLoop() {
  work_.reset();
  thread_.join();
}

void IoLoop::Spawn(asio::awaitable<void> task) {
  asio::co_spawn(ioc_, std::move(task), asio::detached);
}

engine::Result<HttpResponse> HttpSend(const HttpRequest& request, const HttpTimeouts& timeouts) {
  // One-off calls (CLI, tests): a private io_context on this thread; the TLS context is shared.
  static ssl::context& tls = *[] {
    auto* c = new ssl::context(ssl::context::tls_client);  // intentionally leaked
    ConfigureClientTls(*c);
    return c;
  }();
  asio::io_context ioc;
  std::optional<engine::Result<HttpResponse>> result;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        try {
          result = co_await Exchange(tls, request, timeouts);
        } catch (const std::exception& e) {
          result = Error::Internal(std::string("HTTP exchange failed: ") + e.what());
        }
      },
      asio::detached);
  ioc.run();
  if (!result) return Error::Internal("HTTP exchange ended without a result");
  return std::move(*result);
}

}  // namespace dixian::chat
