#pragma once
#include <string>
#include <string_view>

namespace dixian::engine {

std::string Sha256Hex(std::string_view data);
// Constant-time comparison of equal-length secrets (token hashes).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace dixian::engine
