#include "adapters/chat/crypto/wecom.h"

#include <algorithm>
#include <array>

#include "adapters/chat/crypto/ciphers.h"
#include "adapters/chat/signer.h"

namespace dixian::chat::crypto {

engine::Result<WeComCrypt> WeComCrypt::Make(std::string token, std::string_view encoding_aes_key,
                                            std::string receive_id) {
  auto key = encoding_aes_key.size() == 43 ? Base64Decode(std::string(encoding_aes_key) + "=")
                                           : std::nullopt;
  if (!key || key->size() != 32) {
    return engine::Error::Unprocessable("bad_app_config",
                                        "encoding_aes_key 应为企业微信后台生成的 43 位字符");
  }
  return WeComCrypt(std::move(token), std::move(*key), std::move(receive_id));
}

std::string WeComCrypt::Signature(std::string_view timestamp, std::string_view nonce,
                                  std::string_view encrypted) const {
  std::array<std::string_view, 4> parts{token_, timestamp, nonce, encrypted};
  std::sort(parts.begin(), parts.end());
  std::string joined;
  for (auto p : parts) joined += p;
  return Sha1Hex(joined);
}

bool WeComCrypt::SignatureMatches(std::string_view signature, std::string_view timestamp,
                                  std::string_view nonce, std::string_view encrypted) const {
  return ConstantTimeEquals(Signature(timestamp, nonce, encrypted), signature);
}

std::optional<std::string> WeComCrypt::Decrypt(std::string_view encrypted) const {
  auto cipher = Base64Decode(encrypted);
  if (!cipher) return std::nullopt;
  auto padded = Aes256CbcDecrypt(key_, std::string_view(key_).substr(0, 16), *cipher);
  if (!padded) return std::nullopt;
  auto plain = Pkcs7Unpad(*padded, 32);
  if (!plain || plain->size() < 20) return std::nullopt;
  const auto* p = reinterpret_cast<const unsigned char*>(plain->data()) + 16;
  const std::size_t length = (std::size_t{p[0]} << 24) | (std::size_t{p[1]} << 16) |
                             (std::size_t{p[2]} << 8) | std::size_t{p[3]};
  if (length > plain->size() - 20) return std::nullopt;
  if (plain->substr(20 + length) != receive_id_) return std::nullopt;
  return plain->substr(20, length);
}

std::string WeComCrypt::EncryptWith(std::string_view random16, std::string_view message) const {
  std::string plain(random16.substr(0, 16));
  const auto n = static_cast<std::uint32_t>(message.size());
  plain.push_back(static_cast<char>(n >> 24));
  plain.push_back(static_cast<char>(n >> 16));
  plain.push_back(static_cast<char>(n >> 8));
  plain.push_back(static_cast<char>(n));
  plain += message;
  plain += receive_id_;
  auto cipher = Aes256CbcEncrypt(key_, std::string_view(key_).substr(0, 16), Pkcs7Pad(plain, 32));
  return cipher ? Base64(*cipher) : std::string();
}

std::optional<std::string> WeComCrypt::Encrypt(std::string_view message) const {
  auto random = RandomBytes(16);
  if (!random) return std::nullopt;
  return EncryptWith(*random, message);
}

std::optional<std::string> XmlField(std::string_view xml, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  const std::size_t start = xml.find(open);
  if (start == std::string_view::npos) return std::nullopt;
  std::size_t from = start + open.size();
  while (from < xml.size() && (xml[from] == ' ' || xml[from] == '\n' || xml[from] == '\r')) ++from;
  constexpr std::string_view kCdataOpen = "<![CDATA[", kCdataClose = "]]>";
  if (xml.substr(from, kCdataOpen.size()) == kCdataOpen) {
    const std::size_t value_from = from + kCdataOpen.size();
    const std::size_t value_end = xml.find(kCdataClose, value_from);
    if (value_end == std::string_view::npos) return std::nullopt;
    std::size_t after = value_end + kCdataClose.size();
    while (after < xml.size() && (xml[after] == ' ' || xml[after] == '\n' || xml[after] == '\r')) ++after;
    if (xml.substr(after, close.size()) != close) return std::nullopt;
    return std::string(xml.substr(value_from, value_end - value_from));
  }
  const std::size_t end = xml.find(close, from);
  if (end == std::string_view::npos) return std::nullopt;
  return std::string(xml.substr(from, end - from));
}

std::string XmlCdata(std::string_view tag, std::string_view value) {
  return "<" + std::string(tag) + "><![CDATA[" + std::string(value) + "]]></" + std::string(tag) + ">";
}

}  // namespace dixian::chat::crypto
