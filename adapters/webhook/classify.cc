#include "adapters/webhook/classify.h"

#include <optional>

#include <nlohmann/json.hpp>

namespace dixian::webhook {
namespace {

struct CodeRule {
  std::string_view kind;
  long long code;
  Verdict verdict;
  std::string_view reason;
};

// Codes from the platforms' documentation and reports; see docs/channels.md for sources.
constexpr CodeRule kRules[] = {
    {"dingtalk", 130101, Verdict::kRateLimited, "send too fast"},
    {"dingtalk", 310000, Verdict::kDead, "钉钉机器人安全设置校验失败（签名不匹配、时间戳无效、关键词不在内容中或IP不在白名单），请核对加签密钥与安全设置"},
    {"dingtalk", 300001, Verdict::kDead, "钉钉机器人 access_token 无效或机器人已被删除，请重新配置 Webhook 地址"},
    {"dingtalk", 400101, Verdict::kDead, "钉钉机器人 access_token 不存在，请重新配置 Webhook 地址"},
    {"dingtalk", 400102, Verdict::kDead, "钉钉机器人已停用，请在群设置中启用"},
    {"wecom", 45009, Verdict::kRateLimited, "api freq out of limit"},
    {"wecom", 93000, Verdict::kDead, "企业微信群机器人 Webhook 地址无效（key 错误或机器人已删除），请重新配置"},
    {"wecom", 93004, Verdict::kDead, "企业微信群机器人已被停用，请在群设置中启用"},
    {"wecom", 40001, Verdict::kDead, "企业微信群机器人 key 无效，请重新配置 Webhook 地址"},
    {"wecom", 40058, Verdict::kDead, "企业微信消息内容超过长度限制"},
    {"feishu", 11232, Verdict::kRateLimited, "frequency limited"},
    {"feishu", 9499, Verdict::kDead, "飞书请求格式或大小不合要求"},
    {"feishu", 19021, Verdict::kDead, "飞书机器人签名校验失败（签名不匹配或时间戳与当前时间相差超过1小时），请核对签名密钥"},
    {"feishu", 19022, Verdict::kDead, "飞书机器人IP白名单校验失败，请在机器人安全设置中添加本服务器出口IP"},
    {"feishu", 19024, Verdict::kDead, "飞书机器人自定义关键词校验失败，请在安全设置中添加模板里的关键词"},
};

std::optional<long long> BodyCode(std::string_view kind, const nlohmann::json& j) {
  if (!j.is_object()) return std::nullopt;
  const char* const keys[] = {"errcode", "code", "StatusCode"};
  for (const char* key : keys) {
    if (kind != "feishu" && std::string_view(key) == "StatusCode") continue;
    auto it = j.find(key);
    if (it != j.end() && it->is_number_integer()) return it->get<long long>();
  }
  return std::nullopt;
}

std::string BodyMessage(const nlohmann::json& j) {
  for (const char* key : {"errmsg", "msg", "StatusMessage", "message"}) {
    auto it = j.find(key);
    if (it != j.end() && it->is_string()) return it->get<std::string>();
  }
  return {};
}

Outcome FromStatus(int http_status, std::string_view body) {
  if (http_status >= 200 && http_status < 300) return {Verdict::kDelivered, ""};
  if (http_status == 429) return {Verdict::kRateLimited, "HTTP 429"};
  if (http_status >= 500) return {Verdict::kRetry, "HTTP " + std::to_string(http_status)};
  std::string detail(body.substr(0, 200));
  return {Verdict::kDead, "接收方拒绝了消息（HTTP " + std::to_string(http_status) + "）：" + detail};
}

}  // namespace

Outcome Classify(std::string_view kind, int http_status, std::string_view body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  const std::optional<long long> code = BodyCode(kind, j);
  if (kind == "webhook" && !code) return FromStatus(http_status, body);
  if (!code) {
    if (http_status >= 500 || http_status == 429) return FromStatus(http_status, body);
    if (http_status >= 400) return FromStatus(http_status, body);
    return {Verdict::kRetry, "unrecognised answer (HTTP " + std::to_string(http_status) + ")"};
  }
  if (*code == 0) return {Verdict::kDelivered, ""};
  const std::string msg = BodyMessage(j);
  for (const CodeRule& rule : kRules) {
    if (rule.kind == kind && rule.code == *code) {
      std::string reason(rule.reason);
      reason += "（错误码 " + std::to_string(*code) + (msg.empty() ? "" : "：" + msg) + "）";
      return {rule.verdict, reason};
    }
  }
  if (http_status >= 500) return FromStatus(http_status, body);
  return {Verdict::kDead,
          "平台拒绝了消息（错误码 " + std::to_string(*code) + (msg.empty() ? "" : "：" + msg) + "）"};
}

Outcome TransportFailure(std::string_view what) {
  return {Verdict::kRetry, std::string(what)};
}

std::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kDelivered: return "delivered";
    case Verdict::kRateLimited: return "rate_limited";
    case Verdict::kRetry: return "retry";
    case Verdict::kDead: return "dead";
  }
  return "unknown";
}

}  // namespace dixian::webhook
