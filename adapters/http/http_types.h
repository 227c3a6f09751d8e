#pragma once
// The request/response values handlers see. No Beast types here: handlers stay independent of the
// transport, and this header stays cheap to include.
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "engine/core/error.h"

namespace dixian::http {

struct Request {
  std::string method;                         // "GET", "POST", ...
  std::string target;                         // raw target as sent (may hold a query string)
  std::string path;                           // percent-decoded path without the query
  std::map<std::string, std::string> query;   // decoded query parameters ('+' is a space)
  std::map<std::string, std::string> params;  // path parameters from the route pattern, e.g. {id}
  std::string body;
  std::string content_type;     // lower-case media type without parameters
  std::string bearer;           // token of "Authorization: Bearer X"; empty if none
  std::string idempotency_key;  // "Idempotency-Key" header
  std::string remote;           // peer address "ip:port"
  std::string route;            // route name chosen by the router (set by Server)
  // Every header, names lower-case, in arrival order. The Authorization header is kept here for
  // handlers that need it; never log it.
  std::vector<std::pair<std::string, std::string>> headers;

  // The first header with this name (case-insensitive), or "" when absent.
  std::string Header(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, e.g. Allow
  std::string user_id;  // set by handlers after auth, for the access log (never a token)
  // When set, the body is rendered by calling it on the connection's own thread just before the
  // response is sent (a write's reply is rendered after its commit, off the writer thread).
  std::function<std::string()> render;

  // status with body serialized as compact JSON (UTF-8 kept as is).
  static Response Json(int status, const nlohmann::json& body);
  // status with a JSON body that `render` produces when the response is sent.
  static Response Deferred(int status, std::function<std::string()> render);
  // The contract's {"error":{"code","message"}} with the status mapped from e.code.
  static Response FromError(const engine::Error& e);
  // {"error":{"code":slug,"message":message}} with an explicit status.
  static Response ErrorBody(int status, std::string_view slug, std::string_view message);
};

// Sends the response. Call exactly once, from any thread (e.g. the commit thread), also after the
// handler has returned. Later calls are ignored. If a Reply is destroyed without being called, the
// client gets a 500. Calling it after the client went away is harmless.
using Reply = std::function<void(Response)>;
using Handler = std::function<void(Request&, Reply)>;

}  // namespace dixian::http

namespace dixian::http {

// Decodes %XX escapes; with plus_is_space also '+' -> ' ' (query strings). Returns false on a bad
// escape ("%zz", "%4").
bool PercentDecode(std::string_view in, bool plus_is_space, std::string* out);
// "a=1&b=x%20y" -> {a:1, b:"x y"}; the first of repeated keys wins. Bad escapes are kept raw.
std::map<std::string, std::string> ParseQuery(std::string_view query);
// "Application/JSON; charset=utf-8" -> "application/json".
std::string MediaType(std::string_view content_type);
// "Bearer abc" (scheme case-insensitive) -> "abc"; anything else -> "".
std::string BearerToken(std::string_view authorization);

}  // namespace dixian::http
