#include "adapters/chat/http_client.h"

#include <pthread.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
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

}  // namespace

// One connection to a host: plain TCP (loopback http) or TLS over TCP.
struct HostConnection {
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  std::chrono::steady_clock::time_point idle_since{};

  beast::tcp_stream& tcp() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
  // An idle connection the server has closed (end of stream or reset) or written to unasked is
  // not reused. A non-blocking peek: no byte is consumed.
  bool StillIdle() {
    char byte;
    const auto n = ::recv(tcp().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
};

// Idle keep-alive connections per (scheme, host, port), on the loop's thread only: a few per host
// (most recently used first), each closed after kIdleFor without use and all at shutdown.
class ConnectionPool {
 public:
  static constexpr std::size_t kIdlePerHost = 4;
  // Shorter than the platforms' keep-alive, so the server rarely closes one first.
  static constexpr std::chrono::seconds kIdleFor{20};

  explicit ConnectionPool(asio::io_context& ioc) : sweep_(ioc) {}

  std::unique_ptr<HostConnection> Take(const std::string& key) {
    auto it = idle_.find(key);
    if (it == idle_.end()) return nullptr;
    const auto now = std::chrono::steady_clock::now();
    std::unique_ptr<HostConnection> found;
    while (!it->second.empty() && !found) {
      std::unique_ptr<HostConnection> c = std::move(it->second.back());
      it->second.pop_back();
      if (now - c->idle_since < kIdleFor && c->StillIdle()) found = std::move(c);
    }
    if (it->second.empty()) idle_.erase(it);
    return found;
  }

  void Give(const std::string& key, std::unique_ptr<HostConnection> c) {
    if (closed_) return;
    auto& list = idle_[key];
    if (list.size() >= kIdlePerHost) return;  // closes it
    c->tcp().expires_never();
    c->idle_since = std::chrono::steady_clock::now();
    list.push_back(std::move(c));
    if (!sweeping_) Arm(list.back()->idle_since + kIdleFor);
  }

  void Shutdown() {
    closed_ = true;
    idle_.clear();
    sweep_.cancel();
  }

 private:
  void Arm(std::chrono::steady_clock::time_point at) {
    sweeping_ = true;
    sweep_.expires_at(at);
    sweep_.async_wait([this](const boost::system::error_code& ec) {
      sweeping_ = false;
      if (ec || closed_) return;
      Sweep();
    });
  }

  // Closes the connections idle for kIdleFor and waits for the next oldest.
  void Sweep() {
    const auto now = std::chrono::steady_clock::now();
    std::optional<std::chrono::steady_clock::time_point> next;
    for (auto it = idle_.begin(); it != idle_.end();) {
      auto& list = it->second;  // oldest first
      while (!list.empty() && now - list.front()->idle_since >= kIdleFor) list.pop_front();
      if (!list.empty() && (!next || list.front()->idle_since < *next)) {
        next = list.front()->idle_since;
      }
      it = list.empty() ? idle_.erase(it) : std::next(it);
    }
    if (next) Arm(*next + kIdleFor);
  }

  std::map<std::string, std::deque<std::unique_ptr<HostConnection>>> idle_;
  asio::steady_timer sweep_;
  bool sweeping_ = false;
  bool closed_ = false;
};

namespace {

// How one request went on one connection.
enum class Conversed {
  kNotSent,   // writing failed: the server cannot have a whole request
  kFailed,    // written, but no whole answer (timeout, reset, end of stream)
  kAnswered,  // a whole answer; the connection is to be closed
  kReusable,  // a whole answer; the server keeps the connection open
};

// Write the request and read the answer on an already connected stream.
template <class Stream>
asio::awaitable<Conversed> Converse(Stream& stream, beast::tcp_stream& tcp, Exchanging& x) {
  boost::system::error_code ec;
  auto req = MakeRequest(x);
  tcp.expires_after(x.timeouts.write);
  co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    x.result = Fail("io_failed", "sending the request", ec);
    co_return Conversed::kNotSent;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1 << 20);
  tcp.expires_after(x.timeouts.read);
  co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    x.result = Fail("io_failed", "reading the answer", ec);
    co_return Conversed::kFailed;
  }
  const bool reusable = parser.keep_alive() && buffer.size() == 0;
  auto& res = parser.get();
  x.result = HttpResponse{static_cast<int>(res.result_int()), std::move(res.body())};
  co_return reusable ? Conversed::kReusable : Conversed::kAnswered;
}

asio::awaitable<Conversed> Converse(HostConnection& c, Exchanging& x) {
  if (c.secure) co_return co_await Converse(*c.secure, c.tcp(), x);
  co_return co_await Converse(*c.plain, c.tcp(), x);
}

// Resolves, connects and (https) shakes hands; null with x.result set on failure.
asio::awaitable<std::unique_ptr<HostConnection>> Open(Exchanging& x, ssl::context& ctx) {
  auto executor = co_await asio::this_coro::executor;
  boost::system::error_code ec;
  tcp::resolver resolver(executor);
  auto endpoints = co_await resolver.async_resolve(x.url.host, x.url.port,
                                                   asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    x.result = Fail("connect_failed", "resolving " + x.url.host, ec);
    co_return nullptr;
  }
  auto c = std::make_unique<HostConnection>();
  if (x.url.https) {
    c->secure.emplace(executor, ctx);
    if (!SSL_set_tlsext_host_name(c->secure->native_handle(), x.url.host.c_str())) {
      x.result = Error::Unavailable("tls_failed", "cannot set SNI host name");
      co_return nullptr;
    }
    c->secure->set_verify_callback(ssl::host_name_verification(x.url.host));
  } else {
    c->plain.emplace(executor);
  }
  c->tcp().expires_after(x.timeouts.connect);
  co_await c->tcp().async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    x.result = Fail("connect_failed", "connecting to " + x.url.host, ec);
    co_return nullptr;
  }
  if (c->secure) {
    co_await c->secure->async_handshake(ssl::stream_base::client,
                                        asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      x.result = Fail("tls_failed", "TLS handshake with " + x.url.host, ec);
      co_return nullptr;
    }
  }
  co_return c;
}

// Ends a connection that is not kept: after a whole answer politely, otherwise at once.
asio::awaitable<void> Close(HostConnection& c, Conversed how, const HttpTimeouts& timeouts) {
  boost::system::error_code ec;
  if (c.secure && (how == Conversed::kAnswered || how == Conversed::kReusable)) {
    c.tcp().expires_after(timeouts.write);
    // A truncated stream on shutdown is common and harmless: the answer is already read.
    co_await c.secure->async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
  }
  c.tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
  c.tcp().socket().close(ec);
}

// With a pool: an idle connection to the host if there is one, else a new one; back to the pool
// after a whole keep-alive answer. A request that could not be written on a reused connection (the
// server closed it while idle) is sent once more at once on a new one; nothing was sent twice.
// Anything after the write (timeout, end of stream before an answer) is the caller's failure, as
// on a new connection: the worker's retry with back-off decides.
asio::awaitable<void> Run(Exchanging& x, ssl::context& ctx, ConnectionPool* pool) {
  const std::string key = (x.url.https ? "https://" : "http://") + x.url.host + ":" + x.url.port;
  std::unique_ptr<HostConnection> c = pool ? pool->Take(key) : nullptr;
  Conversed how = Conversed::kFailed;
  if (c) {
    how = co_await Converse(*c, x);
    if (how == Conversed::kNotSent) c.reset();
  }
  if (!c) {
    x.result.reset();
    c = co_await Open(x, ctx);
    if (!c) co_return;
    how = co_await Converse(*c, x);
  }
  if (pool && how == Conversed::kReusable) {
    pool->Give(key, std::move(c));
    co_return;
  }
  co_await Close(*c, how, x.timeouts);
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

namespace {

asio::awaitable<engine::Result<HttpResponse>> ExchangeOn(ssl::context& tls, ConnectionPool* pool,
                                                        HttpRequest request, HttpTimeouts timeouts) {
  auto parsed = ParseUrl(request.url);
  if (!parsed) co_return parsed.error();
  if (!parsed->https && !IsLoopbackHost(parsed->host)) {
    co_return Error::Unprocessable(
        "insecure_url", "拒绝以明文 http 发送到非本机地址 " + parsed->host + "，请使用 https:// 地址");
  }
  Exchanging x{std::move(parsed.value()), std::move(request), timeouts, std::nullopt};
  co_await Run(x, tls, pool);
  if (!x.result) co_return Error::Internal("HTTP exchange ended without a result");
  co_return std::move(*x.result);
}

}  // namespace

asio::awaitable<engine::Result<HttpResponse>> Exchange(IoLoop& loop, HttpRequest request,
                                                      HttpTimeouts timeouts) {
  return ExchangeOn(loop.tls(), &loop.pool(), std::move(request), timeouts);
}

asio::awaitable<engine::Result<HttpResponse>> Exchange(ssl::context& tls, HttpRequest request,
                                                      HttpTimeouts timeouts) {
  return ExchangeOn(tls, nullptr, std::move(request), timeouts);
}

namespace {
void ConfigureClientTls(ssl::context& ctx) {
  ctx.set_default_verify_paths();
  ctx.set_verify_mode(ssl::verify_peer);
}
}  // namespace

IoLoop::IoLoop()
    : tls_(ssl::context::tls_client),
      pool_(std::make_unique<ConnectionPool>(ioc_)),
      work_(asio::make_work_guard(ioc_)) {
  // Loading the CA bundle costs milliseconds of CPU: once per loop, never per message.
  ConfigureClientTls(tls_);
  thread_ = std::thread([this] { ioc_.run(); });
  pthread_setname_np(thread_.native_handle(), "chat-io");  // for top -H and /proc/*/task/*/comm
}

IoLoop::~IoLoop() {
  // Idle connections close now; one still in use closes when its exchange ends.
  asio::post(ioc_, [this] { pool_->Shutdown(); });
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
