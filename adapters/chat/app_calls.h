#pragma once
// Calls to an app's API as coroutines on the AppClient's loop (chat .cc files only: Asio).
#include <functional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "adapters/chat/app.h"
#include "adapters/chat/app_client.h"

namespace dixian::chat {

// The channel's access token: the cached one, or a new one from the platform (`refresh` forces
// that). Errors: "app_token_refused" (credentials refused: a person must fix them) or another
// slug (the platform could not be reached or answered oddly: try again later).
boost::asio::awaitable<engine::Result<std::string>> EnsureToken(AppClient& client,
                                                               const engine::Channel& channel,
                                                               const AppApi& app, bool refresh);

// One call that needs the token, built by `build`; when the platform says the token is no
// longer valid, a new one is fetched and the call made once more.
boost::asio::awaitable<engine::Result<HttpResponse>> CallWithToken(
    AppClient& client, const engine::Channel& channel, const AppApi& app,
    const std::function<HttpRequest(const std::string& token)>& build);

}  // namespace dixian::chat
