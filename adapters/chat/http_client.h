#pragma once
// One HTTP(S) POST with timeouts. https verifies the peer against the system CAs, with SNI and
// host-name verification; plain http is allowed only to loopback hosts. Synchronous: the
// calling thread blocks until the answer, a timeout or an error.
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/error.h"

namespace dixian::chat {

struct HttpTimeouts {
  std::chrono::milliseconds connect{5000};
  std::chrono::milliseconds write{5000};
  std::chrono::milliseconds read{10000};
};

struct HttpResponse {
  int status = 0;
  std::string body;
};

struct ParsedUrl {
  bool https = false;
  std::string host;  // without brackets for IPv6
  std::string port;
  std::string target;  // path and query, at least "/"
};

// Errors: slug "bad_url" (malformed or unsupported scheme).
engine::Result<ParsedUrl> ParseUrl(const std::string& url);
bool IsLoopbackHost(const std::string& host);  // localhost, 127.0.0.0/8, ::1

// Errors (engine::Error slug): "bad_url", "insecure_url" (http to a non-loopback host: never
// sent), "timeout", "connect_failed", "tls_failed", "io_failed". The first two are permanent.
engine::Result<HttpResponse> HttpPost(const std::string& url,
                                      const std::vector<std::pair<std::string, std::string>>& headers,
                                      const std::string& body, const HttpTimeouts& timeouts);

}  // namespace dixian::chat
