#pragma once
// The audit chain's switch-over point (engine/audit/audit_chain.h): the first seq that must carry
// an HMAC, with its MAC, in the meta table. Written in the transaction that migrates a database
// to schema 3 (or creates one): 1 for a new database, the next seq for one with older events.
#include "adapters/store/sqlite_db.h"
#include "engine/core/keys.h"

namespace dixian::store {

inline constexpr int kAuditHmacSchema = 3;

// Records the point at the current end of the chain. Refuses when one is recorded already.
engine::Status WriteAuditSwitchOver(Connection& conn, std::shared_ptr<const engine::KeyRing> keys);

}  // namespace dixian::store
