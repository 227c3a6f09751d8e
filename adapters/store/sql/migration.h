#pragma once
// A numbered schema migration of either store (sqlite/migrations.cc, postgres/pg_migrations.cc).
// Both stores use the same numbers for the same change, so a schema version means one schema.
#include <functional>

#include "adapters/store/sql/connection.h"

namespace dixian::store {

struct Migration {
  int version;      // 1, 2, 3 ... in order, never renumbered; gaps allowed (numbers per branch)
  const char* sql;  // may hold several statements
};

// Runs inside the migration's transaction after the SQL steps, with the version migrated from
// (0 for a new database): steps that need more than SQL (a key), atomic with the rest.
using MigrationHook = std::function<engine::Status(Connection&, int from_version)>;

}  // namespace dixian::store
