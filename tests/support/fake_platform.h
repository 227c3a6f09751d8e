#pragma once
// A real HTTP server on 127.0.0.1:<ephemeral> (own thread) emulating one chat platform's custom
// robot: checks the signature as documented, enforces the rate and length limits, answers with
// HTTP 200 and the platform's own error codes, and records what arrived. Faults can be injected.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace dixian::testing {

struct FakeReceived {
  std::string target;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string raw_body;
  nlohmann::json body;
  bool accepted = false;
  long long code = 0;  // the platform code answered (generic: HTTP status)
  std::int64_t at_ms = 0;
};

struct FakeFaults {
  int fail_5xx = 0;            // answer HTTP 503 this many times
  int rate_limit = 0;          // answer the platform's rate-limit code this many times
  int close_mid_response = 0;  // send half a response and close, this many times
  std::chrono::milliseconds delay{0};  // wait before answering (every request while set)
  // Keep-alive only: answer whole (keep-alive) and then close the connection, this many times:
  // the next request of a client that reuses it finds it closed.
  int close_after_answer = 0;
};

class FakePlatform {
 public:
  using NowMs = std::function<std::int64_t()>;
  // kind: dingtalk | wecom | feishu | webhook. For wecom, `secret` is the key in the URL.
  FakePlatform(std::string kind, std::string secret, NowMs now_ms = nullptr);
  ~FakePlatform();
  FakePlatform(const FakePlatform&) = delete;
  FakePlatform& operator=(const FakePlatform&) = delete;

  std::string Url() const;  // the webhook URL a channel is configured with
  unsigned short port() const { return port_; }
  void SetFaults(const FakeFaults& faults);
  // Answers keep the connection open for the next request (default: Connection: close).
  void SetKeepAlive(bool keep_alive);
  std::size_t Connections() const;  // TCP connections accepted so far
  // From now on, answers wait (the request is already recorded) until Release(): a slow platform
  // without real-time waiting. Release() answers everything held and stops holding.
  void Hold();
  void Release();
  std::size_t Held() const;  // requests waiting for Release()
  bool WaitForHeld(std::size_t n, std::chrono::milliseconds timeout) const;
  std::vector<FakeReceived> Received() const;
  std::vector<FakeReceived> Accepted() const;
  // Requests answered with the platform's rate-limit code (DingTalk 130101, WeCom 45009, ...).
  std::size_t RateLimitAnswers() const;
  // Waits (bounded) until `n` messages were accepted; true when they were.
  bool WaitForAccepted(std::size_t n, std::chrono::milliseconds timeout) const;
  bool WaitForReceived(std::size_t n, std::chrono::milliseconds timeout) const;

  struct Impl;  // public for the .cc's free functions

 private:
  std::shared_ptr<Impl> impl_;
  unsigned short port_ = 0;
};

}  // namespace dixian::testing
