#pragma once
// Numbered schema migrations. The schema version lives in PRAGMA user_version; migrations run in
// order at open, all inside one transaction. A database written by a newer build is refused.
#include <span>

#include "adapters/store/sql/migration.h"
#include "adapters/store/sqlite/sqlite_db.h"

namespace dixian::store {

// Every migration this build knows, oldest first.
std::span<const Migration> Migrations();
// The newest version this build knows.
int LatestSchemaVersion();

// Brings the database up to LatestSchemaVersion(). Conflict-free no-op when already current;
// kUnavailable with slug "schema_too_new" when the file is from a newer version.
engine::Status Migrate(Connection& conn, const MigrationHook& in_transaction = {});

}  // namespace dixian::store
