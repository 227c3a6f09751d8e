#pragma once
// A string as JSON text, byte for byte as nlohmann::json::dump() writes a valid UTF-8 string:
// UTF-8 kept as is, '"' and '\' escaped, control characters as \b \t \n \f \r or \u00xx. For
// text that must equal nlohmann's (the audit chain's canonical form, whose hashes must not
// change; outbox notice facts) without building a json value on the writer thread. It does not
// check the UTF-8 (nlohmann would refuse invalid UTF-8): callers pass checked or ASCII text.
#include <string>
#include <string_view>

namespace dixian::engine {

void AppendJsonString(std::string& out, std::string_view text);

}  // namespace dixian::engine
