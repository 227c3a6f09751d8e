#pragma once
// Small pieces the local fakes of the chat platforms share: the wall clock they default to and
// the query string of a request target.

#include <cstdint>
#include <map>
#include <string>

namespace dixian::testing {

std::int64_t WallClockMs();

// "a=1&b=%2B" (with or without a leading path and '?') as a map, values URL-decoded.
std::map<std::string, std::string> QueryParams(const std::string& target);

}  // namespace dixian::testing
