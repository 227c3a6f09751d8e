#include "adapters/webhook/platform.h"

#include <nlohmann/json.hpp>

#include "adapters/webhook/mask.h"
#include "adapters/webhook/signer.h"

namespace dixian::webhook {
namespace {

using nlohmann::json;

std::string JoinLines(const Notice& n, std::string_view sep) {
  std::string out;
  for (const auto& line : n.lines) {
    if (!out.empty()) out += sep;
    out += line;
  }
  return out;
}

std::string PlainText(const Notice& n) {
  std::string out = n.title + "\n" + JoinLines(n, "\n");
  if (!n.link.empty()) out += "\n" + n.link;
  return out;
}

std::string Markdown(const Notice& n) {
  std::string out = "### " + n.title + "\n\n" + JoinLines(n, "\n\n");
  return out;
}

std::string MarkdownLink(const Notice& n, const std::string& label) {
  return n.link.empty() ? "" : "\n\n[" + label + "](" + n.link + ")";
}

json DingTalkBody(const Notice& n) {
  const PlatformLimits lim = LimitsFor("dingtalk");
  json at = {{"atMobiles", n.mobiles}, {"isAtAll", false}};
  std::string mention_tail;  // DingTalk highlights @mobile in the text only if it is written there
  for (const auto& m : n.mobiles) mention_tail += " @" + m;
  const bool card = n.format == "card" && n.mobiles.empty() && !n.link.empty();
  if (n.format == "text") {
    std::string text = CutUtf8(PlainText(n), lim.max_text_bytes - mention_tail.size());
    return {{"msgtype", "text"}, {"text", {{"content", text + mention_tail}}}, {"at", at}};
  }
  std::string md = Markdown(n);
  if (card) {
    md = CutUtf8(md, lim.max_markdown_bytes);
    return {{"msgtype", "actionCard"},
            {"actionCard",
             {{"title", n.title}, {"text", md}, {"singleTitle", "去处理"}, {"singleURL", n.link}}}};
  }
  const std::string link = MarkdownLink(n, "去处理");
  md = CutUtf8(md, lim.max_markdown_bytes - link.size() - mention_tail.size() - 2);
  if (!mention_tail.empty()) mention_tail = "\n\n" + mention_tail.substr(1);
  return {{"msgtype", "markdown"},
          {"markdown", {{"title", n.title}, {"text", md + link + mention_tail}}},
          {"at", at}};
}

json WeComBody(const Notice& n) {
  const PlatformLimits lim = LimitsFor("wecom");
  // mentioned_mobile_list works with text messages only, so a notice that @s people is text.
  if (n.format == "text" || !n.mobiles.empty()) {
    return {{"msgtype", "text"},
            {"text",
             {{"content", CutUtf8(PlainText(n), lim.max_text_bytes)},
              {"mentioned_mobile_list", n.mobiles}}}};
  }
  const std::string link = n.link.empty() ? "" : "\n[去处理](" + n.link + ")";
  std::string md = "**" + n.title + "**\n" + JoinLines(n, "\n");
  md = CutUtf8(md, lim.max_markdown_bytes - link.size()) + link;
  return {{"msgtype", "markdown"}, {"markdown", {{"content", md}}}};
}

json FeishuBody(const Notice& n) {
  const PlatformLimits lim = LimitsFor("feishu");
  if (n.format == "text") {
    std::string text = CutUtf8(PlainText(n), lim.max_text_bytes);
    for (const auto& id : n.feishu_user_ids) text += " <at user_id=\"" + id + "\"></at>";
    return {{"msg_type", "text"}, {"content", {{"text", text}}}};
  }
  if (n.format == "card") {
    json elements = json::array();
    elements.push_back({{"tag", "div"},
                        {"text", {{"tag", "lark_md"},
                                  {"content", CutUtf8(JoinLines(n, "\n"), lim.max_markdown_bytes)}}}});
    if (!n.link.empty()) {
      elements.push_back({{"tag", "action"},
                          {"actions", json::array({{{"tag", "button"},
                                                    {"text", {{"tag", "plain_text"}, {"content", "去处理"}}},
                                                    {"url", n.link},
                                                    {"type", "primary"}}})}});
    }
    return {{"msg_type", "interactive"},
            {"card", {{"header", {{"title", {{"tag", "plain_text"}, {"content", n.title}}},
                                  {"template", n.urgent ? "red" : "blue"}}},
                      {"elements", elements}}}};
  }
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

json GenericBody(const Notice& n) {
  json masked = json::array();
  for (const auto& m : n.mobiles) masked.push_back(MaskMobile(m));
  return {{"message_id", n.message_id}, {"kind", n.kind},    {"title", n.title},
          {"lines", n.lines},           {"link", n.link},    {"mentions", masked},
          {"urgent", n.urgent}};
}

}  // namespace

PlatformLimits LimitsFor(std::string_view kind) {
  constexpr std::int64_t kMinute = 60000;
  // DingTalk: 20 a minute per robot; over that, the robot is silenced for 10 minutes.
  if (kind == "dingtalk") return {{{20, kMinute}}, RateLimiter::Widened(10 * kMinute), 20000, 20000};
  if (kind == "wecom") return {{{20, kMinute}}, RateLimiter::Widened(kMinute), 2048, 4096};
  // Feishu: the whole body must stay under 20 KB.
  if (kind == "feishu") {
    return {{{100, kMinute}, {5, 1000}}, RateLimiter::Widened(kMinute), 18000, 18000};
  }
  return {{}, RateLimiter::Widened(kMinute), 60000, 60000};
}

bool IsKnownKind(std::string_view kind) {
  return kind == "dingtalk" || kind == "wecom" || kind == "feishu" || kind == "webhook";
}

std::size_t ContentBudget(std::string_view kind, std::string_view format) {
  const PlatformLimits lim = LimitsFor(kind);
  if (kind == "wecom") return format == "text" ? lim.max_text_bytes : lim.max_markdown_bytes;
  return format == "text" ? lim.max_text_bytes : lim.max_markdown_bytes;
}

OutgoingRequest BuildRequest(const engine::Channel& channel, const Notice& notice,
                             std::int64_t wall_now_ms) {
  OutgoingRequest req;
  req.url = channel.url;
  req.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  json body;
  if (channel.kind == "dingtalk") {
    body = DingTalkBody(notice);
    if (!channel.secret.empty()) {
      req.url += (req.url.find('?') == std::string::npos ? "?" : "&");
      req.url += "timestamp=" + std::to_string(wall_now_ms) +
                 "&sign=" + UrlEncode(DingTalkSign(wall_now_ms, channel.secret));
    }
  } else if (channel.kind == "wecom") {
    body = WeComBody(notice);
  } else if (channel.kind == "feishu") {
    body = FeishuBody(notice);
    if (!channel.secret.empty()) {
      const std::int64_t seconds = wall_now_ms / 1000;
      body["timestamp"] = std::to_string(seconds);
      body["sign"] = FeishuSign(seconds, channel.secret);
    }
  } else {
    body = GenericBody(notice);
  }
  req.body = body.dump();
  if (channel.kind == "webhook") {
    req.headers.emplace_back(std::string(kMessageIdHeader), notice.message_id);
    if (!channel.secret.empty()) {
      req.headers.emplace_back(std::string(kSignatureHeader),
                               GenericSignature(channel.secret, req.body));
    }
  }
  return req;
}

}  // namespace dixian::webhook
