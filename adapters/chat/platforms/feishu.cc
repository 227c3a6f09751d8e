// Feishu (飞书): the custom group bot (kind "feishu") and the app bot (kind "feishu_app":
// interactive cards to one person, card.action.trigger callbacks with the Encrypt Key, the card
// replaced in the answer, sign-in codes).
// https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot (bot); im/v1/messages,
// event subscription "Encrypt Key" and card callbacks (app); see docs/channels.md for sources.
#include <charconv>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "adapters/chat/app.h"
#include "adapters/chat/crypto/ciphers.h"
#include "adapters/chat/crypto/feishu.h"
#include "adapters/chat/escape.h"
#include "adapters/chat/platform.h"
#include "adapters/chat/signer.h"

namespace dixian::chat::feishu {
namespace {

using nlohmann::json;

// Text messages turn <at user_id="..."></at> into mentions: the tag must not form. Rich text
// ("post") and cards carry text in their own elements (tag "text", "plain_text"), which
// Feishu shows literally, so they need nothing.
constexpr InertRules kText{"<>", "", false};

constexpr CodeRule kRules[] = {
    {11232, Verdict::kRateLimited, "frequency limited"},
    {9499, Verdict::kDead, "飞书请求格式或大小不合要求"},
    {19021, Verdict::kDead, "飞书机器人签名校验失败（签名不匹配或时间戳与当前时间相差超过1小时），请核对签名密钥"},
    {19022, Verdict::kDead, "飞书机器人IP白名单校验失败，请在机器人安全设置中添加本服务器出口IP"},
    {19024, Verdict::kDead, "飞书机器人自定义关键词校验失败，请在安全设置中添加模板里的关键词"},
};
constexpr std::string_view kCodeKeys[] = {"errcode", "code", "StatusCode"};

json PlainTextElement(const std::string& text) { return {{"tag", "plain_text"}, {"content", text}}; }

class FeishuBot final : public Platform {
 public:
  std::string_view kind() const override { return "feishu"; }
  // 100 a minute and 5 a second per bot; the whole body must stay under 20 KB.
  const PlatformLimits& limits() const override {
    static const PlatformLimits limits{
        {{100, 60000}, {5, 1000}}, RateLimiter::Widened(60000), 18000, 18000};
    return limits;
  }

  OutgoingRequest Build(const engine::Channel& channel, const Notice& n,
                        const SendContext& context) const override {
    const std::int64_t wall_now_ms = context.wall_now_ms;
    json body = Body(n);
    if (!channel.secret.empty()) {
      const std::int64_t seconds = wall_now_ms / 1000;
      body["timestamp"] = std::to_string(seconds);
      body["sign"] = FeishuSign(seconds, channel.secret);
    }
    return {channel.url, {{"Content-Type", "application/json; charset=utf-8"}}, body.dump(), "POST"};
  }

  Outcome Classify(int http_status, std::string_view body) const override {
    return ClassifyByCode(http_status, body, kCodeKeys, kRules);
  }

 private:
  json Body(const Notice& n) const {
    const PlatformLimits& lim = limits();
    if (n.format == "text") {
      std::string text = Inert(n.title, kText);
      for (const auto& line : n.lines) text += "\n" + Inert(line, kText);
      if (!n.link.empty()) text += "\n" + n.link;
      text = CutUtf8(text, lim.max_text_bytes);
      for (const auto& id : n.feishu_user_ids) text += " <at user_id=\"" + id + "\"></at>";
      return {{"msg_type", "text"}, {"content", {{"text", text}}}};
    }
    if (n.format == "card") return Card(n);
    // Rich text ("post"): one paragraph per line, then the link, then the @ tags.
    json content = json::array();
    std::size_t used = 0;
    for (const auto& line : n.lines) {
      if (used + line.size() > lim.max_markdown_bytes) break;
      used += line.size();
      content.push_back(json::array({{{"tag", "text"}, {"text", line}}}));
    }
    if (!n.link.empty()) {
      content.push_back(json::array({{{"tag", "a"}, {"text", "去处理"}, {"href", n.link}}}));
    }
    if (!n.feishu_user_ids.empty()) {
      json ats = json::array();
      for (const auto& id : n.feishu_user_ids) ats.push_back({{"tag", "at"}, {"user_id", id}});
      content.push_back(ats);
    }
    return {{"msg_type", "post"},
            {"content", {{"post", {{"zh_cn", {{"title", n.title}, {"content", content}}}}}}}};
  }

  json Card(const Notice& n) const {
    json elements = json::array();
    elements.push_back({{"tag", "div"},
                        {"text", PlainTextElement(CutUtf8(JoinLines(n, "\n"),
                                                          limits().max_markdown_bytes))}});
    if (!n.link.empty()) {
      elements.push_back({{"tag", "action"},
                          {"actions", json::array({{{"tag", "button"},
                                                    {"text", PlainTextElement("去处理")},
                                                    {"url", n.link},
                                                    {"type", "primary"}}})}});
    }
    return {{"msg_type", "interactive"},
            {"card", {{"header", {{"title", PlainTextElement(n.title)},
                                  {"template", n.urgent ? "red" : "blue"}}},
                      {"elements", elements}}}};
  }
};


// ---- the app bot ----

constexpr CodeRule kAppRules[] = {
    {99991400, Verdict::kRateLimited, "request trigger frequency limit"},
    {230013, Verdict::kDead, "飞书用户不在应用的可用范围内：请在开发者后台把该用户加入应用可用范围，或核对其 open_id（im.feishu）"},
    {230001, Verdict::kDead, "飞书接收者 open_id 无效：请核对该用户的飞书 open_id（im.feishu）"},
    {99991672, Verdict::kDead, "飞书应用缺少权限：请在开发者后台开通“以应用身份发消息”（im:message:send_as_bot）并发布版本"},
    {10003, Verdict::kDead, "飞书 app_id 无效：请核对应用凭证"},
    {10014, Verdict::kDead, "飞书 app_secret 无效：请核对应用凭证"},
};
constexpr std::string_view kAppCodeKeys[] = {"code"};
constexpr RateWindow kPersonWindows[] = {{5, 1000}};  // 5 a second per user or group
constexpr std::int64_t kReplayWindowS = 300;

long long Code(const nlohmann::json& j) {
  auto it = j.find("code");
  return j.is_object() && it != j.end() && it->is_number_integer() ? it->get<long long>() : -1;
}

DecodedCallback Refused(int status, std::string why) {
  DecodedCallback d;
  d.kind = DecodedCallback::Kind::kRefused;
  d.reply = {status, "application/json; charset=utf-8", R"({"msg":"refused"})"};
  d.why = std::move(why);
  return d;
}

std::string Header(const CallbackRequest& r, const char* name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? std::string() : it->second;
}

nlohmann::json Button(const std::string& label, const char* type) {
  return {{"tag", "button"}, {"text", PlainTextElement(label)}, {"type", type}};
}

class FeishuApp final : public Platform, public AppApi {
 public:
  std::string_view kind() const override { return "feishu_app"; }
  // 50 a second and 1000 a minute per app.
  const PlatformLimits& limits() const override {
    static const PlatformLimits limits{{{50, 1000}, {1000, 60000}}, RateLimiter::Widened(60000), 18000, 18000};
    return limits;
  }
  const AppApi* app() const override { return this; }

  std::string_view im_platform() const override { return "feishu"; }
  std::string_view default_api_base() const override { return "https://open.feishu.cn"; }
  std::vector<std::string_view> required_settings() const override {
    return {"app_id", "app_secret", "encrypt_key", "verification_token"};
  }
  std::span<const RateWindow> person_windows() const override { return kPersonWindows; }

  OutgoingRequest Build(const engine::Channel& channel, const Notice& n,
                        const SendContext& context) const override {
    nlohmann::json elements = nlohmann::json::array();
    elements.push_back({{"tag", "div"},
                        {"text", PlainTextElement(CutUtf8(JoinLines(n, "\n"), limits().max_markdown_bytes))}});
    nlohmann::json actions = nlohmann::json::array();
    for (const auto& a : n.actions) {
      if (a.needs_comment || n.case_id.empty()) {
        if (n.link.empty()) continue;
        nlohmann::json b = Button(a.label, "default");
        b["url"] = n.link;
        actions.push_back(std::move(b));
      } else {
        nlohmann::json b = Button(a.label, "primary");
        b["value"] = {{"key", ButtonKey(n.case_id, n.case_version, a.action, a.label)}, {"link", n.link}};
        actions.push_back(std::move(b));
      }
    }
    if (!n.link.empty()) {
      nlohmann::json view = Button("查看", "default");
      view["url"] = n.link;
      actions.push_back(std::move(view));
    }
    if (!actions.empty()) elements.push_back({{"tag", "action"}, {"actions", actions}});
    const nlohmann::json card = {
        {"config", {{"wide_screen_mode", true}}},
        {"header", {{"title", PlainTextElement(n.title)}, {"template", n.urgent ? "red" : "blue"}}},
        {"elements", elements}};
    const nlohmann::json body = {{"receive_id", n.to}, {"msg_type", "interactive"}, {"content", card.dump()}};
    return {ApiBase(channel, *this) + "/open-apis/im/v1/messages?receive_id_type=open_id",
            {{"Content-Type", "application/json; charset=utf-8"},
             {"Authorization", "Bearer " + context.access_token}},
            body.dump(), "POST"};
  }

  Outcome Classify(int http_status, std::string_view body) const override {
    return ClassifyByCode(http_status, body, kAppCodeKeys, kAppRules);
  }

  HttpRequest TokenRequest(const engine::Channel& channel) const override {
    return TokenCall(channel, "/open-apis/auth/v3/tenant_access_token/internal");
  }
  engine::Result<AccessToken> ParseToken(const HttpResponse& answer, std::int64_t now_ms) const override {
    return TokenFrom(answer, "tenant_access_token", now_ms);
  }
  // The sign-in call takes the app_access_token.
  HttpRequest SignInTokenRequest(const engine::Channel& channel) const override {
    return TokenCall(channel, "/open-apis/auth/v3/app_access_token/internal");
  }
  engine::Result<AccessToken> ParseSignInToken(const HttpResponse& answer, std::int64_t now_ms) const override {
    return TokenFrom(answer, "app_access_token", now_ms);
  }

  bool TokenRejected(const HttpResponse& answer) const override {
    const long long code = Code(nlohmann::json::parse(answer.body, nullptr, false));
    return code == 99991663 || code == 99991661 || code == 99991668;  // invalid / missing / expired
  }

  bool has_callbacks() const override { return true; }

  DecodedCallback DecodeCallback(const engine::Channel& channel, const CallbackRequest& request,
                                 std::int64_t wall_now_ms) const override {
    const std::string key = Setting(channel, "encrypt_key");
    if (request.method != "POST" || key.empty()) return Refused(405, "POST with an encrypt key only");
    const auto envelope = nlohmann::json::parse(request.body, nullptr, false);
    if (!envelope.is_object() || !envelope.contains("encrypt") || !envelope["encrypt"].is_string()) {
      return Refused(400, "not an encrypted callback");
    }
    const auto plain = crypto::FeishuDecrypt(key, envelope["encrypt"].get<std::string>());
    const auto event = plain ? nlohmann::json::parse(*plain, nullptr, false) : nlohmann::json();
    if (!event.is_object()) return Refused(401, "cannot decrypt (encrypt key)");
    const std::string token = Setting(channel, "verification_token");
    // The URL check carries no signature (Feishu's SDK checks its token only); echoing the
    // challenge to someone with our key and token tells them nothing new.
    if (event.value("type", "") == "url_verification") {
      if (!crypto::ConstantTimeEquals(event.value("token", ""), token)) {
        return Refused(401, "verification token does not match");
      }
      DecodedCallback d;
      d.kind = DecodedCallback::Kind::kAnswer;
      d.reply = {200, "application/json; charset=utf-8",
                 nlohmann::json{{"challenge", event.value("challenge", "")}}.dump()};
      return d;
    }
    const std::string timestamp = Header(request, "x-lark-request-timestamp");
    const std::string expected = crypto::FeishuSignature(timestamp, Header(request, "x-lark-request-nonce"),
                                                         key, request.body);
    if (!crypto::ConstantTimeEquals(expected, Header(request, "x-lark-signature"))) {
      return Refused(401, "X-Lark-Signature does not match");
    }
    long long ts = 0;
    const auto [end, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), ts);
    if (ec != std::errc() || end != timestamp.data() + timestamp.size() ||
        std::llabs(wall_now_ms / 1000 - ts) > kReplayWindowS) {
      return Refused(403, "timestamp outside 5 minutes (a replay?)");
    }
    const nlohmann::json& header = event.contains("header") ? event["header"] : nlohmann::json::object();
    if (!header.is_object() || !crypto::ConstantTimeEquals(header.value("token", ""), token)) {
      return Refused(401, "verification token does not match");
    }
    if (header.value("app_id", Setting(channel, "app_id")) != Setting(channel, "app_id")) {
      return Refused(403, "the event is for another app");
    }
    DecodedCallback d;
    d.kind = DecodedCallback::Kind::kAnswer;
    d.reply = {200, "application/json; charset=utf-8", "{}"};
    if (header.value("event_type", "") != "card.action.trigger") return d;
    const nlohmann::json& body = event.value("event", nlohmann::json::object());
    const std::string user = body.value("operator", nlohmann::json::object()).value("open_id", "");
    const std::string message = body.value("context", nlohmann::json::object()).value("open_message_id", "");
    const nlohmann::json value = body.value("action", nlohmann::json::object()).value("value", nlohmann::json::object());
    const auto button = ParseButtonKey(value.is_object() ? value.value("key", "") : "");
    if (!button || user.empty() || message.empty()) return Refused(400, "not one of our buttons");
    d.kind = DecodedCallback::Kind::kPress;
    d.press = {channel.id, "feishu", user, button->case_id, button->version, button->action,
               button->label, "feishu:" + channel.id + ":" + message + ":" + user, "", message,
               value.value("link", "")};
    return d;
  }

  // Answered within Feishu's 3 seconds: a toast and the card, replaced by what happened.
  CallbackReply PressReply(const engine::Channel&, const Press& press,
                           const PressOutcome& outcome) const override {
    const std::string summary = PressSummary(press, outcome);
    const bool done = outcome.result == PressResult::kDone;
    nlohmann::json elements = nlohmann::json::array({{{"tag", "div"}, {"text", PlainTextElement(summary)}}});
    if (!press.link.empty()) {
      nlohmann::json view = Button("查看", "default");
      view["url"] = press.link;
      elements.push_back({{"tag", "action"}, {"actions", nlohmann::json::array({view})}});
    }
    const nlohmann::json card = {
        {"config", {{"wide_screen_mode", true}}},
        {"header", {{"title", PlainTextElement("防返贫监测·" + summary)}, {"template", done ? "green" : "grey"}}},
        {"elements", elements}};
    const nlohmann::json reply = {{"toast", {{"type", done ? "success" : "warning"}, {"content", summary}}},
                                  {"card", {{"type", "raw"}, {"data", card}}}};
    return {200, "application/json; charset=utf-8", reply.dump()};
  }

  HttpRequest SignInRequest(const engine::Channel& channel, std::string_view code,
                            const std::string& token) const override {
    const nlohmann::json body = {{"grant_type", "authorization_code"}, {"code", code}};
    return {ApiBase(channel, *this) + "/open-apis/authen/v1/access_token",
            {{"Content-Type", "application/json; charset=utf-8"}, {"Authorization", "Bearer " + token}},
            body.dump(), "POST"};
  }

  engine::Result<std::string> ParseSignIn(const HttpResponse& answer) const override {
    const auto j = nlohmann::json::parse(answer.body, nullptr, false);
    if (Code(j) == 0 && j.contains("data") && j["data"].is_object()) {
      const std::string open_id = j["data"].value("open_id", "");
      if (!open_id.empty()) return open_id;
    }
    return engine::Error::Unauthenticated("飞书登录码无效或已过期，请重新打开");
  }

 private:
  HttpRequest TokenCall(const engine::Channel& channel, const char* path) const {
    const nlohmann::json body = {{"app_id", Setting(channel, "app_id")},
                                 {"app_secret", Setting(channel, "app_secret")}};
    return {ApiBase(channel, *this) + path, {{"Content-Type", "application/json; charset=utf-8"}},
            body.dump(), "POST"};
  }

  engine::Result<AccessToken> TokenFrom(const HttpResponse& answer, const char* field,
                                        std::int64_t now_ms) const {
    const auto j = nlohmann::json::parse(answer.body, nullptr, false);
    const long long code = Code(j);
    if (code == 0 && j.contains(field) && j[field].is_string()) {
      const std::int64_t expires_s = j.value("expire", 7200);
      return AccessToken{j[field].get<std::string>(), now_ms + (expires_s - 300) * 1000};
    }
    for (const CodeRule& rule : kAppRules) {
      if (rule.code == code && rule.verdict == Verdict::kDead) {
        return engine::Error::Unprocessable("app_token_refused", std::string(rule.reason) +
                                                                     "（错误码 " + std::to_string(code) + "）");
      }
    }
    return engine::Error::Unavailable("app_token_failed", "获取飞书 access token 失败（HTTP " +
                                                              std::to_string(answer.status) + "）");
  }
};
}  // namespace
}  // namespace dixian::chat::feishu

namespace dixian::chat {

void RegisterPlatforms_feishu(PlatformRegistry& registry) {
  registry.Add(std::make_unique<feishu::FeishuBot>());
  registry.Add(std::make_unique<feishu::FeishuApp>());
}

}  // namespace dixian::chat
