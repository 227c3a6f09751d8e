#include "adapters/store/database.h"

#include "adapters/store/postgres/pg_db.h"
#include "adapters/store/postgres/pg_store.h"
#include "adapters/store/sqlite/sqlite_store.h"

namespace dixian::store {

bool IsPostgresUri(const std::string& db) {
  return db.rfind("postgresql://", 0) == 0 || db.rfind("postgres://", 0) == 0;
}

engine::Result<std::unique_ptr<Database>> OpenDatabase(const std::string& db,
                                                      DatabaseOptions options) {
  if (IsPostgresUri(db)) {
    PgOptions pg_options;
    pg_options.keys = options.keys;
    if (options.channel_lease_ms > 0) pg_options.channel_lease_ms = options.channel_lease_ms;
    auto pg = PgStore::Open(db, pg_options);
    if (!pg) return pg.error();
    return std::unique_ptr<Database>(std::move(pg.value()));
  }
  SqliteOptions sqlite_options;
  sqlite_options.keys = options.keys;
  auto sqlite = SqliteStore::Open(db, sqlite_options);
  if (!sqlite) return sqlite.error();
  return std::unique_ptr<Database>(std::move(sqlite.value()));
}

int OpenFailureExitCode(const engine::Error& error) {
  return error.slug == "database_unreachable" ? kExitDatabaseUnreachable : 1;
}

std::string DescribeDatabase(const std::string& db) {
  return IsPostgresUri(db) ? "postgresql://" + DescribePgUri(db) : db;
}

}  // namespace dixian::store
