#pragma once
// Maps (method, path) to a handler. Patterns are literal segments and {name} parameters:
// "/api/v1/cases/{id}/actions". A literal segment wins over a parameter in the same place, so
// "/api/v1/households/import" and "/api/v1/households/{id}" can live side by side.
// Add routes before Server::Start; afterwards the router is only read (safe from many threads).
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/http/http_types.h"

namespace dixian::http {

struct RouteMatch {
  int status = 404;                  // 200 found, 404 unknown path, 405 known path, wrong method
  const Handler* handler = nullptr;  // set when status == 200
  std::string route_name;            // the route's name; "not_found" / "method_not_allowed" else
  std::map<std::string, std::string> params;
  std::string allow;  // for 405: "GET, POST"
};

class Router {
 public:
  // pattern like "/api/v1/cases/{id}/actions"; route_name labels metrics and the access log.
  void Add(std::string method, std::string pattern, std::string route_name, Handler h);

  // Finds the route for a decoded path (no query string).
  RouteMatch Match(std::string_view method, std::string_view path) const;

  // Called for a GET or HEAD of a path outside /api/ that no route matches (the web console's
  // static files); req.route is set to route_name.
  void SetFallback(std::string route_name, Handler h);

  // The one dispatch path (the server calls it for every request): matches, fills req.params
  // and req.route, and calls the handler. HEAD runs the GET route when there is no HEAD route
  // (the server drops the body). Unknown path -> the fallback, else a 404 JSON error; known
  // path, wrong method -> 405 JSON error with an Allow header. Does not catch.
  void Dispatch(Request& req, Reply reply) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{id}" kept as is
    std::string name;
    Handler handler;
  };
  static std::vector<std::string_view> Split(std::string_view path);
  // Returns true and fills params when the path fits; score ranks literal matches first.
  static bool Fits(const Route& route, const std::vector<std::string_view>& parts,
                   std::map<std::string, std::string>* params, std::string* score);

  std::vector<Route> routes_;
  std::string fallback_name_;
  Handler fallback_;
};

// 404 / 405 responses in the contract's error format (message in Chinese for officials).
Response NotFoundResponse(std::string_view path);
Response MethodNotAllowedResponse(std::string_view method, std::string_view allow);

}  // namespace dixian::http
