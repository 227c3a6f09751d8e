#pragma once
// Secrets at rest (robot URLs with their access tokens, signing secrets, app credentials):
// AES-256-GCM (OpenSSL EVP) under the secrets key derived from the master key (keys.h), which
// never enters the database. Sealed text: "dxs1:<key id>:<base64 of nonce(12) | ciphertext |
// tag(16)>", a fresh random nonce per seal. The associated data names where the value lives
// ("channels.url:<channel id>"): a sealed value copied into another row or column does not open,
// so someone with write access to the file cannot move one channel's secret to another.
//
// Use: Seal before a value is written, Open after it is read (adapters/store does this for the
// channel columns; chat adapters call the same for their own columns). Empty stays empty.
#include <memory>
#include <string>
#include <string_view>

#include "engine/core/error.h"
#include "engine/core/keys.h"

namespace dixian::engine {

class SecretBox {
 public:
  explicit SecretBox(std::shared_ptr<const KeyRing> keys);

  // Seals under the current key. "" seals to "".
  Result<std::string> Seal(std::string_view plaintext, std::string_view where) const;
  // Opens text sealed under any key of the ring. Plain (unsealed) text, an unknown key or a
  // failed tag check is an error: a stored secret is never taken as is.
  Result<std::string> Open(std::string_view sealed, std::string_view where) const;

  static bool IsSealed(std::string_view text);
  // The key id a sealed text names ("" when it is not sealed).
  static std::string KeyOf(std::string_view sealed);
  const KeyRing& keys() const { return *keys_; }

 private:
  std::shared_ptr<const KeyRing> keys_;
};

}  // namespace dixian::engine
