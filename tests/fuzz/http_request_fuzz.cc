// Fuzzes the request path of adapters/http without sockets: the input is "METHOD TARGET\n
// HEADER-VALUE"; the target is split at '?', the path percent-decoded and matched against the API's
// route patterns, the query parsed; the header value goes through BearerToken and MediaType.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/http/router.h"

using namespace dixian::http;

namespace {

const Router& Routes() {
  static const Router router = [] {
    Router r;
    const char* kRoutes[][2] = {
        {"GET", "/healthz"}, {"GET", "/metrics"}, {"POST", "/api/v1/orgs"}, {"POST", "/api/v1/orgs/import"},
        {"POST", "/api/v1/users"}, {"POST", "/api/v1/channels"}, {"GET", "/api/v1/me"}, {"GET", "/api/v1/workflows"},
        {"POST", "/api/v1/households"}, {"POST", "/api/v1/households/import"}, {"GET", "/api/v1/households/{id}"},
        {"GET", "/api/v1/households/{id}/tasks"}, {"PUT", "/api/v1/households/{id}/contact"},
        {"POST", "/api/v1/households/{id}/measures"}, {"POST", "/api/v1/households/{id}/visits"},
        {"POST", "/api/v1/cases"}, {"GET", "/api/v1/cases/{id}"}, {"GET", "/api/v1/cases/{id}/history"},
        {"POST", "/api/v1/cases/{id}/actions"}, {"GET", "/api/v1/tasks"}, {"POST", "/api/v1/tasks/{id}/complete"},
        {"POST", "/api/v1/tasks/{id}/transfer"}, {"POST", "/api/v1/tasks/{id}/urge"},
        {"GET", "/api/v1/reports/monitoring"}, {"GET", "/api/v1/reports/overdue"}, {"GET", "/api/v1/audit/verify"},
        {"POST", "/api/v1/admin/clock"}};
    for (const auto& [method, pattern] : kRoutes) r.Add(method, pattern, pattern, [](Request&, Reply) {});
    return r;
  }();
  return router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const auto nl = in.find('\n');
  const std::string_view line = in.substr(0, nl);
  const std::string_view header = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  const auto sp = line.find(' ');
  const std::string_view method = line.substr(0, sp);
  const std::string_view target = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
  const auto q = target.find('?');
  std::string path;
  if (PercentDecode(target.substr(0, q), false, &path)) {
    auto m = Routes().Match(method, path);
    if (m.status == 200 && m.params.count("id")) (void)m.params.at("id").size();
  }
  if (q != std::string_view::npos) (void)ParseQuery(target.substr(q + 1));
  (void)BearerToken(header);
  (void)MediaType(header);
  return 0;
}
