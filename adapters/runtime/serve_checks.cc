#include "adapters/runtime/serve_checks.h"

namespace dixian::runtime {

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  if (host.rfind("127.", 0) != 0) return false;
  int dots = 0;
  for (char c : host) {
    if (c == '.') ++dots;
    else if (c < '0' || c > '9') return false;
  }
  return dots == 3;
}

std::optional<std::string> RefuseToServe(const ServeOptions& options, const std::string& host,
                                         const std::string& admin_token, const std::string& metrics_token) {
  if (!admin_token.empty() && admin_token.size() < kMinTokenLength)
    return "DIXIAN_ADMIN_TOKEN 过短：至少 32 个字符（例如 openssl rand -hex 24 的输出） (the admin token needs at "
           "least 32 characters)";
  if (!metrics_token.empty() && metrics_token.size() < kMinTokenLength)
    return "DIXIAN_METRICS_TOKEN 过短：至少 32 个字符 (the metrics token needs at least 32 characters)";
  if (options.tls_cert.empty() != options.tls_key.empty())
    return "--tls-cert 与 --tls-key 须同时给出 (give both --tls-cert and --tls-key)";
  if (options.tls_cert.empty() && !IsLoopbackHost(host) && !options.insecure_http)
    return "--listen " + options.listen +
           " 可被其他机器访问，却没有 HTTPS：请用 --tls-cert/--tls-key，或在本机监听并由反向代理提供 HTTPS；"
           "确有 TLS 代理在前时可加 --insecure-http (a non-loopback listen needs TLS; see docs/security.md)";
  return std::nullopt;
}

}  // namespace dixian::runtime
