#pragma once
// What `dixian serve` refuses before it starts (docs/security.md): an admin or metrics token
// under 32 characters, half a TLS pair, and a listen address other machines can reach without
// TLS, unless --insecure-http says that a TLS proxy in front does it.
#include <optional>
#include <string>

#include "adapters/runtime/serve.h"

namespace dixian::runtime {

inline constexpr std::size_t kMinTokenLength = 32;

// 127.0.0.0/8, ::1, localhost.
bool IsLoopbackHost(const std::string& host);

// Why the server must not start with these options, or nothing.
std::optional<std::string> RefuseToServe(const ServeOptions& options, const std::string& host,
                                         const std::string& admin_token, const std::string& metrics_token);

}  // namespace dixian::runtime
