#pragma once
// Random bytes for secrets (tokens, keys, nonces) from OpenSSL's CSPRNG. Every call is checked: a
// generator that fails gives an error, never predictable bytes.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "engine/core/error.h"

namespace dixian::engine {

Result<std::string> RandomBytes(std::size_t n);
// 2n lower-case hex characters from n random bytes.
Result<std::string> RandomHex(std::size_t n);
std::string ToHex(std::string_view bytes);
// The bytes of a hex string, or nothing if it is not hex of even length.
std::optional<std::string> FromHex(std::string_view hex);

}  // namespace dixian::engine
