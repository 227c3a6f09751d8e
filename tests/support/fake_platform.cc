#include "tests/support/fake_platform.h"

#include <algorithm>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "adapters/chat/signer.h"
#include "tests/support/fake_http.h"
#include "tests/support/loopback_http.h"

namespace dixian::testing {
namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using nlohmann::json;

struct Answer {
  int status = 200;
  long long code = 0;
  std::string msg = "ok";
};
}  // namespace

struct FakePlatform::Impl {
  std::string kind, secret;
  NowMs now_ms;
  LoopbackHttp server;
  mutable std::mutex mu;
  mutable std::condition_variable cv;
  FakeFaults faults;
  std::vector<FakeReceived> received;
  std::vector<std::int64_t> accepted_at;
  std::int64_t silenced_until = 0;  // DingTalk's 10 minutes after a robot went over its limit
  bool holding = false;
  bool keep_alive = false;  // answers keep the connection open
  std::vector<std::shared_ptr<asio::steady_timer>> held;  // io thread only

  std::string SuccessBody() const {
    if (kind == "feishu") return R"({"code":0,"data":{},"msg":"success"})";
    if (kind == "webhook") return R"({"ok":true})";
    return R"({"errcode":0,"errmsg":"ok"})";
  }

  std::string Body(const Answer& a) const {
    if (a.code == 0 && a.status == 200) return SuccessBody();
    if (kind == "feishu") return json{{"code", a.code}, {"data", json::object()}, {"msg", a.msg}}.dump();
    if (kind == "webhook") return json{{"error", a.msg}}.dump();
    return json{{"errcode", a.code}, {"errmsg", a.msg}}.dump();
  }

  Answer RateLimited() const {
    if (kind == "dingtalk") return {200, 130101, "send too fast, exceed 20 times per minute"};
    if (kind == "wecom") return {200, 45009, "api freq out of limit"};
    if (kind == "feishu") return {200, 11232, "frequency limited psm"};
    return {429, 429, "too many requests"};
  }

  // Signature, then limits. Called with mu held.
  Answer Check(const FakeReceived& r, std::int64_t now) {
    if (kind == "dingtalk") {
      auto q = QueryParams(r.target);
      if (q["access_token"] != "fake-token") return {200, 300001, "token is not exist"};
      if (!secret.empty()) {
        const std::int64_t ts = q.count("timestamp") ? std::stoll("0" + q["timestamp"]) : 0;
        if (std::llabs(now - ts) > 3600 * 1000) return {200, 310000, "invalid timestamp"};
        if (q["sign"] != chat::DingTalkSign(ts, secret)) return {200, 310000, "sign not match"};
      }
    } else if (kind == "wecom") {
      if (QueryParams(r.target)["key"] != secret) return {200, 93000, "invalid webhook url"};
    } else if (kind == "feishu") {
      if (!secret.empty()) {
        const std::string ts = r.body.value("timestamp", std::string());
        const std::int64_t t = ts.empty() ? 0 : std::stoll(ts);
        if (std::llabs(now / 1000 - t) > 3600 ||
            r.body.value("sign", std::string()) != chat::FeishuSign(t, secret)) {
          return {200, 19021, "sign match fail or timestamp is not within one hour from current time"};
        }
      }
    } else {
      auto it = r.headers.find("x-dixian-signature-256");
      if (!secret.empty() && (it == r.headers.end() ||
                              it->second != chat::GenericSignature(secret, r.raw_body))) {
        return {401, 401, "bad signature"};
      }
    }
    if (r.body.is_discarded()) return {200, 40035, "invalid json"};
    if (Answer a = CheckLength(r); a.code != 0) return a;
    return CheckRate(now);
  }

  Answer CheckLength(const FakeReceived& r) const {
    const json& b = r.body;
    if (kind == "dingtalk") {
      const std::string type = b.value("msgtype", "");
      const std::string field = type == "text" ? "content" : "text";
      if (b.contains(type) && b[type].value(field, std::string()).size() > 20000) {
        return {200, 460101, "message too long"};
      }
    } else if (kind == "wecom") {
      const std::string type = b.value("msgtype", "");
      const std::size_t limit = type == "text" ? 2048 : 4096;
      if (b.contains(type) && b[type].value("content", std::string()).size() > limit) {
        return {200, 40058, "content exceed max length"};
      }
    } else if (kind == "feishu") {
      if (r.raw_body.size() > 20 * 1024) return {200, 9499, "request body too large"};
    }
    return {};
  }

  // DingTalk: "每个机器人每分钟最多发送20条。如果超过20条，会限流10分钟" - the 21st message in a
  // minute is refused and so is everything for the next 10 minutes.
  Answer CheckRate(std::int64_t now) {
    const int per_minute = kind == "feishu" ? 100 : kind == "webhook" ? 0 : 20;
    const int per_second = kind == "feishu" ? 5 : 0;
    if (now < silenced_until) return RateLimited();
    auto count_since = [&](std::int64_t from) {
      return std::count_if(accepted_at.begin(), accepted_at.end(),
                           [&](std::int64_t t) { return t > from; });
    };
    if (per_minute > 0 && count_since(now - 60000) >= per_minute) {
      if (kind == "dingtalk") silenced_until = now + 10 * 60000;
      return RateLimited();
    }
    if (per_second > 0 && count_since(now - 1000) >= per_second) return RateLimited();
    return {};
  }

  // Decides the answer and records the request. Returns the fault to act on.
  enum class Fault { kNone, k5xx, kClose };
  Fault Handle(FakeReceived r, Answer& answer, std::chrono::milliseconds& delay, bool& hold,
               bool& keep, bool& close_after) {
    std::lock_guard lock(mu);
    delay = faults.delay;
    hold = holding;
    keep = keep_alive;
    close_after = keep_alive && faults.close_after_answer > 0;
    if (close_after) --faults.close_after_answer;
    const std::int64_t now = now_ms();
    r.at_ms = now;
    Fault fault = Fault::kNone;
    if (faults.close_mid_response > 0) {
      --faults.close_mid_response;
      fault = Fault::kClose;
      answer = {200, -1, "closed"};
    } else if (faults.fail_5xx > 0) {
      --faults.fail_5xx;
      fault = Fault::k5xx;
      answer = {503, -1, "service unavailable"};
    } else if (faults.rate_limit > 0) {
      --faults.rate_limit;
      answer = RateLimited();
    } else {
      answer = Check(r, now);
    }
    r.code = answer.code;
    r.accepted = fault == Fault::kNone && answer.code == 0 && answer.status == 200;
    if (r.accepted) accepted_at.push_back(now);
    received.push_back(std::move(r));
    cv.notify_all();
    return fault;
  }

  asio::awaitable<void> Serve(beast::tcp_stream& stream, FakeHttpRequest req) {
    FakeReceived r;
    r.target = std::move(req.target);
    r.headers = std::move(req.headers);
    r.raw_body = std::move(req.body);
    r.body = json::parse(r.raw_body, nullptr, false);
    boost::system::error_code ec;
    Answer answer;
    std::chrono::milliseconds delay{0};
    bool hold = false;
    bool keep = false;
    bool close_after = false;
    const Fault fault = Handle(std::move(r), answer, delay, hold, keep, close_after);
    if (hold) {
      auto timer = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor,
                                                        asio::steady_timer::time_point::max());
      bool wait = false;
      {
        std::lock_guard lock(mu);  // Release() may have come in between
        if (holding) held.push_back(timer), wait = true;
        cv.notify_all();
      }
      if (wait) co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (delay.count() > 0) {
      asio::steady_timer timer(co_await asio::this_coro::executor, delay);
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (fault == Fault::kClose) {
      const std::string half = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"errc";
      co_await asio::async_write(stream.socket(), asio::buffer(half),
                                 asio::redirect_error(asio::use_awaitable, ec));
      stream.socket().shutdown(tcp::socket::shutdown_both, ec);
      co_return;
    }
    // A named body: GCC 12 destroys a temporary argument of a co_awaited call twice.
    std::string body = fault == Fault::k5xx ? "<html>503</html>" : Body(answer);
    if (!keep) {
      co_await WriteJsonAndClose(stream, static_cast<unsigned>(answer.status), std::move(body));
      co_return;
    }
    co_await WriteJsonKeepAlive(stream, static_cast<unsigned>(answer.status), std::move(body));
    // The platform closes the connection after this answer: nothing more is handled on it. A
    // request the client sent before it saw the close is never read (shutdown alone let the
    // session read and record it, then fail to answer: the client's retry made it two).
    if (close_after) {
      stream.socket().shutdown(tcp::socket::shutdown_both, ec);
      stream.socket().close(ec);
    }
  }
};

FakePlatform::FakePlatform(std::string kind, std::string secret, NowMs now_ms)
    : impl_(std::make_shared<Impl>()) {
  impl_->kind = std::move(kind);
  impl_->secret = std::move(secret);
  impl_->now_ms = now_ms ? std::move(now_ms) : NowMs(WallClockMs);
  port_ = impl_->server.Start([impl = impl_.get()](beast::tcp_stream& stream, FakeHttpRequest req) {
    return impl->Serve(stream, std::move(req));
  });
}

FakePlatform::~FakePlatform() { impl_->server.Stop(); }

std::string FakePlatform::Url() const {
  const std::string base = "http://127.0.0.1:" + std::to_string(port_);
  if (impl_->kind == "dingtalk") return base + "/robot/send?access_token=fake-token";
  if (impl_->kind == "wecom") return base + "/cgi-bin/webhook/send?key=" + impl_->secret;
  if (impl_->kind == "feishu") return base + "/open-apis/bot/v2/hook/fake-hook";
  return base + "/hook";
}

void FakePlatform::SetFaults(const FakeFaults& faults) {
  std::lock_guard lock(impl_->mu);
  impl_->faults = faults;
}

void FakePlatform::SetKeepAlive(bool keep_alive) {
  std::lock_guard lock(impl_->mu);
  impl_->keep_alive = keep_alive;
}

std::size_t FakePlatform::Connections() const { return impl_->server.Connections(); }

void FakePlatform::Hold() {
  std::lock_guard lock(impl_->mu);
  impl_->holding = true;
}

void FakePlatform::Release() {
  std::vector<std::shared_ptr<asio::steady_timer>> held;
  {
    std::lock_guard lock(impl_->mu);
    impl_->holding = false;
    held.swap(impl_->held);
  }
  asio::post(impl_->server.ioc(), [held = std::move(held)] {
    for (const auto& timer : held) timer->cancel();
  });
}

std::size_t FakePlatform::Held() const {
  std::lock_guard lock(impl_->mu);
  return impl_->held.size();
}

bool FakePlatform::WaitForHeld(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, timeout, [&] { return impl_->held.size() >= n; });
}

std::vector<FakeReceived> FakePlatform::Received() const {
  std::lock_guard lock(impl_->mu);
  return impl_->received;
}

std::vector<FakeReceived> FakePlatform::Accepted() const {
  std::lock_guard lock(impl_->mu);
  std::vector<FakeReceived> out;
  for (const auto& r : impl_->received) {
    if (r.accepted) out.push_back(r);
  }
  return out;
}

std::size_t FakePlatform::RateLimitAnswers() const {
  std::lock_guard lock(impl_->mu);
  const long long code = impl_->RateLimited().code;
  return static_cast<std::size_t>(std::count_if(impl_->received.begin(), impl_->received.end(),
                                                [&](const FakeReceived& r) { return r.code == code; }));
}

bool FakePlatform::WaitForAccepted(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, timeout, [&] { return impl_->accepted_at.size() >= n; });
}

bool FakePlatform::WaitForReceived(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, timeout, [&] { return impl_->received.size() >= n; });
}

}  // namespace dixian::testing
