#include "adapters/chat/callbacks.h"

#include <spdlog/spdlog.h>

#include "adapters/chat/platform.h"

namespace dixian::chat {

CallbackDesk::CallbackDesk(engine::OutboxStore& channels, AppClient& apps, PressHandler on_press,
                           std::shared_ptr<spdlog::logger> logger)
    : channels_(channels),
      apps_(apps),
      on_press_(std::move(on_press)),
      logger_(logger ? std::move(logger) : apps.shared_logger()) {}

void CallbackDesk::Handle(const std::string& channel_id, const CallbackRequest& request,
                          std::function<void(CallbackReply)> reply) {
  auto found = channels_.FindChannel(channel_id);
  if (!found.ok()) return reply({503, "text/plain; charset=utf-8", "storage unavailable"});
  const Platform* platform = found.value() ? FindPlatform(found.value()->kind) : nullptr;
  const AppApi* app = platform ? platform->app() : nullptr;
  if (!app || !app->has_callbacks()) return reply({404, "text/plain; charset=utf-8", "not found"});
  const engine::Channel channel = *found.value();
  DecodedCallback decoded = app->DecodeCallback(channel, request, apps_.clock().NowMs());
  if (decoded.kind == DecodedCallback::Kind::kRefused) {
    ++refused_;
    logger_->warn("callback on channel {} refused: {}", channel.id, decoded.why);
    return reply(decoded.reply);
  }
  if (decoded.kind == DecodedCallback::Kind::kAnswer) return reply(decoded.reply);
  on_press_(decoded.press, [this, app, channel, press = decoded.press,
                            reply = std::move(reply)](PressOutcome outcome) {
    logger_->info("press on channel {}: {} {} -> {}", channel.id, press.action, press.case_id,
                  PressSummary(press, outcome));
    reply(app->PressReply(channel, press, outcome));
    apps_.UpdateCardLater(channel, press, outcome);
  });
}

}  // namespace dixian::chat
