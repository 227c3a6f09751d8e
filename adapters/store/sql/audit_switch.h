#pragma once
// The audit chain's switch-over point (engine/audit/audit_chain.h): the first seq that must carry
// an HMAC, with its MAC, in the meta table. Written in the transaction that migrates a database
// to schema 3 (or creates one): 1 for a new database, the next seq for one with older events.
#include "adapters/store/sql/connection.h"
#include "engine/core/keys.h"

namespace dixian::store {

inline constexpr int kAuditHmacSchema = 3;

// Records the point at the current end of the chain. Refuses when one is recorded already.
engine::Status WriteAuditSwitchOver(Connection& conn, std::shared_ptr<const engine::KeyRing> keys);

// The steps of migrating to schema 3 that need the key, run in the migration's transaction by
// either store (`from`: the version migrated from, 0 for a new database): the audit switch-over
// point, and the channel secrets of an older database sealed. Nothing without keys.
engine::Status KeyedMigrationSteps(Connection& conn, int from,
                                   const std::shared_ptr<const engine::KeyRing>& keys);

}  // namespace dixian::store
