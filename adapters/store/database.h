#pragma once
// What the runtime holds of either store (sqlite/, postgres/): the engine's Store, the delivery
// side's OutboxStore, and closing. `--db` chooses: a PostgreSQL URI (postgresql://...) or a path.
#include <cstdint>
#include <memory>
#include <string>

#include "engine/core/error.h"
#include "engine/core/keys.h"
#include "engine/outbox/outbox.h"
#include "engine/store/store.h"

namespace dixian::store {

class Database : public engine::Store, public engine::OutboxStore {
 public:
  // Finishes every queued write, then stops the writer; later writes fail with kUnavailable
  // "store_closed". Idempotent; the destructor calls it.
  virtual void Close() = 0;
  // Records the audit switch-over point at the current end of the chain, for a database whose
  // migration had no key (a development build): every event so far counts as an older, plain
  // one. Refuses when a point exists. `dixian audit mark-legacy`.
  virtual engine::Status MarkAuditLegacy() = 0;
  // Re-seals every channel secret under the current key (after a rotation) and renews the key
  // check. A value found unsealed is an error unless `seal_plaintext` (then it is sealed as it
  // is: check it first). Returns the channels rewritten. `dixian keys reencrypt`.
  virtual engine::Result<int> ReencryptSecrets(bool seal_plaintext = false) = 0;
};

struct DatabaseOptions {
  // The master keys (outside the database): channel secrets are sealed with them, and the audit
  // switch-over point is signed when the database is created or migrated to schema 3. Without
  // them the point stays unsigned and audit verification says so (store-only tests).
  std::shared_ptr<const engine::KeyRing> keys;
  // PostgreSQL: how long a process keeps a channel's outbox after it last read it (PgOptions);
  // 0 keeps the store's default (15 s).
  std::int64_t channel_lease_ms = 0;
};

// True when `db` names a PostgreSQL database (postgresql:// or postgres://) rather than a file.
bool IsPostgresUri(const std::string& db);

// Opens the store `db` names (a PostgreSQL URI or an SQLite file path), migrating it.
engine::Result<std::unique_ptr<Database>> OpenDatabase(const std::string& db,
                                                      DatabaseOptions options = {});

// The process exit code for a store that could not be opened: kExitDatabaseUnreachable when the
// database server could not be reached or refused the connection (slug "database_unreachable"),
// else 1.
constexpr int kExitDatabaseUnreachable = 3;
int OpenFailureExitCode(const engine::Error& error);

// `db` for messages: a PostgreSQL URI without its password.
std::string DescribeDatabase(const std::string& db);

}  // namespace dixian::store
