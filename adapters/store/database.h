#pragma once
// What the runtime holds of either store (sqlite/, postgres/): the engine's Store, the delivery
// side's OutboxStore, and closing. `--db` chooses: a PostgreSQL URI (postgresql://...) or a path.
#include <memory>
#include <string>

#include "engine/core/error.h"
#include "engine/outbox/outbox.h"
#include "engine/store/store.h"

namespace dixian::store {

class Database : public engine::Store, public engine::OutboxStore {
 public:
  // Finishes every queued write, then stops the writer; later writes fail with kUnavailable
  // "store_closed". Idempotent; the destructor calls it.
  virtual void Close() = 0;
};

// True when `db` names a PostgreSQL database (postgresql:// or postgres://) rather than a file.
bool IsPostgresUri(const std::string& db);

// Opens the store `db` names (a PostgreSQL URI or an SQLite file path), migrating it.
engine::Result<std::unique_ptr<Database>> OpenDatabase(const std::string& db);

// The process exit code for a store that could not be opened: kExitDatabaseUnreachable when the
// database server could not be reached or refused the connection (slug "database_unreachable"),
// else 1.
constexpr int kExitDatabaseUnreachable = 3;
int OpenFailureExitCode(const engine::Error& error);

// `db` for messages: a PostgreSQL URI without its password.
std::string DescribeDatabase(const std::string& db);

}  // namespace dixian::store
