// DingTalk (钉钉): the custom group robot (kind "dingtalk") and the internal app's work notices
// (kind "dingtalk_app": an action card to one person whose buttons open the console; sign-in
// codes). https://open.dingtalk.com/document/group/custom-robot-access (robot),
// .../orgapp/asynchronous-sending-of-enterprise-session-messages (work notices); see
// docs/channels.md for sources.
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "adapters/chat/app.h"
#include "adapters/chat/escape.h"
#include "adapters/chat/platform.h"
#include "adapters/chat/signer.h"

namespace dixian::chat::dingtalk {
namespace {

using nlohmann::json;

// DingTalk markdown: headings, quotes and lists at a line start; links, images, emphasis, code
// and HTML anywhere.
constexpr InertRules kMarkdown{"[]()<>*_`~|\\", "#>-+*", true};

// Codes from DingTalk's documentation and reports; see docs/channels.md for sources.
constexpr CodeRule kRules[] = {
    {130101, Verdict::kRateLimited, "send too fast"},
    {310000, Verdict::kDead, "钉钉机器人安全设置校验失败（签名不匹配、时间戳无效、关键词不在内容中或IP不在白名单），请核对加签密钥与安全设置"},
    {300001, Verdict::kDead, "钉钉机器人 access_token 无效或机器人已被删除，请重新配置 Webhook 地址"},
    {400101, Verdict::kDead, "钉钉机器人 access_token 不存在，请重新配置 Webhook 地址"},
    {400102, Verdict::kDead, "钉钉机器人已停用，请在群设置中启用"},
};
constexpr std::string_view kCodeKeys[] = {"errcode", "code"};

std::string Markdown(const Notice& n) {
  std::string out = "### " + Inert(n.title, kMarkdown) + "\n\n";
  for (std::size_t i = 0; i < n.lines.size(); ++i) {
    if (i > 0) out += "\n\n";
    out += Inert(n.lines[i], kMarkdown);
  }
  return out;
}

class DingTalkRobot final : public Platform {
 public:
  std::string_view kind() const override { return "dingtalk"; }
  // 20 a minute per robot; over that, the robot is silenced for 10 minutes.
  const PlatformLimits& limits() const override {
    static const PlatformLimits limits{{{20, 60000}}, RateLimiter::Widened(600000), 20000, 20000};
    return limits;
  }

  OutgoingRequest Build(const engine::Channel& channel, const Notice& notice,
                        const SendContext& context) const override {
    const std::int64_t wall_now_ms = context.wall_now_ms;
    OutgoingRequest req{channel.url, {{"Content-Type", "application/json; charset=utf-8"}}, "", "POST"};
    if (!channel.secret.empty()) {
      req.url = WithQuery(req.url, "timestamp=" + std::to_string(wall_now_ms) + "&sign=" +
                                       UrlEncode(DingTalkSign(wall_now_ms, channel.secret)));
    }
    req.body = Body(notice).dump();
    return req;
  }

  Outcome Classify(int http_status, std::string_view body) const override {
    return ClassifyByCode(http_status, body, kCodeKeys, kRules);
  }

 private:
  json Body(const Notice& n) const {
    const PlatformLimits& lim = limits();
    json at = {{"atMobiles", n.mobiles}, {"isAtAll", false}};
    std::string mention_tail;  // DingTalk highlights @mobile in the text only if written there
    for (const auto& m : n.mobiles) mention_tail += " @" + m;
    if (n.format == "text") {
      std::string text = CutUtf8(PlainText(n), lim.max_text_bytes - mention_tail.size());
      return {{"msgtype", "text"}, {"text", {{"content", text + mention_tail}}}, {"at", at}};
    }
    std::string md = Markdown(n);
    const std::string link = MarkupUrl(n.link);
    // actionCard cannot @ anyone: a notice that must @ someone goes as markdown.
    if (n.format == "card" && n.mobiles.empty() && !n.link.empty()) {
      return {{"msgtype", "actionCard"},
              {"actionCard",
               {{"title", n.title},
                {"text", CutUtf8(md, lim.max_markdown_bytes)},
                {"singleTitle", "去处理"},
                {"singleURL", link}}}};
    }
    const std::string link_md = n.link.empty() ? "" : "\n\n[去处理](" + link + ")";
    md = CutUtf8(md, lim.max_markdown_bytes - link_md.size() - mention_tail.size() - 2);
    if (!mention_tail.empty()) mention_tail = "\n\n" + mention_tail.substr(1);
    return {{"msgtype", "markdown"},
            {"markdown", {{"title", n.title}, {"text", md + link_md + mention_tail}}},
            {"at", at}};
  }
};


// ---- the internal app's work notices ----

constexpr CodeRule kAppRules[] = {
    {33012, Verdict::kDead, "钉钉 userid 无效：请核对该用户的钉钉 userid（im.dingtalk）"},
    {40089, Verdict::kDead, "钉钉应用 AppKey 或 AppSecret 无效：请核对应用凭证"},
    {90018, Verdict::kRateLimited, "超过频率限制"},
};
constexpr std::string_view kAppCodeKeys[] = {"errcode"};
// Per person per app: 500 work notices a day; the same content to the same person is shown
// once a day (each notice carries its own number, so none is swallowed).
constexpr RateWindow kPersonWindows[] = {{500, 24 * 3600000}};

long long ErrCode(const nlohmann::json& j) {
  auto it = j.find("errcode");
  return j.is_object() && it != j.end() && it->is_number_integer() ? it->get<long long>() : -1;
}

class DingTalkApp final : public Platform, public AppApi {
 public:
  std::string_view kind() const override { return "dingtalk_app"; }
  const PlatformLimits& limits() const override {
    static const PlatformLimits limits{{}, RateLimiter::Widened(60000), 5000, 5000};
    return limits;
  }
  const AppApi* app() const override { return this; }

  std::string_view im_platform() const override { return "dingtalk"; }
  std::string_view default_api_base() const override { return "https://oapi.dingtalk.com"; }
  std::vector<std::string_view> required_settings() const override {
    return {"app_key", "app_secret", "agent_id"};
  }
  engine::Status CheckSettings(const std::map<std::string, std::string>& app) const override {
    const std::string& agent = app.at("agent_id");
    if (agent.find_first_not_of("0123456789") != std::string::npos || agent.size() > 12) {
      return engine::Error::Unprocessable("bad_app_config", "app.agent_id 应为钉钉应用的 AgentId（数字）");
    }
    return engine::OkStatus();
  }
  std::span<const RateWindow> person_windows() const override { return kPersonWindows; }

  OutgoingRequest Build(const engine::Channel& channel, const Notice& n,
                        const SendContext& context) const override {
    std::string md = Markdown(n) + "\n\n编号 " + n.message_id;
    md = CutUtf8(md, limits().max_markdown_bytes);
    nlohmann::json msg;
    if (n.link.empty()) {
      msg = {{"msgtype", "markdown"}, {"markdown", {{"title", n.title}, {"text", md}}}};
    } else {
      nlohmann::json buttons = nlohmann::json::array();
      for (const auto& a : n.actions) buttons.push_back({{"title", a.label}, {"action_url", n.link}});
      buttons.push_back({{"title", "查看"}, {"action_url", n.link}});
      msg = {{"msgtype", "action_card"},
             {"action_card",
              {{"title", n.title}, {"markdown", md}, {"btn_orientation", "1"}, {"btn_json_list", buttons}}}};
    }
    const nlohmann::json body = {{"agent_id", std::atoll(Setting(channel, "agent_id").c_str())},
                                 {"userid_list", n.to},
                                 {"msg", msg}};
    return {ApiBase(channel, *this) + "/topapi/message/corpconversation/asyncsend_v2?access_token=" +
                UrlEncode(context.access_token),
            {{"Content-Type", "application/json; charset=utf-8"}}, body.dump(), "POST"};
  }

  Outcome Classify(int http_status, std::string_view body) const override {
    return ClassifyByCode(http_status, body, kAppCodeKeys, kAppRules);
  }

  HttpRequest TokenRequest(const engine::Channel& channel) const override {
    return {ApiBase(channel, *this) + "/gettoken?appkey=" + UrlEncode(Setting(channel, "app_key")) +
                "&appsecret=" + UrlEncode(Setting(channel, "app_secret")),
            {}, "", "GET"};
  }

  engine::Result<AccessToken> ParseToken(const HttpResponse& answer, std::int64_t now_ms) const override {
    const auto j = nlohmann::json::parse(answer.body, nullptr, false);
    const long long code = ErrCode(j);
    if (code == 0 && j.contains("access_token") && j["access_token"].is_string()) {
      const std::int64_t expires_s = j.value("expires_in", 7200);
      return AccessToken{j["access_token"].get<std::string>(), now_ms + (expires_s - 300) * 1000};
    }
    if (code == 40089 || code == 40001 || code == 40013) {
      return engine::Error::Unprocessable("app_token_refused", "钉钉应用 AppKey 或 AppSecret 无效：请核对应用凭证（错误码 " +
                                                                   std::to_string(code) + "）");
    }
    return engine::Error::Unavailable("app_token_failed", "获取钉钉 access_token 失败（HTTP " +
                                                              std::to_string(answer.status) + "）");
  }

  bool TokenRejected(const HttpResponse& answer) const override {
    const long long code = ErrCode(nlohmann::json::parse(answer.body, nullptr, false));
    return code == 40014 || code == 42001 || code == 88;  // invalid / expired / illegal token
  }

  HttpRequest SignInRequest(const engine::Channel& channel, std::string_view code,
                            const std::string& token) const override {
    return {ApiBase(channel, *this) + "/topapi/v2/user/getuserinfo?access_token=" + UrlEncode(token),
            {{"Content-Type", "application/json; charset=utf-8"}},
            nlohmann::json{{"code", code}}.dump(), "POST"};
  }

  engine::Result<std::string> ParseSignIn(const HttpResponse& answer) const override {
    const auto j = nlohmann::json::parse(answer.body, nullptr, false);
    if (ErrCode(j) == 0 && j.contains("result") && j["result"].is_object()) {
      const std::string userid = j["result"].value("userid", "");
      if (!userid.empty()) return userid;
    }
    return engine::Error::Unauthenticated("钉钉免登码无效或已过期，请重新打开");
  }
};
}  // namespace
}  // namespace dixian::chat::dingtalk

namespace dixian::chat {

void RegisterPlatforms_dingtalk(PlatformRegistry& registry) {
  registry.Add(std::make_unique<dingtalk::DingTalkRobot>());
  registry.Add(std::make_unique<dingtalk::DingTalkApp>());
}

}  // namespace dixian::chat
