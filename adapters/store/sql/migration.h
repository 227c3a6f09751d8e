#pragma once
// A numbered schema migration of either store (sqlite/migrations.cc, postgres/pg_migrations.cc).
// Both stores use the same numbers for the same change, so a schema version means one schema.

namespace dixian::store {

struct Migration {
  int version;      // 1, 2, 3 ... in order, never renumbered; gaps allowed (numbers per branch)
  const char* sql;  // may hold several statements
};

}  // namespace dixian::store
