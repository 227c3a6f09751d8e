// DingTalk (钉钉) custom group robot: kind "dingtalk".
// https://open.dingtalk.com/document/group/custom-robot-access (see docs/channels.md for sources)
#include <nlohmann/json.hpp>

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
                        std::int64_t wall_now_ms) const override {
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

}  // namespace
}  // namespace dixian::chat::dingtalk

namespace dixian::chat {

void RegisterPlatforms_dingtalk(PlatformRegistry& registry) {
  registry.Add(std::make_unique<dingtalk::DingTalkRobot>());
}

}  // namespace dixian::chat
