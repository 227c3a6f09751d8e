// Feishu (飞书) custom group bot: kind "feishu".
// https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot (see docs/channels.md)
#include <nlohmann/json.hpp>

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
                        std::int64_t wall_now_ms) const override {
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

}  // namespace
}  // namespace dixian::chat::feishu

namespace dixian::chat {

void RegisterPlatforms_feishu(PlatformRegistry& registry) {
  registry.Add(std::make_unique<feishu::FeishuBot>());
}

}  // namespace dixian::chat
