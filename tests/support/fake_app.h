#pragma once
// A real HTTP server on 127.0.0.1:<ephemeral> (own thread) emulating one chat platform's app API
// as its documents describe it (docs/channels.md): the token endpoint (credentials checked,
// tokens that expire), the send endpoint (token, agent, recipient and per-person limits checked,
// the platform's own error codes), WeCom's card update and the sign-in code exchange. And the
// platform's side of a press: a callback built, encrypted and signed as the platform does, for
// the tests to send to the server's /callbacks/{channel_id}.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace dixian::testing {

// Credentials and settings of the fake app (the same strings go into the channel's `app`).
struct FakeAppSettings {
  // wecom_app
  std::string corp_id = "ww1436e0e65a779aee";
  std::string corp_secret = "wecom-secret";
  std::string agent_id = "1000002";
  std::string callback_token = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo";
  std::string encoding_aes_key = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt";
  // feishu_app
  std::string app_id = "cli_a1b2c3d4e5";
  std::string app_secret = "feishu-secret";
  std::string encrypt_key = "feishu-encrypt-key";
  std::string verification_token = "feishu-verification-token";
  // dingtalk_app
  std::string app_key = "ding-app-key";
  std::string ding_app_secret = "ding-secret";
  std::string ding_agent_id = "2000001";
};

// One message the fake accepted (or dropped).
struct FakeAppMessage {
  std::string to;
  nlohmann::json body;  // the request body as sent
  nlohmann::json card;  // WeCom template_card / Feishu card (parsed from content) / DingTalk msg
  std::string task_id;  // WeCom
  std::string message_id;  // Feishu: the id it answered with
  bool dropped = false;    // over the person's limit: "dropped silently" (WeCom)
  std::int64_t at_ms = 0;
};

// A callback as the platform would send it.
struct FakeCallback {
  std::string method;  // POST (GET for WeCom's URL check)
  std::string query;   // "a=1&b=2" (URL-encoded), without '?'
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string expected_echo;  // WeCom URL check: what the server must answer
};

class FakeApp {
 public:
  using NowMs = std::function<std::int64_t()>;
  // kind: wecom_app | feishu_app | dingtalk_app. `users`: the ids the platform knows.
  FakeApp(std::string kind, std::set<std::string> users, NowMs now_ms = nullptr,
          FakeAppSettings settings = {});
  ~FakeApp();
  FakeApp(const FakeApp&) = delete;
  FakeApp& operator=(const FakeApp&) = delete;

  std::string BaseUrl() const;  // the channel's api_base
  const FakeAppSettings& settings() const { return settings_; }
  // The channel's `app` object for POST /api/v1/channels.
  nlohmann::json AppJson() const;

  std::vector<FakeAppMessage> Messages() const;    // accepted ones
  std::vector<FakeAppMessage> Received() const;    // everything sent, dropped ones too
  bool WaitForMessages(std::size_t n, std::chrono::milliseconds timeout) const;
  std::vector<nlohmann::json> CardUpdates() const;  // WeCom update_template_card bodies
  bool WaitForCardUpdates(std::size_t n, std::chrono::milliseconds timeout) const;
  int token_fetches() const;
  std::vector<long long> SendCodes() const;  // the code answered to each send request
  // Every token issued so far stops working now (the platform's expiry): the next call with one
  // gets the platform's "token expired" code.
  void ExpireTokens();
  // The code the platform's client hands the console for `user` (免登 / OAuth).
  void AddSignInCode(const std::string& code, const std::string& user);

  // The platform's side of a press on a button of `message`, by `user`. `key` is the button's
  // value as we sent it (WeCom key / Feishu value.key). `at_ms` stamps it (0 = now).
  FakeCallback Press(const FakeAppMessage& message, const std::string& user, const std::string& key,
                     std::int64_t at_ms = 0);
  // WeCom's URL check (GET with echostr) / Feishu's url_verification.
  FakeCallback UrlCheck(std::int64_t at_ms = 0);

  struct Impl;

 private:
  std::string kind_;
  FakeAppSettings settings_;
  std::shared_ptr<Impl> impl_;
  unsigned short port_ = 0;
};

// The buttons of a card the fake received: label -> value (WeCom key / Feishu value.key);
// buttons that open a URL map to "url:<url>".
std::map<std::string, std::string> CardButtons(const std::string& kind, const FakeAppMessage& m);

}  // namespace dixian::testing
