#pragma once
// Channel secrets sealed at rest (engine/core/secret_box.h): the columns url, secret and app of
// channels hold "dxs1:..." text, never the robot's access token or a signing secret in clear.
#include "adapters/store/sql/connection.h"
#include "engine/core/secret_box.h"

namespace dixian::store {

// Re-seals every channel's url, secret and app under the current key: sealed values are opened
// with the key they name; unsealed ones are taken as they are only when `accept_plaintext` (the
// migration of an older database, `dixian keys reencrypt`). Returns the channels rewritten.
engine::Result<int> ResealChannels(Connection& conn, const engine::SecretBox& secrets, bool accept_plaintext);

// The key check in meta (secrets_check): a known text sealed under the ring. Opens it when present
// (an error names a key that does not match this database), writes it when absent or `rewrite`.
engine::Status CheckKeyCanary(Connection& conn, const engine::SecretBox& secrets, bool rewrite);

}  // namespace dixian::store
