#pragma once
// Where the bytes of attachments (佐证材料) live, content-addressed by their SHA-256. The
// metadata rows are in the Store; a row is written only after Put has made its bytes durable, so
// a crash leaves at most a file without a row (harmless: the next Put of the same bytes reuses it).
// adapters/evidence keeps them as files beside the database; a PostgreSQL large-object store can
// implement the same interface.
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
