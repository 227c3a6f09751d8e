#pragma once
// Signatures of the chat platforms' custom robots, and the small encoders they need.
// All functions are pure; they return raw bytes or text as documented below.
#include <cstdint>
#include <string>
#include <string_view>

namespace dixian::chat {

std::string HmacSha256(std::string_view key, std::string_view message);  // 32 raw bytes
std::string Base64(std::string_view bytes);                               // standard, padded
std::string HexLower(std::string_view bytes);
std::string UrlEncode(std::string_view text);  // RFC 3986: unreserved kept, the rest %XX

// DingTalk custom robot: Base64(HMAC-SHA256(key = secret, msg = "<timestamp_ms>\n<secret>")).
// Not URL-encoded: the caller appends `&timestamp=..&sign=UrlEncode(sign)` to the webhook URL.
std::string DingTalkSign(std::int64_t timestamp_ms, std::string_view secret);

// Feishu custom bot: Base64(HMAC-SHA256(key = "<timestamp_s>\n<secret>", msg = "")).
// Sent in the JSON body as "timestamp" (string of seconds) and "sign".
std::string FeishuSign(std::int64_t timestamp_s, std::string_view secret);

// Generic webhook: "sha256=" + hex(HMAC-SHA256(key = secret, msg = body)), sent in the
// X-Dixian-Signature-256 header.
std::string GenericSignature(std::string_view secret, std::string_view body);

inline constexpr std::string_view kSignatureHeader = "X-Dixian-Signature-256";
inline constexpr std::string_view kMessageIdHeader = "X-Dixian-Message-Id";

}  // namespace dixian::chat
