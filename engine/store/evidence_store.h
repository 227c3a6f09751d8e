#pragma once
// Where the bytes of attachments (佐证材料) live when they are files, content-addressed by their
// SHA-256 (SQLite: adapters/evidence, beside the database). The metadata rows are in the Store; a
// row is written only after Put has made its bytes durable, so a crash leaves at most a file
// without a row (harmless: the next Put of the same bytes reuses it). A store that keeps the bytes
// itself (PostgreSQL: large objects, EngineOptions::evidence_in_store) writes them in the row's
// own transaction instead (WriteTx::PutEvidenceBytes, ReadView::EvidenceBytes).
#include <string>
#include <string_view>

#include "engine/core/error.h"

namespace dixian::engine {

class EvidenceStore {
 public:
  virtual ~EvidenceStore() = default;
  // Stores the bytes durably; returns their SHA-256 (lower-case hex).
  virtual Result<std::string> Put(std::string_view bytes) = 0;
  // The bytes stored under `sha256`; NotFound if absent, Internal if they no longer match it.
  virtual Result<std::string> Open(const std::string& sha256) = 0;
};

}  // namespace dixian::engine
