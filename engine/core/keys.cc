#include "engine/core/keys.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "engine/core/random.h"

namespace dixian::engine {
namespace {

constexpr std::size_t kMasterKeyBytes = 32;
const std::string kEmpty;

bool ValidId(std::string_view id) {
  if (id.empty() || id.size() > 16) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

Error BadKeyFile(std::size_t line, const std::string& why) {
  return Error::Unprocessable("invalid_key_file", "密钥文件第 " + std::to_string(line) + " 行无效：" + why +
                                                      " (key file line " + std::to_string(line) + ")");
}

}  // namespace

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

namespace {

// SHA-256 fetched once for the process (an implicit fetch per EVP_DigestInit_ex takes the provider
// store's lock).
const EVP_MD* Sha256() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

// A digest context that has hashed `key ^ pad` (one 64-byte block); null on failure.
EVP_MD_CTX* PaddedState(const unsigned char (&key)[64], unsigned char pad) {
  unsigned char block[64];
  for (std::size_t i = 0; i < sizeof block; ++i) block[i] = key[i] ^ pad;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx != nullptr && EVP_DigestInit_ex(ctx, Sha256(), nullptr) == 1 &&
      EVP_DigestUpdate(ctx, block, sizeof block) == 1) {
    OPENSSL_cleanse(block, sizeof block);
    return ctx;
  }
  OPENSSL_cleanse(block, sizeof block);
  EVP_MD_CTX_free(ctx);
  return nullptr;
}

}  // namespace

HmacSha256Key::HmacSha256Key(std::string_view key) : key_(key) {
  if (Sha256() == nullptr) return;
  unsigned char block[64] = {};  // the key, hashed first when longer than a block, zero-padded
  if (key.size() > sizeof block) {
    unsigned int len = 0;
    if (EVP_Digest(key.data(), key.size(), block, &len, Sha256(), nullptr) != 1) return;
  } else {
    std::copy(key.begin(), key.end(), block);
  }
  inner_ = PaddedState(block, 0x36);
  outer_ = PaddedState(block, 0x5c);
  OPENSSL_cleanse(block, sizeof block);
  if (inner_ != nullptr && outer_ != nullptr) return;
  EVP_MD_CTX_free(inner_);
  EVP_MD_CTX_free(outer_);
  inner_ = outer_ = nullptr;
}

HmacSha256Key::~HmacSha256Key() {
  EVP_MD_CTX_free(inner_);
  EVP_MD_CTX_free(outer_);
}

std::string HmacSha256Key::Mac(std::string_view data) const {
  if (inner_ == nullptr) return HmacSha256(key_, data);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned char inner_hash[32];
  unsigned char out[32];
  unsigned int len = 0;
  const bool done = ctx != nullptr && EVP_MD_CTX_copy_ex(ctx, inner_) == 1 &&
                    EVP_DigestUpdate(ctx, data.data(), data.size()) == 1 &&
                    EVP_DigestFinal_ex(ctx, inner_hash, &len) == 1 && len == 32 &&
                    EVP_MD_CTX_copy_ex(ctx, outer_) == 1 &&
                    EVP_DigestUpdate(ctx, inner_hash, sizeof inner_hash) == 1 &&
                    EVP_DigestFinal_ex(ctx, out, &len) == 1 && len == 32;
  EVP_MD_CTX_free(ctx);
  if (!done) return HmacSha256(key_, data);
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

Result<KeyRing> NewKeyRing(const std::string& id) {
  auto key = KeyRing::Generate(id);
  if (!key.ok()) return key.error();
  return KeyRing({std::move(key.value())});
}

KeyRing::KeyRing(std::vector<MasterKey> keys) {
  for (auto& k : keys) {
    ids_.push_back(k.id);
    keys_.push_back({k.id, k.secret, HmacSha256(k.secret, "dixian/audit/v1"), HmacSha256(k.secret, "dixian/secrets/v1"),
                     nullptr});
    keys_.back().audit_mac = std::make_shared<const HmacSha256Key>(keys_.back().audit);
  }
}

Result<KeyRing> KeyRing::Parse(std::string_view text) {
  std::vector<MasterKey> keys;
  std::set<std::string> seen;
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const auto nl = text.find('\n');
    std::string_view line = Trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.empty() || line.front() == '#') continue;
    const auto space = line.find_first_of(" \t");
    if (space == std::string_view::npos) return BadKeyFile(line_no, "应为“编号 64位十六进制密钥” (expected \"<id> <hex>\")");
    const std::string id(line.substr(0, space));
    const std::string_view hex = Trim(line.substr(space));
    if (!ValidId(id)) return BadKeyFile(line_no, "密钥编号只能包含 1 到 16 个字母、数字、- _");
    if (!seen.insert(id).second) return BadKeyFile(line_no, "密钥编号 " + id + " 重复");
    auto secret = FromHex(hex);
    if (!secret || secret->size() != kMasterKeyBytes)
      return BadKeyFile(line_no, "密钥应为 64 位十六进制字符（32 字节）");
    keys.push_back({id, std::move(*secret)});
  }
  if (keys.empty())
    return Error::Unprocessable("invalid_key_file", "密钥文件中没有密钥");
  return KeyRing(std::move(keys));
}

Result<MasterKey> KeyRing::Generate(const std::string& id) {
  if (!ValidId(id)) return Error::Unprocessable("invalid_key_id", "密钥编号无效");
  auto secret = RandomBytes(kMasterKeyBytes);
  if (!secret.ok()) return secret.error();
  return MasterKey{id, std::move(secret.value())};
}

const KeyRing::Derived* KeyRing::Find(const std::string& id) const {
  for (const auto& k : keys_)
    if (k.id == id) return &k;
  return nullptr;
}

const std::string& KeyRing::AuditKey(const std::string& id) const {
  const auto* k = Find(id);
  return k ? k->audit : kEmpty;
}

const HmacSha256Key* KeyRing::AuditMac(const std::string& id) const {
  const auto* k = Find(id);
  return k ? k->audit_mac.get() : nullptr;
}

const std::string& KeyRing::SecretsKey(const std::string& id) const {
  const auto* k = Find(id);
  return k ? k->secrets : kEmpty;
}

std::string KeyRing::Format() const {
  std::string out =
      "# dixian master keys (docs/security.md): \"<id> <64 hex>\" per line, oldest first; the last is current.\n"
      "# Keep every line: older keys verify old audit events. Mode 0600, never next to database backups.\n";
  for (const auto& k : keys_) out += k.id + " " + ToHex(k.master) + "\n";
  return out;
}

Result<KeyRing> KeyRing::Rotated() const {
  int n = static_cast<int>(keys_.size()) + 1;
  while (Has("k" + std::to_string(n))) ++n;
  auto key = Generate("k" + std::to_string(n));
  if (!key.ok()) return key.error();
  std::vector<MasterKey> keys;
  for (const auto& k : keys_) keys.push_back({k.id, k.master});
  keys.push_back(std::move(key.value()));
  return KeyRing(std::move(keys));
}

}  // namespace dixian::engine
