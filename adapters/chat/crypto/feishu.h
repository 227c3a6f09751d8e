#pragma once
// Feishu's event and card-callback encryption (open.feishu.cn, "Encrypt Key"): key =
// SHA-256(encrypt key); body {"encrypt": Base64(IV (16 random bytes) + AES-256-CBC(PKCS#7 to 16-
// byte blocks))}; X-Lark-Signature = hex(SHA-256(X-Lark-Request-Timestamp +
// X-Lark-Request-Nonce + encrypt key + raw body)). Checked against the vector Feishu's documents
// and SDKs carry ("test key" decrypts P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk= to
// "hello world") and the official Go SDK's Signature (tests/chat/callback_crypto_test.cc).
#include <optional>
#include <string>
#include <string_view>

namespace dixian::chat::crypto {

std::optional<std::string> FeishuDecrypt(std::string_view encrypt_key, std::string_view encrypted);
std::optional<std::string> FeishuEncrypt(std::string_view encrypt_key, std::string_view plain);
std::string FeishuEncryptWith(std::string_view encrypt_key, std::string_view iv16,
                              std::string_view plain);
std::string FeishuSignature(std::string_view timestamp, std::string_view nonce,
                            std::string_view encrypt_key, std::string_view body);

}  // namespace dixian::chat::crypto
