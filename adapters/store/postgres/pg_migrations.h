#pragma once
// The PostgreSQL schema, migration for migration the same as SQLite's (same numbers), in
// PostgreSQL's terms. The version lives in table schema_version; migrations run in one
// transaction under an advisory lock, so several processes starting at once migrate once.
#include <span>

#include "adapters/store/sql/connection.h"
#include "adapters/store/sql/migration.h"

namespace dixian::store {

std::span<const Migration> PgMigrations();
int PgLatestSchemaVersion();
// 0 for an empty database.
engine::Result<int> PgSchemaVersion(Connection& conn);

// Brings the database up to PgLatestSchemaVersion(); kUnavailable "schema_too_new" when it is
// from a newer build. `in_transaction` runs after the SQL steps (see MigrationHook).
engine::Status MigratePg(Connection& conn, const MigrationHook& in_transaction = {});

}  // namespace dixian::store
