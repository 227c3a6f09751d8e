#pragma once
// Where the master keys come from (docs/security.md): `--key-file PATH`, else the file named by
// $DIXIAN_KEY_FILE, else the key text in $DIXIAN_MASTER_KEY ("<id> <64 hex>" lines, ';' also
// separates them). A key file readable by group or others is refused. Nothing found is an error
// unless `generate_at` is given (--demo, scripts/run.sh): then a new key file is written there
// with mode 0600.
#include <memory>
#include <string>

#include "engine/core/keys.h"

namespace dixian::runtime {

struct LoadedKeys {
  std::shared_ptr<const engine::KeyRing> ring;
  std::string source;     // "file PATH" or "environment DIXIAN_MASTER_KEY"
  bool generated = false;  // a new key file was written
};

engine::Result<LoadedKeys> LoadKeys(const std::string& key_file_flag, const std::string& generate_at = "");

// Writes a key file with mode 0600: a new file (fails if it exists), or, with replace, a
// temporary file renamed over the old one (rotation).
engine::Status WriteKeyFile(const std::string& path, const engine::KeyRing& ring, bool replace);

}  // namespace dixian::runtime
