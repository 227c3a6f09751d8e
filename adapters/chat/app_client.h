#pragma once
// What the app channels share in a process: the io loop the delivery worker sends on (one
// io_context, one TLS context) and each app's access token, fetched when needed, cached until a
// few minutes before it expires and fetched again when the platform says it is no longer valid.
// The card update after a press and the sign-in code exchange use the same tokens.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/chat/app.h"
#include "adapters/chat/http_client.h"
#include "adapters/chat/rate_limiter.h"
#include "engine/core/error.h"
#include "engine/outbox/outbox.h"

namespace spdlog {
class logger;
}

namespace dixian::chat {

class IoLoop;

class AppClient {
 public:
  explicit AppClient(const WallClock& clock, HttpTimeouts timeouts = {},
                     std::shared_ptr<spdlog::logger> logger = nullptr);
  ~AppClient();  // finishes what is queued on the loop
  AppClient(const AppClient&) = delete;
  AppClient& operator=(const AppClient&) = delete;

  IoLoop& loop() { return *loop_; }
  const WallClock& clock() const { return clock_; }
  const HttpTimeouts& timeouts() const { return timeouts_; }
  spdlog::logger& logger() { return *logger_; }
  const std::shared_ptr<spdlog::logger>& shared_logger() const { return logger_; }

  // The cached token of an app channel, if still valid now.
  std::optional<std::string> CachedToken(const std::string& channel_id) const;
  void StoreToken(const std::string& channel_id, AccessToken token);
  void ForgetToken(const std::string& channel_id);
  std::int64_t token_fetches() const { return token_fetches_.load(); }
  void CountTokenFetch() { ++token_fetches_; }

  // After a press: the platform's card update (WeCom's update_template_card), if it has one, on
  // the loop with the channel's token. Failures are logged; the press itself is done.
  void UpdateCardLater(engine::Channel channel, Press press, PressOutcome outcome);

  // Sign-in from the platform's client: the user's id on the platform for a 免登 / OAuth `code`
  // (blocking; call it off the io threads). Errors: kUnauthenticated for a bad or used code,
  // kForbidden for someone outside the organisation, kUnprocessable for a channel that is not
  // an app channel, kUnavailable when the platform cannot be reached.
  engine::Result<std::string> ExchangeSignInCode(const engine::Channel& channel,
                                                 std::string_view code);

 private:
  const WallClock& clock_;
  HttpTimeouts timeouts_;
  std::shared_ptr<spdlog::logger> logger_;
  mutable std::mutex mu_;
  std::map<std::string, AccessToken> tokens_;
  std::atomic<std::int64_t> token_fetches_{0};
  std::unique_ptr<IoLoop> loop_;  // last: its coroutines use the members above
};

}  // namespace dixian::chat
