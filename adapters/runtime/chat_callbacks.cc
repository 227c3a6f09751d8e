#include "adapters/runtime/chat_callbacks.h"

#include "engine/commands/cases.h"
#include "engine/core/fields.h"
#include "engine/core/sha256.h"

namespace dixian::runtime {

namespace {

chat::PressResult ResultOf(const engine::Error& e) {
  switch (e.code) {
    case engine::ErrorCode::kConflict:
      return chat::PressResult::kHandledByOthers;  // stale version
    case engine::ErrorCode::kForbidden:
    case engine::ErrorCode::kNotFound:  // outside the presser's remit reads as absent
      return chat::PressResult::kForbidden;
    case engine::ErrorCode::kUnprocessable:
      return chat::PressResult::kExpired;  // not in this state
    default:
      return chat::PressResult::kFailed;
  }
}

// The query as sent, decoded without turning '+' into a space (Base64 in WeCom's echostr).
std::map<std::string, std::string> RawQuery(const std::string& target) {
  std::map<std::string, std::string> out;
  const std::size_t q = target.find('?');
  if (q == std::string::npos) return out;
  const std::string_view rest = std::string_view(target).substr(q + 1);
  std::size_t i = 0;
  while (i <= rest.size()) {
    std::size_t amp = rest.find('&', i);
    if (amp == std::string_view::npos) amp = rest.size();
    const std::string_view pair = rest.substr(i, amp - i);
    const std::size_t eq = pair.find('=');
    std::string name, value;
    if (eq != std::string_view::npos && http::PercentDecode(pair.substr(0, eq), false, &name) &&
        http::PercentDecode(pair.substr(eq + 1), false, &value)) {
      out.try_emplace(std::move(name), std::move(value));
    }
    i = amp + 1;
  }
  return out;
}

}  // namespace

chat::PressHandler EnginePressHandler(engine::Engine& engine) {
  return [&engine](const chat::Press& press, std::function<void(chat::PressOutcome)> done) {
    auto view = engine.store().Read();
    auto user = view->FindUserByIm(press.platform, press.user);
    if (view->failure()) return done({chat::PressResult::kFailed, ""});
    if (!user || user->revoked) return done({chat::PressResult::kForbidden, ""});
    engine::Write<engine::CaseView> write;
    write.who = engine::Principal{*user};
    // The platform's ids make the key: the same press (a retried callback) never acts twice.
    write.idempotency = {"chat-" + engine::Sha256Hex(press.idempotency_key), "chat press", "press"};
    write.render = [](const engine::CaseView&) { return std::string("{}"); };
    write.done = [done, name = user->name](engine::Result<engine::Answer<engine::CaseView>> r) {
      if (r.ok()) return done({chat::PressResult::kDone, name});
      done({ResultOf(r.error()), ""});
    };
    engine::ActionInput input;
    input.case_id = press.case_id;
    input.action = press.action;
    input.expected_version = press.expected_version;
    engine::ActOnCase(engine, std::move(write), std::move(input));
  };
}

void AddCallbackRoutes(http::Router& router, chat::CallbackDesk& desk) {
  auto handler = [&desk](http::Request& req, http::Reply reply) {
    const std::string channel = req.params["channel_id"];
    if (!engine::IsSafeId(channel)) {
      return reply(http::Response::ErrorBody(404, "not_found", "没有这个回调地址"));
    }
    chat::CallbackRequest request;
    request.method = req.method;
    request.query = RawQuery(req.target);
    for (const auto& [name, value] : req.headers) request.headers.try_emplace(name, value);
    request.body = req.body;
    desk.Handle(channel, request, [reply = std::move(reply)](chat::CallbackReply r) {
      http::Response response;
      response.status = r.status;
      response.content_type = r.content_type;
      response.body = std::move(r.body);
      reply(std::move(response));
    });
  };
  router.Add("POST", "/callbacks/{channel_id}", "chat.callback", handler);
  router.Add("GET", "/callbacks/{channel_id}", "chat.callback_check", handler);
}

}  // namespace dixian::runtime
