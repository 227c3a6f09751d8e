#include "adapters/chat/crypto/feishu.h"

#include "adapters/chat/crypto/ciphers.h"
#include "adapters/chat/signer.h"

namespace dixian::chat::crypto {

std::optional<std::string> FeishuDecrypt(std::string_view encrypt_key, std::string_view encrypted) {
  auto blob = Base64Decode(encrypted);
  if (!blob || blob->size() < 32) return std::nullopt;
  const std::string key = Sha256(encrypt_key);
  auto padded = Aes256CbcDecrypt(key, std::string_view(*blob).substr(0, 16),
                                 std::string_view(*blob).substr(16));
  if (!padded) return std::nullopt;
  return Pkcs7Unpad(*padded, 16);
}

std::string FeishuEncryptWith(std::string_view encrypt_key, std::string_view iv16,
                              std::string_view plain) {
  auto cipher = Aes256CbcEncrypt(Sha256(encrypt_key), iv16.substr(0, 16), Pkcs7Pad(plain, 16));
  return cipher ? Base64(std::string(iv16.substr(0, 16)) + *cipher) : std::string();
}

std::optional<std::string> FeishuEncrypt(std::string_view encrypt_key, std::string_view plain) {
  auto iv = RandomBytes(16);
  if (!iv) return std::nullopt;
  return FeishuEncryptWith(encrypt_key, *iv, plain);
}

std::string FeishuSignature(std::string_view timestamp, std::string_view nonce,
                            std::string_view encrypt_key, std::string_view body) {
  std::string data;
  data.reserve(timestamp.size() + nonce.size() + encrypt_key.size() + body.size());
  data.append(timestamp).append(nonce).append(encrypt_key).append(body);
  return Sha256Hex(data);
}

}  // namespace dixian::chat::crypto
