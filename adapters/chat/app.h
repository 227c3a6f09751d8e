#pragma once
// What an app channel's descriptor adds to a robot's (adapters/chat/platform.h): an access token
// fetched and cached, messages addressed to one person with per-person limits, buttons that
// come back as callbacks (verified, decrypted, turned into a Press), the card updated to say
// what happened, and the sign-in code exchange (免登 / OAuth) on the same credentials.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/chat/http_client.h"
#include "adapters/chat/rate_limiter.h"
#include "engine/core/error.h"
#include "engine/outbox/outbox.h"

namespace dixian::chat {

struct AccessToken {
  std::string value;
  std::int64_t expires_at_ms = 0;  // wall time; refreshed a few minutes before
};

// A verified press on a card's button: what it asks the engine to do, as whom.
struct Press {
  std::string channel_id;
  std::string platform;  // the key of the presser's id in users' `im`: wecom | feishu | dingtalk
  std::string user;      // the presser's id on the platform
  std::string case_id;
  int expected_version = 0;
  std::string action;           // engine action, e.g. approve
  std::string label;            // the button's text, e.g. 通过
  std::string idempotency_key;  // from the platform's ids: the same press never acts twice
  std::string response_code;    // WeCom: consumed by the card update
  std::string message_id;       // the card (Feishu: its message; WeCom: its task id)
  std::string link;             // the console page, for a card that is replaced
};

enum class PressResult {
  kDone,            // the action ran: 已通过（张三）
  kHandledByOthers, // the step moved on (another person acted, or a stale version): 已被他人处理
  kForbidden,       // the presser may not act on it, or is not a known user: 无权限
  kExpired,         // the case is closed or the step no longer exists: 已过期
  kFailed,          // anything else (storage down): 处理失败，请到系统中办理
};

struct PressOutcome {
  PressResult result = PressResult::kFailed;
  std::string actor_name;  // kDone: who acted
};

// What the card says after the press: 已通过（张三）, 已被他人处理, 无权限, 已过期, ...
std::string PressSummary(const Press& press, const PressOutcome& outcome);

struct CallbackRequest {
  std::string method;                          // GET (WeCom's URL check) or POST
  std::map<std::string, std::string> query;    // decoded
  std::map<std::string, std::string> headers;  // names lower-case
  std::string body;
};

struct CallbackReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

struct DecodedCallback {
  enum class Kind {
    kAnswer,   // answer `reply` at once (URL check, challenge, an event we do not act on)
    kPress,    // run `press`, then answer with PressReply
    kRefused,  // not verified (signature, decryption, token, replay window): `reply`, and log why
  };
  Kind kind = Kind::kRefused;
  CallbackReply reply;
  Press press;
  std::string why;  // kRefused: for the log
};

class AppApi {
 public:
  virtual ~AppApi() = default;
  // The platform users' ids belong to (the key in users' `im`).
  virtual std::string_view im_platform() const = 0;
  virtual std::string_view default_api_base() const = 0;
  // The keys `app` must hold (POST /api/v1/channels), each a non-empty string.
  virtual std::vector<std::string_view> required_settings() const = 0;
  // Checks the settings beyond their presence (e.g. a 43-character EncodingAESKey).
  virtual engine::Status CheckSettings(const std::map<std::string, std::string>& app) const;
  // Per person, as the platform documents (joined with the channel's own windows).
  virtual std::span<const RateWindow> person_windows() const = 0;

  virtual HttpRequest TokenRequest(const engine::Channel& channel) const = 0;
  // The token, or an error whose message says what to fix (slug "app_token_refused" when the
  // platform refused the credentials: dead; anything else: retry).
  virtual engine::Result<AccessToken> ParseToken(const HttpResponse& answer,
                                                 std::int64_t now_ms) const = 0;
  // The answer says the token expired or is not valid: fetch a new one and send once more.
  virtual bool TokenRejected(const HttpResponse& answer) const = 0;

  // Buttons that come back (WeCom, Feishu); DingTalk's work notices only link to the console.
  virtual bool has_callbacks() const { return false; }
  virtual DecodedCallback DecodeCallback(const engine::Channel& channel,
                                         const CallbackRequest& request,
                                         std::int64_t wall_now_ms) const;
  // The answer to the press's callback once the engine has acted (Feishu: the new card in it).
  virtual CallbackReply PressReply(const engine::Channel& channel, const Press& press,
                                   const PressOutcome& outcome) const;
  // A call that updates the card after the answer (WeCom's update_template_card), if any.
  virtual std::optional<HttpRequest> CardUpdate(const engine::Channel& channel, const Press& press,
                                                const PressOutcome& outcome,
                                                const std::string& token) const;

  // Sign-in from the platform's client (免登 / OAuth code): the request that turns `code` into
  // the user's id on the platform, and reading its answer.
  // The token the sign-in call takes (by default the app's access token).
  virtual HttpRequest SignInTokenRequest(const engine::Channel& channel) const {
    return TokenRequest(channel);
  }
  virtual engine::Result<AccessToken> ParseSignInToken(const HttpResponse& answer,
                                                       std::int64_t now_ms) const {
    return ParseToken(answer, now_ms);
  }
  virtual HttpRequest SignInRequest(const engine::Channel& channel, std::string_view code,
                                    const std::string& token) const = 0;
  virtual engine::Result<std::string> ParseSignIn(const HttpResponse& answer) const = 0;
};

// The app setting `key` ("" when absent).
std::string Setting(const engine::Channel& channel, std::string_view key);
// The channel's API base (its url, or the platform's own address), without a trailing '/'.
std::string ApiBase(const engine::Channel& channel, const AppApi& app);
// The window key of one person on a channel: "<channel id>/<person>".
std::string PersonKey(const std::string& channel_id, const std::string& person);

// A button's value, carried by the platform and given back on a press: the case, the version
// the person saw, the action and its label. "dx1|<case>|<version>|<action>|<label>".
std::string ButtonKey(const std::string& case_id, int version, const std::string& action,
                      const std::string& label);
struct ButtonValue {
  std::string case_id;
  int version = 0;
  std::string action;
  std::string label;
};
std::optional<ButtonValue> ParseButtonKey(std::string_view key);

}  // namespace dixian::chat
