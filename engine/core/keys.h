#pragma once
// Master keys, kept outside the database (a key file or the environment; adapters/runtime reads
// them). From each master key two keys are derived with HMAC-SHA256 over fixed labels: the audit
// key MACs the audit chain and its checkpoints, the secrets key encrypts secrets at rest
// (AES-256-GCM, engine/core/secret_box.h). A key ring holds every key still needed, oldest first;
// the last is the current one (new MACs and seals). Older keys verify the audit events and open
// the secrets sealed before a rotation. docs/security.md describes the file and rotation.
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/error.h"

namespace dixian::engine {

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

  // The key file text for this ring (a header comment, one line per key).
  std::string Format() const;
  // This ring plus a new random current key with the next free id "k<N>".
  Result<KeyRing> Rotated() const;

 private:
  struct Derived {
    std::string id, master, audit, secrets;
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
