#pragma once
// The audit chain. Every event names the previous event's hash (prev) and carries its own: since
// schema 3 an HMAC-SHA256 over its canonical JSON under the audit key named by `key_id` (the key
// lives outside the database, engine/core/keys.h), so someone with the database file alone cannot
// rewrite an event and rehash the rest. Events written by older builds (key_id empty) keep their
// plain SHA-256 hashes; the first seq that must be HMAC'd (the switch-over point) is recorded when
// the database is migrated to schema 3, with its own MAC (meta audit_hmac_from and _mac): a plain
// event at or after it is a forgery. Truncation (the newest events dropped) leaves a valid chain;
// a signed checkpoint of the head, kept elsewhere, detects it (Checkpoint below).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/core/error.h"
#include "engine/core/keys.h"
#include "engine/model/model.h"

namespace dixian::engine {

// The event as hashed: its fields as sorted-key JSON with the previous hash (not seq, hash, key).
std::string AuditCanonical(const AuditEvent& event);

// A signed head of the chain: "dixian-audit-checkpoint v1 seq=N hash=H at=T key=K mac=M".
struct AuditCheckpoint {
  std::int64_t seq = 0;
  std::string hash;
  std::string at;  // RFC 3339, when it was taken (informational, covered by the MAC)
  std::string key_id;
  std::string mac;  // hex
};
Result<AuditCheckpoint> ParseAuditCheckpoint(std::string_view text);
std::string FormatAuditCheckpoint(const AuditCheckpoint& checkpoint);

class AuditChain {
 public:
  explicit AuditChain(std::shared_ptr<const KeyRing> keys);

  // Sets the event's key_id and hash (MAC under the current key); prev_hash must be set.
  void Seal(AuditEvent& event) const;
  // True when the event's hash is right for its content: SHA-256 for a plain (older) event, the
  // HMAC under its key otherwise (false for an unknown key).
  bool Matches(const AuditEvent& event) const;
  bool KnowsKey(const std::string& key_id) const { return keys_->Has(key_id); }

  // The MAC of the switch-over point "<key id>:<hex>", and its check.
  std::string SwitchOverMac(std::int64_t first_hmac_seq) const;
  bool SwitchOverValid(std::int64_t first_hmac_seq, std::string_view mac) const;

  AuditCheckpoint Checkpoint(std::int64_t seq, const std::string& hash, const std::string& at) const;
  bool CheckpointValid(const AuditCheckpoint& checkpoint) const;

 private:
  std::string Mac(const std::string& key_id, std::string_view text) const;
  std::shared_ptr<const KeyRing> keys_;
};

}  // namespace dixian::engine
