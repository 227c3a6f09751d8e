#pragma once
// Presses on cards come back here: `POST /callbacks/{channel_id}` (and WeCom's GET URL check).
// The desk finds the channel, has its platform verify and decrypt the request exactly as the
// platform documents (refusing what does not verify or falls outside the replay window), hands
// a verified press to whoever acts on it (runtime wires the engine: the same action as the API,
// as the user mapped from the platform id), answers the platform and updates the card. It knows
// no HTTP server: runtime routes the request in and sends the reply out.
#include <functional>
#include <memory>
#include <string>

#include "adapters/chat/app.h"
#include "adapters/chat/app_client.h"
#include "adapters/chat/rate_limiter.h"
#include "engine/outbox/outbox.h"

namespace spdlog {
class logger;
}

namespace dixian::chat {

// Acts on a verified press and says, once, what came of it (any thread).
using PressHandler = std::function<void(const Press& press, std::function<void(PressOutcome)> done)>;

class CallbackDesk {
 public:
  CallbackDesk(engine::OutboxStore& channels, AppClient& apps, PressHandler on_press,
               std::shared_ptr<spdlog::logger> logger = nullptr);

  // Answers one callback for `channel_id`. `reply` is called exactly once, maybe on another
  // thread (after the engine has acted).
  void Handle(const std::string& channel_id, const CallbackRequest& request,
              std::function<void(CallbackReply)> reply);

  std::int64_t refused() const { return refused_.load(); }

 private:
  engine::OutboxStore& channels_;
  AppClient& apps_;
  PressHandler on_press_;
  std::shared_ptr<spdlog::logger> logger_;
  std::atomic<std::int64_t> refused_{0};
};

}  // namespace dixian::chat
