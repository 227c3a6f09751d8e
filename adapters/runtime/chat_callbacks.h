#pragma once
// Wiring of presses on chat cards: the HTTP route `/callbacks/{channel_id}` (POST, and GET for
// WeCom's URL check) hands the request to the chat adapter's CallbackDesk, which verifies it;
// a verified press runs the same engine action as the API (ActOnCase), as the user whose `im` id
// pressed, with the version the card carried and the platform's id as the idempotency key.
#include "adapters/chat/callbacks.h"
#include "adapters/http/router.h"
#include "engine/engine.h"

namespace dixian::runtime {

chat::PressHandler EnginePressHandler(engine::Engine& engine);

void AddCallbackRoutes(http::Router& router, chat::CallbackDesk& desk);

}  // namespace dixian::runtime
