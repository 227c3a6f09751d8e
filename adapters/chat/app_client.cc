#include "adapters/chat/app_client.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "adapters/chat/chat_logger.h"
#include "adapters/chat/app_calls.h"
#include "adapters/chat/io_loop.h"
#include "adapters/chat/platform.h"

namespace dixian::chat {

namespace asio = boost::asio;

AppClient::AppClient(const WallClock& clock, HttpTimeouts timeouts,
                     std::shared_ptr<spdlog::logger> logger)
    : clock_(clock),
      timeouts_(timeouts),
      logger_(logger ? std::move(logger) : ChatLogger()),
      loop_(std::make_unique<IoLoop>()) {}

AppClient::~AppClient() = default;

std::optional<std::string> AppClient::CachedToken(const std::string& channel_id) const {
  std::lock_guard lock(mu_);
  auto it = tokens_.find(channel_id);
  if (it == tokens_.end() || it->second.expires_at_ms <= clock_.NowMs()) return std::nullopt;
  return it->second.value;
}

void AppClient::StoreToken(const std::string& channel_id, AccessToken token) {
  std::lock_guard lock(mu_);
  tokens_[channel_id] = std::move(token);
}

void AppClient::ForgetToken(const std::string& channel_id) {
  std::lock_guard lock(mu_);
  tokens_.erase(channel_id);
}

asio::awaitable<engine::Result<std::string>> EnsureToken(AppClient& client,
                                                        const engine::Channel& channel,
                                                        const AppApi& app, bool refresh) {
  if (!refresh) {
    if (auto cached = client.CachedToken(channel.id)) co_return *cached;
  }
  client.CountTokenFetch();
  HttpRequest request = app.TokenRequest(channel);
  auto answer = co_await Exchange(client.loop(), std::move(request), client.timeouts());
  if (!answer.ok()) {
    if (IsPermanentSendError(answer.error())) {
      co_return engine::Error::Unprocessable("app_token_refused", answer.error().message);
    }
    co_return answer.error();
  }
  auto token = app.ParseToken(*answer, client.clock().NowMs());
  if (!token.ok()) co_return token.error();
  client.StoreToken(channel.id, token.value());
  co_return token->value;
}

asio::awaitable<engine::Result<HttpResponse>> CallWithToken(
    AppClient& client, const engine::Channel& channel, const AppApi& app,
    const std::function<HttpRequest(const std::string& token)>& build) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto token = co_await EnsureToken(client, channel, app, attempt > 0);
    if (!token.ok()) co_return token.error();
    HttpRequest request = build(token.value());
    auto answer = co_await Exchange(client.loop(), std::move(request), client.timeouts());
    if (!answer.ok() || !app.TokenRejected(*answer) || attempt > 0) co_return answer;
    client.ForgetToken(channel.id);
  }
  co_return engine::Error::Internal("unreachable");
}

void AppClient::UpdateCardLater(engine::Channel channel, Press press, PressOutcome outcome) {
  const Platform* platform = FindPlatform(channel.kind);
  const AppApi* app = platform ? platform->app() : nullptr;
  if (!app || !app->CardUpdate(channel, press, outcome, "").has_value()) return;
  loop_->Spawn([](AppClient& self, const AppApi& app, engine::Channel channel, Press press,
                  PressOutcome outcome) -> asio::awaitable<void> {
    try {
      const std::function<HttpRequest(const std::string&)> build = [&](const std::string& token) {
        return app.CardUpdate(channel, press, outcome, token).value_or(HttpRequest{});
      };
      auto answer = co_await CallWithToken(self, channel, app, build);
      if (!answer.ok()) {
        self.logger().warn("card update on channel {} failed: {}", channel.id, answer.error().message);
      } else if (answer->status != 200 || answer->body.find("\"errcode\":0") == std::string::npos) {
        self.logger().warn("card update on channel {} refused: HTTP {} {}", channel.id,
                           answer->status, answer->body.substr(0, 200));
      }
    } catch (const std::exception& e) {
      self.logger().warn("card update on channel {} failed: {}", channel.id, e.what());
    }
  }(*this, *app, std::move(channel), std::move(press), std::move(outcome)));
}

engine::Result<std::string> AppClient::ExchangeSignInCode(const engine::Channel& channel,
                                                          std::string_view code) {
  const Platform* platform = FindPlatform(channel.kind);
  const AppApi* app = platform ? platform->app() : nullptr;
  if (!app) return engine::Error::Unprocessable("not_an_app_channel", "该通道不是应用通道，不能用于登录");
  if (code.empty() || code.size() > 512) return engine::Error::Unauthenticated("登录码无效，请重新打开");
  // Sign-in is rare: its own token call (Feishu's differs from the sending token), blocking.
  auto token_answer = HttpSend(app->SignInTokenRequest(channel), timeouts_);
  if (!token_answer.ok()) return engine::Error::Unavailable("platform_unavailable", token_answer.error().message);
  auto token = app->ParseSignInToken(*token_answer, clock_.NowMs());
  if (!token.ok()) return token.error();
  auto answer = HttpSend(app->SignInRequest(channel, code, token->value), timeouts_);
  if (!answer.ok()) return engine::Error::Unavailable("platform_unavailable", answer.error().message);
  return app->ParseSignIn(*answer);
}

}  // namespace dixian::chat
