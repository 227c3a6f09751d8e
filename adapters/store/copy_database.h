#pragma once
// `dixian migrate`: moving a county's SQLite file into a PostgreSQL database, every table row for
// row (cases, history, the audit chain with its hashes and key ids, tasks, outbox, rate windows,
// and whatever tables later migrations add), so the copy verifies with the same audit key.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/error.h"
#include "engine/core/keys.h"

namespace dixian::store {

struct CopiedTable {
  std::string name;
  std::int64_t rows = 0;
};

// Brings the SQLite file to the latest schema, migrates the PostgreSQL database, refuses a
// target that holds any row already (kConflict "target_not_empty" naming the table), then copies
// every table in one transaction: all or nothing. Errors name the table that failed. `keys`: the
// master keys the source is opened (and migrated) with; the rows travel as they are, sealed.
// Attachments' bytes come along in the same transaction: `read_evidence` gives the bytes of each
// distinct SHA-256 the attachment rows name (SQLite keeps them as files); each is checked against
// its digest and written into a large object (table evidence_objects, reported as a copied table).
// A missing or damaged file refuses the whole copy, naming it.
using EvidenceReader = std::function<engine::Result<std::string>(const std::string& sha256)>;
engine::Result<std::vector<CopiedTable>> CopySqliteToPostgres(
    const std::string& sqlite_path, const std::string& postgres_uri,
    std::shared_ptr<const engine::KeyRing> keys, const EvidenceReader& read_evidence);

}  // namespace dixian::store
