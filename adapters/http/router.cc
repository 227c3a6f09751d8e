#include "adapters/http/router.h"

#include <algorithm>
#include <set>
#include <utility>

namespace dixian::http {
namespace {

bool IsParam(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::Add(std::string method, std::string pattern, std::string route_name, Handler h) {
  Route route;
  route.method = std::move(method);
  for (auto part : Split(pattern)) route.segments.emplace_back(part);
  route.name = std::move(route_name);
  route.handler = std::move(h);
  routes_.push_back(std::move(route));
}

std::vector<std::string_view> Router::Split(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t next = path.find('/', pos);
    if (next == std::string_view::npos) next = path.size();
    if (next > pos) parts.push_back(path.substr(pos, next - pos));
    if (next == path.size()) break;
    pos = next + 1;
  }
  // "/a/" and "/a" are different paths: keep an empty last segment for a trailing slash.
  if (path.size() > 1 && path.back() == '/') parts.emplace_back();
  return parts;
}

bool Router::Fits(const Route& route, const std::vector<std::string_view>& parts,
                  std::map<std::string, std::string>* params, std::string* score) {
  if (route.segments.size() != parts.size()) return false;
  params->clear();
  score->clear();
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string& seg = route.segments[i];
    if (IsParam(seg)) {
      if (parts[i].empty()) return false;
      (*params)[seg.substr(1, seg.size() - 2)] = std::string(parts[i]);
      score->push_back('0');
    } else {
      if (seg != parts[i]) return false;
      score->push_back('1');
    }
  }
  return true;
}

RouteMatch Router::Match(std::string_view method, std::string_view path) const {
  RouteMatch match;
  auto parts = Split(path);
  std::set<std::string> allowed;
  std::string best_score;
  std::map<std::string, std::string> params;
  std::string score;
  for (const Route& route : routes_) {
    if (!Fits(route, parts, &params, &score)) continue;
    if (route.method != method) {
      allowed.insert(route.method);
      continue;
    }
    if (match.handler == nullptr || score > best_score) {
      best_score = score;
      match.status = 200;
      match.handler = &route.handler;
      match.route_name = route.name;
      match.params = params;
    }
  }
  if (match.handler != nullptr) return match;
  if (allowed.empty()) {
    match.status = 404;
    match.route_name = "not_found";
    return match;
  }
  match.status = 405;
  match.route_name = "method_not_allowed";
  for (const auto& m : allowed) {
    if (!match.allow.empty()) match.allow += ", ";
    match.allow += m;
  }
  return match;
}

void Router::SetFallback(std::string route_name, Handler h) {
  fallback_name_ = std::move(route_name);
  fallback_ = std::move(h);
}

void Router::Dispatch(Request& req, Reply reply) const {
  const bool head = req.method == "HEAD";
  RouteMatch match = Match(req.method, req.path);
  if (match.status != 200 && head) {
    RouteMatch as_get = Match("GET", req.path);
    if (as_get.status == 200) match = std::move(as_get);
  }
  const bool is_api = req.path.rfind("/api/", 0) == 0;
  if (match.status == 404 && fallback_ && !is_api && (req.method == "GET" || head)) {
    req.route = fallback_name_;
    return fallback_(req, std::move(reply));
  }
  req.route = match.route_name;
  if (match.status == 404) return reply(NotFoundResponse(req.path));
  if (match.status == 405) return reply(MethodNotAllowedResponse(req.method, match.allow));
  req.params = std::move(match.params);
  (*match.handler)(req, std::move(reply));
}

Response NotFoundResponse(std::string_view path) {
  return Response::ErrorBody(404, "not_found", "找不到该地址：" + std::string(path));
}

Response MethodNotAllowedResponse(std::string_view method, std::string_view allow) {
  Response r = Response::ErrorBody(
      405, "method_not_allowed",
      "该地址不支持 " + std::string(method) + " 方法，可用方法：" + std::string(allow));
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

}  // namespace dixian::http
