#pragma once
// WeCom's callback encryption (WXBizMsgCrypt, developer.work.weixin.qq.com/document/path/90968):
// key = Base64(EncodingAESKey + "="), 32 bytes; AES-256-CBC, IV = the key's first 16 bytes;
// plaintext = 16 random bytes + 4-byte big-endian length + message + receive id (the corp id),
// PKCS#7-padded to 32-byte blocks, sent Base64-encoded; msg_signature = SHA-1 (hex) of the
// sorted concatenation of token, timestamp, nonce and the ciphertext. Checked against the
// official SDK's sample vectors (tests/chat/callback_crypto_test.cc).
#include <optional>
#include <string>
#include <string_view>

#include "engine/core/error.h"

namespace dixian::chat::crypto {

class WeComCrypt {
 public:
  // Errors (slug "bad_app_config"): an EncodingAESKey that is not 43 Base64 characters.
  static engine::Result<WeComCrypt> Make(std::string token, std::string_view encoding_aes_key,
                                         std::string receive_id);

  std::string Signature(std::string_view timestamp, std::string_view nonce,
                        std::string_view encrypted) const;
  bool SignatureMatches(std::string_view signature, std::string_view timestamp,
                        std::string_view nonce, std::string_view encrypted) const;
  // Decrypts and checks the receive id; nothing when anything does not fit.
  std::optional<std::string> Decrypt(std::string_view encrypted) const;
  // With 16 random bytes in front (nothing if the system cannot give them).
  std::optional<std::string> Encrypt(std::string_view message) const;
  // As Encrypt, with the given 16 bytes (tests compare with fixed vectors).
  std::string EncryptWith(std::string_view random16, std::string_view message) const;

 private:
  WeComCrypt(std::string token, std::string key, std::string receive_id)
      : token_(std::move(token)), key_(std::move(key)), receive_id_(std::move(receive_id)) {}
  std::string token_, key_, receive_id_;
};

// The first <Tag>…</Tag> of a flat XML message, CDATA unwrapped; nothing when absent. No entity
// is expanded and no nested structure followed: enough for WeCom's callback envelopes.
std::optional<std::string> XmlField(std::string_view xml, std::string_view tag);
// "<Tag><![CDATA[value]]></Tag>" (value must not contain "]]>").
std::string XmlCdata(std::string_view tag, std::string_view value);

}  // namespace dixian::chat::crypto
