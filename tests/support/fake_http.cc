#include "tests/support/fake_http.h"

#include <chrono>

#include "adapters/http/http_types.h"

namespace dixian::testing {

std::int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::map<std::string, std::string> QueryParams(const std::string& target) {
  const std::size_t q = target.find('?');
  return http::ParseQuery(q == std::string::npos ? target : target.substr(q + 1));
}

}  // namespace dixian::testing
