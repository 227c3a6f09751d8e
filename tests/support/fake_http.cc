#include "tests/support/fake_http.h"

#include <chrono>

#include "adapters/chat/signer.h"

namespace dixian::testing {

std::int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::map<std::string, std::string> QueryParams(const std::string& target) {
  std::map<std::string, std::string> out;
  const std::size_t q = target.find('?');
  const std::string rest = q == std::string::npos ? target : target.substr(q + 1);
  std::size_t i = 0;
  while (i < rest.size()) {
    std::size_t amp = rest.find('&', i);
    if (amp == std::string::npos) amp = rest.size();
    const std::string pair = rest.substr(i, amp - i);
    const std::size_t eq = pair.find('=');
    if (eq != std::string::npos) out[pair.substr(0, eq)] = chat::UrlDecode(pair.substr(eq + 1));
    i = amp + 1;
  }
  return out;
}

}  // namespace dixian::testing
