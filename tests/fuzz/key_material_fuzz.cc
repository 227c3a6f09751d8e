// Fuzzes what an attacker can hand the key and audit code: a checkpoint line (GET
// /audit/verify?checkpoint=, `dixian audit verify --checkpoint`), a key file, and a sealed channel
// value read back from a database file someone edited. The first byte picks the parser.
// Properties: no crash; a parsed checkpoint or key file formats back to what parses the same; a
// checkpoint or sealed value the fuzzer made never passes its MAC / tag check under the ring.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "engine/audit/audit_chain.h"
#include "engine/core/keys.h"
#include "engine/core/secret_box.h"

using namespace dixian;

namespace {

std::shared_ptr<const engine::KeyRing> Ring() {
  static const auto ring = std::make_shared<const engine::KeyRing>(
      engine::KeyRing::Parse("k1 " + std::string(64, 'a') + "\nk2 " + std::string(64, 'b') + "\n").value());
  return ring;
}

void Checkpoint(std::string_view text) {
  auto cp = engine::ParseAuditCheckpoint(text);
  if (!cp.ok()) return;
  const engine::AuditChain chain(Ring());
  if (chain.CheckpointValid(cp.value())) std::abort();  // a forged MAC under a key it does not know
  auto again = engine::ParseAuditCheckpoint(engine::FormatAuditCheckpoint(cp.value()));
  if (!again.ok() || again->seq != cp->seq || again->hash != cp->hash || again->mac != cp->mac ||
      again->key_id != cp->key_id || again->at != cp->at)
    std::abort();
}

void KeyFile(std::string_view text) {
  auto ring = engine::KeyRing::Parse(text);
  if (!ring.ok()) return;
  auto again = engine::KeyRing::Parse(ring->Format());
  if (!again.ok() || again->ids() != ring->ids()) std::abort();
  for (const auto& id : ring->ids())
    if (again->AuditKey(id) != ring->AuditKey(id) || again->SecretsKey(id) != ring->SecretsKey(id)) std::abort();
}

void Sealed(std::string_view text) {
  const engine::SecretBox box(Ring());
  auto opened = box.Open(text, "channels.url:ch-1");
  if (opened.ok() && !text.empty()) std::abort();  // only "" opens without a seal made by the ring
  auto sealed = box.Seal(text, "channels.secret:ch-1");
  if (!sealed.ok()) return;
  auto back = box.Open(sealed.value(), "channels.secret:ch-1");
  if (!back.ok() || back.value() != text) std::abort();
  if (!text.empty() && box.Open(sealed.value(), "channels.secret:ch-2").ok()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: Checkpoint(text); break;
    case 1: KeyFile(text); break;
    default: Sealed(text); break;
  }
  return 0;
}
