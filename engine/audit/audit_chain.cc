#include "engine/audit/audit_chain.h"

#include <cctype>
#include <map>

#include "engine/core/json_string.h"
#include "engine/core/random.h"
#include "engine/core/sha256.h"
#include "engine/engine_tx.h"

namespace dixian::engine {
namespace {

constexpr std::string_view kCheckpointTag = "dixian-audit-checkpoint";

Error BadCheckpoint(const std::string& why) {
  return Error::Unprocessable("invalid_checkpoint", "检查点格式不正确：" + why);
}

std::string CheckpointText(const AuditCheckpoint& c) {
  return "dixian-audit-checkpoint v1|" + std::to_string(c.seq) + "|" + c.hash + "|" + c.at;
}

}  // namespace

// The canonical JSON: the object below with its keys in sorted order, as nlohmann::json would
// dump it. Written directly because every command hashes one event on the writer thread
// (AuditHashMatchesCanonicalJson keeps the two equal).
std::string AuditCanonical(const AuditEvent& e) {
  std::string c;
  c.reserve(256 + e.comment.size());
  auto field = [&c](const char* key, std::string_view value) {
    c += c.empty() ? "{\"" : ",\"";
    c += key;
    c += "\":";
    AppendJsonString(c, value);
  };
  field("action", e.action);
  field("actor", e.actor);
  c += ",\"at\":" + std::to_string(e.at);
  field("case", e.case_id);
  field("comment", e.comment);
  c += ",\"data\":" + e.data.dump();
  field("from", e.from_state);
  field("household", e.household);
  field("org", e.actor_org);
  field("prev", e.prev_hash);
  field("role", e.actor_role);
  field("to", e.to_state);
  c += '}';
  return c;
}

// The plain SHA-256 of events written before schema 3 (key_id empty).
std::string AuditHash(const AuditEvent& e) { return Sha256Hex(AuditCanonical(e)); }

AuditChain::AuditChain(std::shared_ptr<const KeyRing> keys) : keys_(std::move(keys)) {}

std::string AuditChain::Mac(const std::string& key_id, std::string_view text) const {
  if (const auto* mac = keys_->AuditMac(key_id)) return ToHex(mac->Mac(text));
  return ToHex(HmacSha256(keys_->AuditKey(key_id), text));  // an unknown id: the empty key
}

void AuditChain::Seal(AuditEvent& e) const {
  e.key_id = keys_->current_id();
  e.hash = Mac(e.key_id, AuditCanonical(e));
}

bool AuditChain::Matches(const AuditEvent& e) const {
  if (e.key_id.empty()) return ConstantTimeEquals(AuditHash(e), e.hash);
  if (!keys_->Has(e.key_id)) return false;
  return ConstantTimeEquals(Mac(e.key_id, AuditCanonical(e)), e.hash);
}

std::string AuditChain::SwitchOverMac(std::int64_t first_hmac_seq) const {
  const std::string& id = keys_->current_id();
  return id + ":" + Mac(id, "dixian-audit-switch v1|" + std::to_string(first_hmac_seq));
}

bool AuditChain::SwitchOverValid(std::int64_t first_hmac_seq, std::string_view mac) const {
  const auto colon = mac.find(':');
  if (colon == std::string_view::npos) return false;
  const std::string id(mac.substr(0, colon));
  if (!keys_->Has(id)) return false;
  return ConstantTimeEquals(Mac(id, "dixian-audit-switch v1|" + std::to_string(first_hmac_seq)), mac.substr(colon + 1));
}

AuditCheckpoint AuditChain::Checkpoint(std::int64_t seq, const std::string& hash, const std::string& at) const {
  AuditCheckpoint c{seq, hash, at, keys_->current_id(), ""};
  c.mac = Mac(c.key_id, CheckpointText(c));
  return c;
}

bool AuditChain::CheckpointValid(const AuditCheckpoint& c) const {
  return keys_->Has(c.key_id) && ConstantTimeEquals(Mac(c.key_id, CheckpointText(c)), c.mac);
}

std::string FormatAuditCheckpoint(const AuditCheckpoint& c) {
  return std::string(kCheckpointTag) + " v1 seq=" + std::to_string(c.seq) + " hash=" + c.hash + " at=" + c.at +
         " key=" + c.key_id + " mac=" + c.mac;
}

Result<AuditCheckpoint> ParseAuditCheckpoint(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  if (text.size() > 1000) return BadCheckpoint("过长");
  if (text.substr(0, kCheckpointTag.size() + 4) != std::string(kCheckpointTag) + " v1 ")
    return BadCheckpoint("应以 \"dixian-audit-checkpoint v1\" 开头");
  std::map<std::string, std::string> fields;
  text.remove_prefix(kCheckpointTag.size() + 4);
  while (!text.empty()) {
    const auto space = text.find(' ');
    const std::string_view item = text.substr(0, space);
    text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
    const auto eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0) return BadCheckpoint("字段应为 name=value (fields are name=value)");
    if (!fields.emplace(std::string(item.substr(0, eq)), std::string(item.substr(eq + 1))).second)
      return BadCheckpoint("字段重复");
  }
  for (const char* name : {"seq", "hash", "at", "key", "mac"})
    if (!fields.count(name)) return BadCheckpoint(std::string("缺少 ") + name);
  if (fields.size() != 5) return BadCheckpoint("含有未知字段");
  const std::string& seq = fields["seq"];
  if (seq.empty() || seq.size() > 18 || seq.find_first_not_of("0123456789") != std::string::npos)
    return BadCheckpoint("seq 应为正整数");
  AuditCheckpoint c{std::stoll(seq), fields["hash"], fields["at"], fields["key"], fields["mac"]};
  auto hex64 = [](const std::string& s) { return s.size() == 64 && FromHex(s).has_value(); };
  if (c.seq < 1 || !hex64(c.hash) || !hex64(c.mac) || c.key_id.empty() || c.key_id.size() > 16 || c.at.size() > 40)
    return BadCheckpoint("seq、hash、key 或 mac 的值不正确");
  return c;
}

}  // namespace dixian::engine
