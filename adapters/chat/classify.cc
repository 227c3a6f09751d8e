#include "adapters/chat/classify.h"

#include <optional>

#include <nlohmann/json.hpp>

namespace dixian::chat {
namespace {

std::optional<long long> BodyCode(const nlohmann::json& j, std::span<const std::string_view> keys) {
  if (!j.is_object()) return std::nullopt;
  for (std::string_view key : keys) {
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

}  // namespace

Outcome ClassifyByStatus(int http_status, std::string_view body) {
  if (http_status >= 200 && http_status < 300) return {Verdict::kDelivered, ""};
  if (http_status == 429) return {Verdict::kRateLimited, "HTTP 429"};
  if (http_status >= 500) return {Verdict::kRetry, "HTTP " + std::to_string(http_status)};
  std::string detail(body.substr(0, 200));
  return {Verdict::kDead, "接收方拒绝了消息（HTTP " + std::to_string(http_status) + "）：" + detail};
}

Outcome ClassifyByCode(int http_status, std::string_view body,
                       std::span<const std::string_view> code_keys,
                       std::span<const CodeRule> rules) {
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  const std::optional<long long> code = BodyCode(j, code_keys);
  if (!code) {
    if (http_status >= 400) return ClassifyByStatus(http_status, body);
    return {Verdict::kRetry, "unrecognised answer (HTTP " + std::to_string(http_status) + ")"};
  }
  if (*code == 0) return {Verdict::kDelivered, ""};
  const std::string msg = BodyMessage(j);
  const std::string detail = "（错误码 " + std::to_string(*code) + (msg.empty() ? "" : "：" + msg) + "）";
  for (const CodeRule& rule : rules) {
    if (rule.code == *code) return {rule.verdict, std::string(rule.reason) + detail};
  }
  if (http_status >= 500) return ClassifyByStatus(http_status, body);
  return {Verdict::kDead, "平台拒绝了消息" + detail};
}

Outcome TransportFailure(std::string_view what) { return {Verdict::kRetry, std::string(what)}; }

std::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kDelivered: return "delivered";
    case Verdict::kRateLimited: return "rate_limited";
    case Verdict::kRetry: return "retry";
    case Verdict::kDead: return "dead";
  }
  return "unknown";
}

}  // namespace dixian::chat
