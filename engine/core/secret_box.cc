#include "engine/core/secret_box.h"

#include <openssl/evp.h>

#include <optional>

#include "engine/core/random.h"

namespace dixian::engine {
namespace {

constexpr std::string_view kPrefix = "dxs1:";
constexpr int kNonce = 12;
constexpr int kTag = 16;

struct CipherCtx {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ~CipherCtx() { EVP_CIPHER_CTX_free(ctx); }
};

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<std::string> Unbase64(std::string_view text) {
  if (text.empty() || text.size() % 4) return std::nullopt;
  std::string out(3 * text.size() / 4, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  std::size_t len = static_cast<std::size_t>(n);
  for (std::size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) --len;  // padding
  out.resize(len);
  return out;
}

Error Unreadable(std::string_view where, const std::string& why) {
  return Error::Internal("无法解密已存储的密钥信息（" + std::string(where.substr(0, where.find(':'))) + "）：" + why +
                         "；请确认使用的是正确的主密钥文件");
}

}  // namespace

SecretBox::SecretBox(std::shared_ptr<const KeyRing> keys) : keys_(std::move(keys)) {}

bool SecretBox::IsSealed(std::string_view text) { return text.substr(0, kPrefix.size()) == kPrefix; }

std::string SecretBox::KeyOf(std::string_view sealed) {
  if (!IsSealed(sealed)) return "";
  sealed.remove_prefix(kPrefix.size());
  return std::string(sealed.substr(0, sealed.find(':')));
}

Result<std::string> SecretBox::Seal(std::string_view plaintext, std::string_view where) const {
  if (plaintext.empty()) return std::string();
  auto nonce = RandomBytes(kNonce);
  if (!nonce.ok()) return nonce.error();
  const std::string& key = keys_->SecretsKey(keys_->current_id());
  CipherCtx c;
  std::string out = nonce.value() + std::string(plaintext.size(), '\0') + std::string(kTag, '\0');
  auto* body = reinterpret_cast<unsigned char*>(out.data() + kNonce);
  int len = 0, fin = 0;
  const bool ok =
      c.ctx && EVP_EncryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_IVLEN, kNonce, nullptr) == 1 &&
      EVP_EncryptInit_ex(c.ctx, nullptr, nullptr, reinterpret_cast<const unsigned char*>(key.data()),
                         reinterpret_cast<const unsigned char*>(nonce.value().data())) == 1 &&
      EVP_EncryptUpdate(c.ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(where.data()),
                        static_cast<int>(where.size())) == 1 &&
      EVP_EncryptUpdate(c.ctx, body, &len, reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) == 1 &&
      EVP_EncryptFinal_ex(c.ctx, body + len, &fin) == 1 &&
      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_GET_TAG, kTag, body + plaintext.size()) == 1;
  if (!ok) return Error::Internal("加密失败");
  return std::string(kPrefix) + keys_->current_id() + ":" + Base64(out);
}

Result<std::string> SecretBox::Open(std::string_view sealed, std::string_view where) const {
  if (sealed.empty()) return std::string();
  if (!IsSealed(sealed)) return Unreadable(where, "值未加密（可能被直接写入数据库）");
  const std::string key_id = KeyOf(sealed);
  if (!keys_->Has(key_id)) return Unreadable(where, "加密所用的密钥 " + key_id + " 不在密钥文件中");
  const std::size_t body = kPrefix.size() + key_id.size() + 1;  // "dxs1:k1" has no ':' after the id
  if (sealed.size() < body) return Unreadable(where, "格式不正确");
  auto raw = Unbase64(sealed.substr(body));
  if (!raw || raw->size() < static_cast<std::size_t>(kNonce + kTag)) return Unreadable(where, "格式不正确");
  const std::string& key = keys_->SecretsKey(key_id);
  const std::size_t n = raw->size() - kNonce - kTag;
  std::string out(n, '\0');
  auto* data = reinterpret_cast<unsigned char*>(raw->data());
  CipherCtx c;
  int len = 0, fin = 0;
  const bool ok =
      c.ctx && EVP_DecryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_IVLEN, kNonce, nullptr) == 1 &&
      EVP_DecryptInit_ex(c.ctx, nullptr, nullptr, reinterpret_cast<const unsigned char*>(key.data()), data) == 1 &&
      EVP_DecryptUpdate(c.ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(where.data()),
                        static_cast<int>(where.size())) == 1 &&
      EVP_DecryptUpdate(c.ctx, reinterpret_cast<unsigned char*>(out.data()), &len, data + kNonce,
                        static_cast<int>(n)) == 1 &&
      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_TAG, kTag, data + kNonce + n) == 1 &&
      EVP_DecryptFinal_ex(c.ctx, reinterpret_cast<unsigned char*>(out.data()) + len, &fin) == 1;
  if (!ok) return Unreadable(where, "校验失败（被改动、被挪到别处，或密钥不对）");
  return out;
}

}  // namespace dixian::engine
