#pragma once
// HTTP(S) requests to the chat platforms. https verifies the peer against the system CAs, with
// SNI and host-name verification; plain http is allowed only to loopback hosts. The delivery
// worker sends through io_loop.h (coroutines on one io_context); HttpSend here is the blocking
// form for one-off calls (`dixian channel test`, tests).
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

struct HttpRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;            // sent with POST; GET sends none
  std::string method = "POST";  // POST | GET
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

// Blocks until the answer, a timeout or an error. Errors (engine::Error slug): "bad_url",
// "insecure_url" (http to a non-loopback host: never sent), "timeout", "connect_failed",
// "tls_failed", "io_failed". The first two are permanent.
engine::Result<HttpResponse> HttpSend(const HttpRequest& request, const HttpTimeouts& timeouts);
inline engine::Result<HttpResponse> HttpPost(
    const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
    const std::string& body, const HttpTimeouts& timeouts) {
  return HttpSend(HttpRequest{url, headers, body, "POST"}, timeouts);
}

// Permanent errors: nothing left this machine and retrying cannot help.
inline bool IsPermanentSendError(const engine::Error& e) {
  return e.slug == "insecure_url" || e.slug == "bad_url";
}

}  // namespace dixian::chat
