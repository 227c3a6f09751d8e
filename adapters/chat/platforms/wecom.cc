// WeCom (企业微信): the group robot (kind "wecom") and the self-built app (kind "wecom_app":
// messages to one member, button_interaction template cards whose presses come back encrypted
// to /callbacks/{channel_id}, card updates, sign-in codes).
// https://developer.work.weixin.qq.com/document/path/91770 (robot), 90236 (app messages),
// 90930/90968 (callbacks and their encryption); see docs/channels.md for sources.
#include <charconv>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "adapters/chat/app.h"
#include "adapters/chat/crypto/wecom.h"
#include "adapters/chat/escape.h"
#include "adapters/chat/mask.h"
#include "adapters/chat/platform.h"
#include "adapters/chat/signer.h"

namespace dixian::chat::wecom {
namespace {

using nlohmann::json;

// WeCom markdown: headings and quotes at a line start; links, bold, code, <font> and <@userid>
// mentions anywhere.
constexpr InertRules kMarkdown{"[]()<>*_`~|\\", "#>-+*", true};

constexpr CodeRule kRules[] = {
    {45009, Verdict::kRateLimited, "api freq out of limit"},
    {93000, Verdict::kDead, "企业微信群机器人 Webhook 地址无效（key 错误或机器人已删除），请重新配置"},
    {93004, Verdict::kDead, "企业微信群机器人已被停用，请在群设置中启用"},
    {40001, Verdict::kDead, "企业微信群机器人 key 无效，请重新配置 Webhook 地址"},
    {40058, Verdict::kDead, "企业微信消息内容超过长度限制"},
};
constexpr std::string_view kCodeKeys[] = {"errcode", "code"};

class WeComRobot final : public Platform {
 public:
  std::string_view kind() const override { return "wecom"; }
  const PlatformLimits& limits() const override {
    static const PlatformLimits limits{{{20, 60000}}, RateLimiter::Widened(60000), 2048, 4096};
    return limits;
  }

  // The key in the URL is the credential: no signature.
  OutgoingRequest Build(const engine::Channel& channel, const Notice& n,
                        const SendContext& /*context*/) const override {
    return {channel.url, {{"Content-Type", "application/json; charset=utf-8"}}, Body(n).dump(),
            "POST"};
  }

  Outcome Classify(int http_status, std::string_view body) const override {
    return ClassifyByCode(http_status, body, kCodeKeys, kRules);
  }

 private:
  json Body(const Notice& n) const {
    const PlatformLimits& lim = limits();
    // mentioned_mobile_list works with text messages only, so a notice that @s people is text.
    if (n.format == "text" || !n.mobiles.empty()) {
      return {{"msgtype", "text"},
              {"text",
               {{"content", CutUtf8(PlainText(n), lim.max_text_bytes)},
                {"mentioned_mobile_list", n.mobiles}}}};
    }
    const std::string link = n.link.empty() ? "" : "\n[去处理](" + MarkupUrl(n.link) + ")";
    std::string md = "**" + Inert(n.title, kMarkdown) + "**";
    for (const auto& line : n.lines) md += "\n" + Inert(line, kMarkdown);
    md = CutUtf8(md, lim.max_markdown_bytes - link.size()) + link;
    return {{"msgtype", "markdown"}, {"markdown", {{"content", md}}}};
  }
};


// ---- the self-built app ----

constexpr CodeRule kAppRules[] = {
    {45009, Verdict::kRateLimited, "api freq out of limit"},
    {45033, Verdict::kRateLimited, "api concurrent out of limit"},
    {60020, Verdict::kDead, "企业微信拒绝了本服务器的出口IP：请在应用的“企业可信IP”中加入它"},
    {81013, Verdict::kDead, "企业微信成员账号无效或不在应用可见范围：请核对该用户的企业微信账号（im.wecom）"},
    {40056, Verdict::kDead, "企业微信应用 agent_id 无效：请核对应用的 AgentId"},
    {40013, Verdict::kDead, "企业微信 corp_id 无效：请核对企业ID"},
    {40001, Verdict::kDead, "企业微信应用 Secret 无效：请核对应用的 Secret"},
};
constexpr std::string_view kAppCodeKeys[] = {"errcode"};
// Per member per app: 30 a minute and 1000 an hour; the excess is dropped without an error.
constexpr RateWindow kPersonWindows[] = {{30, 60000}, {1000, 3600000}};
constexpr std::int64_t kReplayWindowS = 300;  // callbacks older or newer than this are refused

long long JsonCode(const nlohmann::json& j) {
  auto it = j.find("errcode");
  return it != j.end() && it->is_number_integer() ? it->get<long long>() : -1;
}

int AgentId(const engine::Channel& channel) { return std::atoi(Setting(channel, "agent_id").c_str()); }

DecodedCallback Refused(int status, std::string why) {
  DecodedCallback d;
  d.kind = DecodedCallback::Kind::kRefused;
  d.reply = {status, "text/plain; charset=utf-8", status == 401 ? "signature mismatch" : "refused"};
  d.why = std::move(why);
  return d;
}

class WeComApp final : public Platform, public AppApi {
 public:
  std::string_view kind() const override { return "wecom_app"; }
  const PlatformLimits& limits() const override {
    static const PlatformLimits limits{{}, RateLimiter::Widened(60000), 2048, 2048};
    return limits;
  }
  const AppApi* app() const override { return this; }

  std::string_view im_platform() const override { return "wecom"; }
  std::string_view default_api_base() const override { return "https://qyapi.weixin.qq.com"; }
  std::vector<std::string_view> required_settings() const override {
    return {"corp_id", "corp_secret", "agent_id", "callback_token", "encoding_aes_key"};
  }
  engine::Status CheckSettings(const std::map<std::string, std::string>& app) const override {
    const std::string& agent = app.at("agent_id");
    if (agent.find_first_not_of("0123456789") != std::string::npos || agent.size() > 10) {
      return engine::Error::Unprocessable("bad_app_config", "app.agent_id 应为企业微信应用的 AgentId（数字）");
    }
    auto crypt = crypto::WeComCrypt::Make(app.at("callback_token"), app.at("encoding_aes_key"),
                                          app.at("corp_id"));
    if (!crypt.ok()) return crypt.error();
    return engine::OkStatus();
  }
  std::span<const RateWindow> person_windows() const override { return kPersonWindows; }

  OutgoingRequest Build(const engine::Channel& channel, const Notice& n,
                        const SendContext& context) const override {
    nlohmann::json card = {{"source", {{"desc", "防返贫监测"}}},
                           {"main_title", {{"title", CutUtf8(n.title, 108)}}},
                           {"sub_title_text", CutUtf8(JoinLines(n, "\n"), 336)}};
    if (!n.link.empty()) card["card_action"] = {{"type", 1}, {"url", n.link}};
    // A task id is unique per attempt: a retry after a lost answer is a new card, not a clash.
    card["task_id"] = "dx-" + n.message_id + "-" + std::to_string(context.wall_now_ms);
    nlohmann::json buttons = nlohmann::json::array();
    for (const auto& a : n.actions) {
      if (a.needs_comment || n.case_id.empty()) {
        if (!n.link.empty()) buttons.push_back({{"type", 1}, {"text", a.label}, {"style", 2}, {"url", n.link}});
      } else {
        buttons.push_back({{"text", a.label}, {"style", 1},
                           {"key", ButtonKey(n.case_id, n.case_version, a.action, a.label)}});
      }
    }
    if (!buttons.empty()) {
      if (!n.link.empty()) buttons.push_back({{"type", 1}, {"text", "查看"}, {"style", 4}, {"url", n.link}});
      card["card_type"] = "button_interaction";
      card["button_list"] = buttons;
    } else {
      card["card_type"] = "text_notice";
      if (!n.link.empty()) card["jump_list"] = nlohmann::json::array({{{"type", 1}, {"title", "查看"}, {"url", n.link}}});
    }
    const nlohmann::json body = {{"touser", n.to},
                                 {"msgtype", "template_card"},
                                 {"agentid", AgentId(channel)},
                                 {"template_card", card}};
    return {ApiBase(channel, *this) + "/cgi-bin/message/send?access_token=" + UrlEncode(context.access_token),
            {{"Content-Type", "application/json; charset=utf-8"}}, body.dump(), "POST"};
  }

  Outcome Classify(int http_status, std::string_view body) const override {
    Outcome o = ClassifyByCode(http_status, body, kAppCodeKeys, kAppRules);
    if (o.verdict != Verdict::kDelivered) return o;
    // errcode 0 with invaliduser: that member got nothing.
    const auto j = nlohmann::json::parse(body, nullptr, false);
    const std::string invalid = j.is_object() ? j.value("invaliduser", "") : "";
    if (!invalid.empty()) {
      return {Verdict::kDead, "企业微信成员账号无效或不在应用可见范围（" + MaskText(invalid) +
                                  "）：请核对该用户的企业微信账号（im.wecom）"};
    }
    return o;
  }

  HttpRequest TokenRequest(const engine::Channel& channel) const override {
    return {ApiBase(channel, *this) + "/cgi-bin/gettoken?corpid=" + UrlEncode(Setting(channel, "corp_id")) +
                "&corpsecret=" + UrlEncode(Setting(channel, "corp_secret")),
            {}, "", "GET"};
  }

  engine::Result<AccessToken> ParseToken(const HttpResponse& answer, std::int64_t now_ms) const override {
    const auto j = nlohmann::json::parse(answer.body, nullptr, false);
    const long long code = j.is_object() ? JsonCode(j) : -1;
    if (code == 0 && j.contains("access_token") && j["access_token"].is_string()) {
      const std::int64_t expires_s = j.value("expires_in", 7200);
      return AccessToken{j["access_token"].get<std::string>(), now_ms + (expires_s - 300) * 1000};
    }
    for (const CodeRule& rule : kAppRules) {
      if (rule.code == code && rule.verdict == Verdict::kDead) {
        return engine::Error::Unprocessable("app_token_refused", std::string(rule.reason) +
                                                                     "（错误码 " + std::to_string(code) + "）");
      }
    }
    return engine::Error::Unavailable("app_token_failed", "获取企业微信 access_token 失败（HTTP " +
                                                              std::to_string(answer.status) + "）");
  }

  bool TokenRejected(const HttpResponse& answer) const override {
    const auto j = nlohmann::json::parse(answer.body, nullptr, false);
    const long long code = j.is_object() ? JsonCode(j) : -1;
    return code == 42001 || code == 40014;  // access_token expired / invalid
  }

  bool has_callbacks() const override { return true; }

  DecodedCallback DecodeCallback(const engine::Channel& channel, const CallbackRequest& request,
                                 std::int64_t wall_now_ms) const override {
    auto crypt = crypto::WeComCrypt::Make(Setting(channel, "callback_token"),
                                          Setting(channel, "encoding_aes_key"),
                                          Setting(channel, "corp_id"));
    if (!crypt.ok()) return Refused(403, "the channel's callback settings are not valid");
    auto param = [&](const char* name) {
      auto it = request.query.find(name);
      return it == request.query.end() ? std::string() : it->second;
    };
    const std::string timestamp = param("timestamp"), nonce = param("nonce"),
                      signature = param("msg_signature");
    long long ts = 0;
    const auto [end, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), ts);
    if (ec != std::errc() || end != timestamp.data() + timestamp.size() ||
        std::llabs(wall_now_ms / 1000 - ts) > kReplayWindowS) {
      return Refused(403, "timestamp missing or outside 5 minutes (a replay?)");
    }
    const bool url_check = request.method == "GET";
    const std::optional<std::string> encrypted =
        url_check ? std::optional<std::string>(param("echostr")) : crypto::XmlField(request.body, "Encrypt");
    if (!encrypted || encrypted->empty()) return Refused(400, "no encrypted content");
    if (!crypt->SignatureMatches(signature, timestamp, nonce, *encrypted)) {
      return Refused(401, "msg_signature does not match");
    }
    const auto plain = crypt->Decrypt(*encrypted);
    if (!plain) return Refused(401, "cannot decrypt (key or corp id)");
    DecodedCallback d;
    d.kind = DecodedCallback::Kind::kAnswer;
    if (url_check) {  // the URL check: echo the decrypted echostr
      d.reply.body = *plain;
      return d;
    }
    if (crypto::XmlField(*plain, "Event") != "template_card_event") return d;  // nothing to do
    if (crypto::XmlField(*plain, "AgentID").value_or("") != Setting(channel, "agent_id")) {
      return Refused(403, "the event is for another agent");
    }
    const auto value = ParseButtonKey(crypto::XmlField(*plain, "EventKey").value_or(""));
    const std::string user = crypto::XmlField(*plain, "FromUserName").value_or("");
    const std::string task = crypto::XmlField(*plain, "TaskId").value_or("");
    if (!value || user.empty() || task.empty()) return Refused(400, "not one of our buttons");
    d.kind = DecodedCallback::Kind::kPress;
    d.press = {channel.id, "wecom", user, value->case_id, value->version, value->action, value->label,
               "wecom:" + channel.id + ":" + task + ":" + user,
               crypto::XmlField(*plain, "ResponseCode").value_or(""), task, ""};
    return d;
  }

  // WeCom takes an empty answer; the card is updated by update_template_card afterwards.
  CallbackReply PressReply(const engine::Channel&, const Press&, const PressOutcome&) const override {
    return {};
  }

  std::optional<HttpRequest> CardUpdate(const engine::Channel& channel, const Press& press,
                                        const PressOutcome& outcome,
                                        const std::string& token) const override {
    if (press.response_code.empty()) return std::nullopt;
    const nlohmann::json body = {{"userids", {press.user}},
                                 {"agentid", AgentId(channel)},
                                 {"response_code", press.response_code},
                                 {"button", {{"replace_name", PressSummary(press, outcome)}}}};
    return HttpRequest{ApiBase(channel, *this) + "/cgi-bin/message/update_template_card?access_token=" +
                           UrlEncode(token),
                       {{"Content-Type", "application/json; charset=utf-8"}}, body.dump(), "POST"};
  }

  HttpRequest SignInRequest(const engine::Channel& channel, std::string_view code,
                            const std::string& token) const override {
    return {ApiBase(channel, *this) + "/cgi-bin/auth/getuserinfo?access_token=" + UrlEncode(token) +
                "&code=" + UrlEncode(code),
            {}, "", "GET"};
  }

  engine::Result<std::string> ParseSignIn(const HttpResponse& answer) const override {
    const auto j = nlohmann::json::parse(answer.body, nullptr, false);
    if (j.is_object() && JsonCode(j) == 0) {
      for (const char* key : {"userid", "UserId"}) {
        if (j.contains(key) && j[key].is_string() && !j[key].get<std::string>().empty()) {
          return j[key].get<std::string>();
        }
      }
      return engine::Error::Forbidden("该企业微信账号不是本企业成员，无法登录");
    }
    return engine::Error::Unauthenticated("企业微信登录码无效或已过期，请重新打开");
  }
};
}  // namespace
}  // namespace dixian::chat::wecom

namespace dixian::chat {

void RegisterPlatforms_wecom(PlatformRegistry& registry) {
  registry.Add(std::make_unique<wecom::WeComRobot>());
  registry.Add(std::make_unique<wecom::WeComApp>());
}

}  // namespace dixian::chat
