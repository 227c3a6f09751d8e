// WeCom (企业微信) group robot: kind "wecom".
// https://developer.work.weixin.qq.com/document/path/91770 (see docs/channels.md for sources)
#include <nlohmann/json.hpp>

#include "adapters/chat/escape.h"
#include "adapters/chat/platform.h"

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
                        std::int64_t /*wall_now_ms*/) const override {
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

}  // namespace
}  // namespace dixian::chat::wecom

namespace dixian::chat {

void RegisterPlatforms_wecom(PlatformRegistry& registry) {
  registry.Add(std::make_unique<wecom::WeComRobot>());
}

}  // namespace dixian::chat
