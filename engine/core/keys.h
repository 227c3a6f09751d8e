#pragma once
// Master keys, kept outside the database (a key file or the environment; adapters/runtime reads
// them). From each master key two keys are derived with HMAC-SHA256 over fixed labels: the audit
// key MACs the audit chain and its checkpoints, the secrets key encrypts secrets at rest
// (AES-256-GCM, engine/core/secret_box.h). A key ring holds every key still needed, oldest first;
// the last is the current one (new MACs and seals). Older keys verify the audit events and open
// the secrets sealed before a rotation. docs/security.md describes the file and rotation.
#include <openssl/types.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/error.h"

namespace dixian::engine {

// HMAC-SHA256 under one key, keyed once: the SHA-256 states after the key's inner and outer pads
// (RFC 2104) are computed at construction; each Mac() copies them (EVP_MD_CTX_copy_ex), hashes the
// data and finishes. HMAC() fetches the algorithms from OpenSSL's provider store (under its lock)
// and hashes the key on every call, and an EVP_MAC_CTX copy duplicates three digest contexts and
// the key. The same 32 raw bytes as HmacSha256(key, data). Safe to use from several threads.
class HmacSha256Key {
 public:
  explicit HmacSha256Key(std::string_view key);
  ~HmacSha256Key();
  HmacSha256Key(const HmacSha256Key&) = delete;
  HmacSha256Key& operator=(const HmacSha256Key&) = delete;
  std::string Mac(std::string_view data) const;

 private:
  std::string key_;               // for the one-shot path, should the keyed states be unavailable
  EVP_MD_CTX* inner_ = nullptr;  // SHA-256 after (key ^ ipad); read only after construction
  EVP_MD_CTX* outer_ = nullptr;  // SHA-256 after (key ^ opad)
};

struct MasterKey {
  std::string id;      // 1..16 of [A-Za-z0-9_-]
  std::string secret;  // 32 random bytes
};

class KeyRing {
 public:
  // Key file text: lines "<id> <64 hex characters>"; '#' comments and blank lines are ignored;
  // ids are unique; at least one key. Errors name the line.
  static Result<KeyRing> Parse(std::string_view text);
  // A new random key (RAND_bytes, checked).
  static Result<MasterKey> Generate(const std::string& id);
  explicit KeyRing(std::vector<MasterKey> keys);  // non-empty, ids unique (Parse checks)

  const std::string& current_id() const { return keys_.back().id; }
  bool Has(const std::string& id) const { return Find(id) != nullptr; }
  const std::vector<std::string>& ids() const { return ids_; }
  // Derived 32-byte keys of the master key `id`; empty when the id is unknown.
  const std::string& AuditKey(const std::string& id) const;
  const std::string& SecretsKey(const std::string& id) const;
  // HMAC-SHA256 under AuditKey(id), keyed once; null when the id is unknown.
  const HmacSha256Key* AuditMac(const std::string& id) const;

  // The key file text for this ring (a header comment, one line per key).
  std::string Format() const;
  // This ring plus a new random current key with the next free id "k<N>".
  Result<KeyRing> Rotated() const;

 private:
  struct Derived {
    std::string id, master, audit, secrets;
    std::shared_ptr<const HmacSha256Key> audit_mac;  // shared by copies of the ring
  };
  const Derived* Find(const std::string& id) const;
  std::vector<Derived> keys_;
  std::vector<std::string> ids_;
};

// A ring of one new random key (a new installation, tests).
Result<KeyRing> NewKeyRing(const std::string& id = "k1");

// HMAC-SHA256 of data under key: 32 raw bytes.
std::string HmacSha256(std::string_view key, std::string_view data);

}  // namespace dixian::engine
