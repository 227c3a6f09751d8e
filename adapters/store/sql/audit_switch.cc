#include "adapters/store/sql/audit_switch.h"

#include "adapters/store/sql/secrets_at_rest.h"
#include "engine/audit/audit_chain.h"

namespace dixian::store {

engine::Status WriteAuditSwitchOver(Connection& conn, std::shared_ptr<const engine::KeyRing> keys) {
  auto existing = conn.Prepare("SELECT count(*) FROM meta WHERE key IN ('audit_hmac_from', 'audit_hmac_from_mac')");
  if (!existing.Step()) return existing.error() ? *existing.error() : engine::Error::Internal("meta");
  if (existing.Int64(0) > 0)
    return engine::Error::Conflict("switch_over_exists", "审计链切换点已存在，未改动");
  existing.Reset();
  auto next = conn.Prepare("SELECT COALESCE(MAX(seq), 0) + 1 FROM audit");
  if (!next.Step()) return next.error() ? *next.error() : engine::Error::Internal("audit seq");
  const std::int64_t first = next.Int64(0);
  next.Reset();
  const engine::AuditChain chain(std::move(keys));
  auto put = conn.Prepare("INSERT INTO meta(key, value) VALUES('audit_hmac_from', ?1), ('audit_hmac_from_mac', ?2)");
  put.Bind(1, std::to_string(first)).Bind(2, chain.SwitchOverMac(first));
  return put.Run();
}

engine::Status KeyedMigrationSteps(Connection& conn, int from,
                                   const std::shared_ptr<const engine::KeyRing>& keys) {
  if (from >= kAuditHmacSchema || !keys) return engine::OkStatus();
  if (auto st = WriteAuditSwitchOver(conn, keys); !st.ok()) return st;
  auto sealed = ResealChannels(conn, engine::SecretBox(keys), /*accept_plaintext=*/true);
  if (!sealed.ok()) return sealed.error();
  return engine::OkStatus();
}

}  // namespace dixian::store
