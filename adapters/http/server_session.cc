// One HTTP connection: read a request (header first, so "Expect: 100-continue" and oversized
// Content-Length are answered before the body), dispatch it, wait for the Reply (possibly from
// another thread), write the response, repeat while keep-alive. Every step runs on the
// connection's strand with a timeout.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <utility>

#include <spdlog/spdlog.h>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <nlohmann/json.hpp>

#include "adapters/http/evidence_calls.h"
#include "adapters/http/server_internal.h"
#include "engine/core/time.h"

namespace dixian::http {
namespace {

constexpr std::chrono::seconds kLingerTimeout{5};
constexpr std::size_t kMaxDrainBytes = 4u << 20;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

std::string RemoteOf(const tcp::socket& socket) {
  beast::error_code ec;
  auto ep = socket.remote_endpoint(ec);
  if (ec) return "-";
  auto addr = ep.address();
  std::string host = addr.is_v6() ? "[" + addr.to_string() + "]" : addr.to_string();
  return host + ":" + std::to_string(ep.port());
}

std::string NowForLog() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
  std::string ts = engine::FormatRfc3339(ms / 1000);  // ...T09:30:00+08:00
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03d", static_cast<int>(ms % 1000));
  auto plus = ts.rfind('+');
  if (plus != std::string::npos) ts.insert(plus, frac);
  return ts;
}

bool IsParseError(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category();
}

bool IEquals(std::string_view a, std::string_view b) { return beast::iequals(a, b); }

// Stream construction: TLS wraps the socket with the server's context.
template <class Stream>
Stream MakeStream(tcp::socket socket, Server::Shared& shared) {
  if constexpr (std::is_same_v<Stream, PlainStream>) {
    (void)shared;
    return Stream(std::move(socket));
  } else {
    return Stream(std::move(socket), *shared.tls);
  }
}

// On every answer (API, errors, static files, the server's own refusals): no script but the
// console's own files, never framed, no referrer, no sniffing; HSTS when served over TLS.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

void AddSecurityHeaders(bhttp::response<bhttp::string_body>& res, bool tls) {
  res.set("Content-Security-Policy", kContentSecurityPolicy);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  res.set("X-Frame-Options", "DENY");
  if (tls) res.set("Strict-Transport-Security", "max-age=31536000");
}

}  // namespace

// Shared by every copy of one request's Reply: the first call wins, later ones are ignored; if
// no copy ever calls it, the client gets a 500 instead of a hung connection.
struct ReplyState {
  std::shared_ptr<SessionBase> session;
  std::uint64_t seq;
  std::atomic<bool> done{false};

  ReplyState(std::shared_ptr<SessionBase> s, std::uint64_t n) : session(std::move(s)), seq(n) {}
  ~ReplyState() {
    if (!done.load()) {
      session->PostResponse(
          seq, Response::ErrorBody(500, "internal", "服务器内部错误：请求未得到处理。"));
    }
  }
  void Call(Response r) {
    if (done.exchange(true)) return;
    session->PostResponse(seq, std::move(r));
  }
};

template <class Stream>
Session<Stream>::Session(tcp::socket socket, std::shared_ptr<Server::Shared> shared, bool counted)
    : shared_(std::move(shared)), stream_(MakeStream<Stream>(std::move(socket), *shared_)), counted_(counted) {
  remote_ = RemoteOf(Tcp().socket());
}

template <class Stream>
Session<Stream>::~Session() {
  if (!finished_) Unregister();
}

// Leaves the server's session list and connection count (once: from Finish or the destructor).
template <class Stream>
void Session<Stream>::Unregister() {
  std::lock_guard lock(shared_->mu);
  shared_->sessions.erase(this);
  if (counted_)
    --shared_->active;
  else
    --shared_->rejecting;
  shared_->cv.notify_all();
}

template <class Stream>
void Session<Stream>::Run() {
  {
    std::lock_guard lock(shared_->mu);
    shared_->sessions.emplace(this, this->weak_from_this());
  }
  if constexpr (kTls) {
    Tcp().expires_after(shared_->options.request_timeout);
    stream_.async_handshake(asio::ssl::stream_base::server,
                            beast::bind_front_handler(&Session::OnHandshake, shared_from_this()));
  } else {
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&Session::DoReadHeader, shared_from_this()));
  }
}

template <class Stream>
void Session<Stream>::OnHandshake(beast::error_code ec) {
  if (ec) return Finish();  // not TLS, a bad certificate check, a timeout: nothing to answer
  DoReadHeader();
}

// Whether the request being read is an evidence upload (its body may run to upload_limit).
template <class Stream>
bool Session<Stream>::IsUpload() {
  if (!parser_) return false;
  const auto& msg = parser_->get();
  std::string_view target = msg.target();
  return api::IsUploadPath(msg.method_string(), target.substr(0, target.find('?')));
}

template <class Stream>
void Session<Stream>::OnServerStop() {
  if (state_ == State::kReading) Finish();
}

template <class Stream>
void Session<Stream>::ForceClose() { Finish(); }

template <class Stream>
void Session<Stream>::DoReadHeader() {
  if (finished_) return;
  if (shared_->stopping.load()) return Finish();
  state_ = State::kReading;
  method_ = "-";
  route_.clear();
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(shared_->options.header_limit));
  // The larger limit until the head names the route (Beast checks Content-Length against it
  // while reading the head); OnHeader lowers it for everything but evidence uploads.
  parser_->body_limit(std::max(shared_->options.body_limit, shared_->options.upload_limit));
  auto timeout = shared_->options.request_timeout;
  Tcp().expires_after(counted_ ? timeout
                                 : std::min<std::chrono::seconds>(timeout, kLingerTimeout));
  bhttp::async_read_header(stream_, buffer_, *parser_,
                           beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
}

template <class Stream>
void Session<Stream>::OnHeader(beast::error_code ec, std::size_t) {
  start_ = std::chrono::steady_clock::now();
  if (ec) return OnReadError(ec);
  const auto& msg = parser_->get();
  method_ = std::string(msg.method_string());
  if (!counted_) {
    return SendLocal(503, "server_busy", "服务器繁忙：同时连接数已达上限，请稍后重试。",
                     "over_capacity");
  }
  if (!IsUpload()) {
    const auto limit = shared_->options.body_limit;
    if (parser_->content_length() && *parser_->content_length() > limit)
      return OnReadError(bhttp::error::body_limit);
    parser_->body_limit(limit);
  }
  if (parser_->is_done()) return OnRequest();
  if (IEquals(msg[bhttp::field::expect], "100-continue")) {
    Tcp().expires_after(shared_->options.request_timeout);
    asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                      [self = shared_from_this()](beast::error_code wec, std::size_t) {
                        if (wec) return self->Finish();
                        self->DoReadBody();
                      });
    return;
  }
  DoReadBody();
}

template <class Stream>
void Session<Stream>::DoReadBody() {
  if (finished_) return;
  Tcp().expires_after(shared_->options.request_timeout);
  bhttp::async_read(stream_, buffer_, *parser_,
                    beast::bind_front_handler(&Session::OnBody, shared_from_this()));
}

template <class Stream>
void Session<Stream>::OnBody(beast::error_code ec, std::size_t) {
  if (ec) return OnReadError(ec);
  OnRequest();
}

template <class Stream>
void Session<Stream>::OnReadError(beast::error_code ec) {
  if (finished_) return;
  if (ec == bhttp::error::body_limit) {
    if (IsUpload())
      return SendLocal(413, "body_too_large",
                       "文件过大：上限为 " +
                           std::to_string(shared_->options.upload_limit / (1024 * 1024)) + " MB",
                       "body_too_large");
    return SendLocal(
        413, "body_too_large",
        "请求内容过大，上限为 " + std::to_string(shared_->options.body_limit) + " 字节。",
        "body_too_large");
  }
  if (ec == bhttp::error::header_limit) {
    return SendLocal(431, "header_too_large", "请求头过大。", "header_too_large");
  }
  // A clean close between requests, a timeout, a reset or Stop(): nothing to answer.
  if (ec == bhttp::error::end_of_stream || !IsParseError(ec)) return Finish();
  SendLocal(400, "malformed_request", "请求格式不正确（HTTP 解析失败）。", "malformed");
}

template <class Stream>
void Session<Stream>::OnRequest() {
  state_ = State::kHandling;
  ++seq_;
  auto msg = parser_->release();
  Request req;
  req.method = method_;
  req.target = std::string(msg.target());
  req.remote = remote_;
  std::string_view target = msg.target();
  auto qpos = target.find('?');
  std::string_view raw_path = target.substr(0, qpos);
  if (qpos != std::string_view::npos) req.query = ParseQuery(target.substr(qpos + 1));
  keep_alive_ = msg.keep_alive();
  head_ = msg.method() == bhttp::verb::head;
  if (raw_path.empty() || raw_path.front() != '/' || !PercentDecode(raw_path, false, &req.path)) {
    keep_alive_ = false;
    return SendLocal(400, "malformed_request", "请求地址格式不正确。", "malformed");
  }
  for (const auto& field : msg) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    req.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  req.content_type = MediaType(msg[bhttp::field::content_type]);
  req.bearer = BearerToken(msg[bhttp::field::authorization]);
  req.idempotency_key = std::string(msg["Idempotency-Key"]);
  req.body = std::move(msg.body());
  Dispatch(req);
}

template <class Stream>
void Session<Stream>::Dispatch(Request& req) {
  auto state = std::make_shared<ReplyState>(shared_from_this(), seq_);
  Reply reply = [state](Response r) { state->Call(std::move(r)); };
  try {
    shared_->router->Dispatch(req, reply);  // the Reply posts the response to this strand
  } catch (const std::exception& e) {
    shared_->ErrorLog().error("handler {} threw: {}", req.route, e.what());
    reply(Response::ErrorBody(500, "internal", "服务器内部错误，请稍后重试。"));
  } catch (...) {
    shared_->ErrorLog().error("handler {} threw a non-standard exception", req.route);
    reply(Response::ErrorBody(500, "internal", "服务器内部错误，请稍后重试。"));
  }
  route_ = req.route;  // Send runs later on this strand, after this returns
}

template <class Stream>
void Session<Stream>::PostResponse(std::uint64_t seq, Response response) {
  std::lock_guard lock(shared_->mu);
  if (!shared_->posts_open) return;
  asio::post(stream_.get_executor(),
             [self = shared_from_this(), seq, r = std::move(response)]() mutable {
               self->Send(seq, std::move(r));
             });
}

template <class Stream>
void Session<Stream>::SendLocal(int status, std::string_view slug, std::string_view message,
                        std::string route) {
  state_ = State::kHandling;
  ++seq_;
  keep_alive_ = false;
  head_ = false;
  route_ = std::move(route);
  Send(seq_, Response::ErrorBody(status, slug, message));
}

template <class Stream>
void Session<Stream>::Send(std::uint64_t seq, Response response) {
  if (finished_ || seq != seq_ || state_ != State::kHandling) return;  // stale or closed
  if (response.render) {  // rendered here, on the connection's thread, not on the writer thread
    try {
      response.body = response.render();
    } catch (const std::exception& e) {
      shared_->ErrorLog().error("rendering {} failed: {}", route_, e.what());
      response = Response::ErrorBody(500, "internal", "服务器内部错误，请稍后重试。");
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  shared_->metrics->ObserveRequest(route_, response.status, seconds);
  WriteAccessLog(response, seconds);

  auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
  res->version(11);
  res->result(static_cast<unsigned>(response.status));
  if (!response.content_type.empty()) res->set(bhttp::field::content_type, response.content_type);
  for (auto& [name, value] : response.headers) res->insert(name, value);
  AddSecurityHeaders(*res, kTls);
  bool close = !keep_alive_ || shared_->stopping.load();
  res->keep_alive(!close);
  // 1xx, 204 and 304 carry no body (Beast refuses to frame one).
  bool bodiless = response.status < 200 || response.status == 204 || response.status == 304;
  if (!bodiless) res->body() = std::move(response.body);
  res->prepare_payload();
  if (head_) res->body().clear();  // Content-Length stays that of the GET body
  response_ = res;
  state_ = State::kWriting;
  Tcp().expires_after(shared_->options.request_timeout);
  bhttp::async_write(stream_, *response_,
                     beast::bind_front_handler(&Session::OnWrite, shared_from_this(), close));
}

template <class Stream>
void Session<Stream>::OnWrite(bool close, beast::error_code ec, std::size_t) {
  response_.reset();
  if (ec) return Finish();
  if (close || shared_->stopping.load()) return LingeringClose();
  DoReadHeader();
}

// Half-close and read what the client still sends (e.g. the rest of a refused body), so that
// closing does not reset the connection before the client has read our response.
template <class Stream>
void Session<Stream>::LingeringClose() {
  state_ = State::kDraining;
  if constexpr (kTls) {  // close_notify, then close (a TLS stream cannot be half-closed)
    Tcp().expires_after(kLingerTimeout);
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) { self->Finish(); });
    return;
  }
  beast::error_code ec;
  Tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return Finish();
  Tcp().expires_after(kLingerTimeout);
  DoDrain();
}

template <class Stream>
void Session<Stream>::DoDrain() {
  stream_.async_read_some(asio::buffer(drain_buffer_),
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            self->drained_ += n;
                            if (ec || self->drained_ > kMaxDrainBytes) return self->Finish();
                            self->DoDrain();
                          });
}

template <class Stream>
void Session<Stream>::Finish() {
  if (finished_) return;
  finished_ = true;
  state_ = State::kClosed;
  beast::error_code ec;
  Tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
  Tcp().close();
  Unregister();
}

template <class Stream>
void Session<Stream>::WriteAccessLog(const Response& response, double seconds) {
  if (!shared_->access_log) return;
  nlohmann::json line = {
      {"ts", NowForLog()},
      {"method", method_},
      {"route", route_},
      {"status", response.status},
      {"latency_ms", static_cast<double>(static_cast<long long>(seconds * 1e6)) / 1e3},
      {"user", response.user_id},
      {"remote", remote_},
      {"bytes", response.body.size()},
  };
  shared_->access_log->info(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void StartSession(tcp::socket socket, const std::shared_ptr<Server::Shared>& shared, bool counted) {
  if (shared->tls)
    std::make_shared<Session<TlsStream>>(std::move(socket), shared, counted)->Run();
  else
    std::make_shared<Session<PlainStream>>(std::move(socket), shared, counted)->Run();
}

template class Session<PlainStream>;
template class Session<TlsStream>;

}  // namespace dixian::http
