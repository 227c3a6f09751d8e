#include "adapters/http/api_routes.h"

#include "engine/core/json_fields.h"
#include "engine/core/sha256.h"

namespace dixian::http {

using engine::Engine;
using engine::Principal;
using nlohmann::json;

namespace {

using WriteMethod = void (Engine::*)(Engine::Call, engine::WriteDone);
using ReadById = engine::Result<json> (Engine::*)(const Principal&, const std::string&);

// The options of the routes being registered: AddApiRoutes sets it, each handler keeps its own
// reference (so routers registered one after another keep theirs).
std::shared_ptr<const ApiOptions> api_options;

// Authenticates, then hands the principal on; 401 with the contract's body otherwise. An address
// with too many refused tokens gets 429 and Retry-After instead, before its token is checked.
Handler Authed(Engine& engine, std::function<void(const Principal&, Request&, Reply)> next) {
  return [&engine, next = std::move(next), options = api_options](Request& req, Reply reply) {
    // (options is null only for routes made outside AddApiRoutes.)
    AuthThrottle* throttle = options ? options->throttle : nullptr;
    const std::string client =
        throttle ? ClientAddress(req.remote, req.Header("x-forwarded-for"), options->trusted_proxies) : "";
    if (throttle)
      if (const int wait = throttle->RetryAfter(client); wait > 0) {
        Response r = Response::ErrorBody(429, "too_many_failed_logins",
                                         "该地址的访问令牌验证失败次数过多，请 " + std::to_string(wait) +
                                             " 秒后再试 (too many failed authentications from this address)");
        r.headers.emplace_back("Retry-After", std::to_string(wait));
        return reply(std::move(r));
      }
    auto who = engine.Authenticate(req.bearer);
    if (!who.ok()) {
      if (throttle && !req.bearer.empty() && who.error().code == engine::ErrorCode::kUnauthenticated)
        throttle->Failed(client);
      return reply(Response::FromError(who.error()));
    }
    next(who.value(), req, std::move(reply));
  };
}

Reply WithUser(Reply reply, const std::string& user) {
  return [reply = std::move(reply), user](Response r) {
    r.user_id = user;
    reply(std::move(r));
  };
}

engine::WriteDone Respond(Reply reply, int status) {
  return [reply = std::move(reply), status](engine::Result<json> r) {
    reply(r.ok() ? Response::Json(status, r.value()) : Response::FromError(r.error()));
  };
}

// A write route: parse the body (JSON object, or raw CSV), build the call, run the command.
Handler Write(Engine& engine, WriteMethod method, int status, bool csv = false) {
  return Authed(engine, [&engine, method, status, csv](const Principal& who, Request& req, Reply reply) {
    reply = WithUser(std::move(reply), who.user.id);
    Engine::Call call{who, json::object(), "", req.idempotency_key, req.body, req.method + " " + req.path};
    if (auto it = req.params.find("id"); it != req.params.end()) {
      if (!engine::IsSafeId(it->second))
        return reply(Response::ErrorBody(404, "not_found", "编号不合法或不存在 (no such id)"));
      call.id = it->second;
    }
    if (csv) {
      if (req.content_type != "text/csv")
        return reply(Response::ErrorBody(415, "unsupported_media_type", "请以 Content-Type: text/csv 上传 CSV 文件"));
    } else {
      auto body = engine::ParseJsonBody(req.body.empty() ? "{}" : req.body);
      if (!body.ok()) return reply(Response::FromError(body.error()));
      if (!body.value().is_object())
        return reply(Response::ErrorBody(422, "body_not_object", "请求内容应为 JSON 对象 (body must be a JSON object)"));
      call.body = std::move(body.value());
    }
    (engine.*method)(std::move(call), Respond(std::move(reply), status));
  });
}

Handler ReadId(Engine& engine, ReadById method) {
  return Authed(engine, [&engine, method](const Principal& who, Request& req, Reply reply) {
    const std::string& id = req.params["id"];
    if (!engine::IsSafeId(id)) return reply(Response::ErrorBody(404, "not_found", "编号不合法或不存在 (no such id)"));
    auto r = (engine.*method)(who, id);
    Response resp = r.ok() ? Response::Json(200, r.value()) : Response::FromError(r.error());
    resp.user_id = who.user.id;
    reply(std::move(resp));
  });
}

Handler Read(Engine& engine, std::function<engine::Result<json>(const Principal&, Request&)> query) {
  return Authed(engine, [query = std::move(query)](const Principal& who, Request& req, Reply reply) {
    auto r = query(who, req);
    Response resp = r.ok() ? Response::Json(200, r.value()) : Response::FromError(r.error());
    resp.user_id = who.user.id;
    reply(std::move(resp));
  });
}

}  // namespace

void AddApiRoutes(Router& r, Engine& e, Metrics& metrics, ApiOptions options) {
  api_options = std::make_shared<const ApiOptions>(std::move(options));
  r.Add("GET", "/healthz", "healthz", [](Request&, Reply reply) { reply(Response::Json(200, {{"status", "ok"}})); });
  // Metrics name routes, volumes and backlogs: the admin or the metrics token only.
  auto metrics_page = [&metrics](Reply reply) {
    Response resp;
    resp.content_type = "text/plain; version=0.0.4; charset=utf-8";
    resp.body = metrics.Render();
    reply(std::move(resp));
  };
  const std::string metrics_token = api_options->metrics_token;
  Handler as_admin = Authed(e, [metrics_page](const Principal& who, Request&, Reply reply) {
    if (!who.IsAdmin() || !who.user.org_path.empty())
      return reply(Response::ErrorBody(403, "forbidden", "只有管理员或监控令牌可以读取运行指标 (metrics need the admin or metrics token)"));
    metrics_page(std::move(reply));
  });
  r.Add("GET", "/metrics", "metrics", [metrics_page, metrics_token, as_admin](Request& req, Reply reply) {
    if (!metrics_token.empty() && engine::ConstantTimeEquals(engine::Sha256Hex(req.bearer), engine::Sha256Hex(metrics_token)))
      return metrics_page(std::move(reply));
    as_admin(req, std::move(reply));
  });
  const std::string v1 = "/api/v1";
  r.Add("POST", v1 + "/orgs", "orgs.create", Write(e, &Engine::CreateOrg, 201));
  r.Add("POST", v1 + "/orgs/import", "orgs.import", Write(e, &Engine::ImportOrgs, 200, true));
  r.Add("POST", v1 + "/users", "users.create", Write(e, &Engine::CreateUser, 201));
  r.Add("POST", v1 + "/users/{id}/revoke", "users.revoke", Write(e, &Engine::RevokeUser, 200));
  r.Add("POST", v1 + "/users/{id}/token", "users.token", Write(e, &Engine::ReissueToken, 200));
  r.Add("POST", v1 + "/channels", "channels.create", Write(e, &Engine::CreateChannel, 201));
  r.Add("GET", v1 + "/me", "me", Read(e, [&e](const Principal& who, Request&) { return e.Me(who); }));
  r.Add("GET", v1 + "/workflows", "workflows", Read(e, [&e](const Principal&, Request&) { return e.Workflows(); }));

  r.Add("POST", v1 + "/households", "households.create", Write(e, &Engine::CreateHousehold, 201));
  r.Add("POST", v1 + "/households/import", "households.import", Write(e, &Engine::ImportHouseholds, 200, true));
  r.Add("GET", v1 + "/households/{id}", "households.get", ReadId(e, &Engine::GetHousehold));
  r.Add("GET", v1 + "/households/{id}/tasks", "households.tasks", ReadId(e, &Engine::HouseholdTasks));
  r.Add("GET", v1 + "/households/{id}/contact_candidates", "households.contact_candidates",
        ReadId(e, &Engine::ContactCandidates));
  r.Add("PUT", v1 + "/households/{id}/contact", "households.contact", Write(e, &Engine::AssignContact, 200));
  r.Add("POST", v1 + "/households/{id}/measures", "households.measures", Write(e, &Engine::RecordMeasure, 201));
  r.Add("POST", v1 + "/households/{id}/visits", "households.visits", Write(e, &Engine::LogVisit, 201));

  r.Add("POST", v1 + "/cases", "cases.create", Write(e, &Engine::CreateCase, 201));
  r.Add("GET", v1 + "/cases/{id}", "cases.get", ReadId(e, &Engine::GetCase));
  r.Add("GET", v1 + "/cases/{id}/history", "cases.history", ReadId(e, &Engine::CaseHistory));
  r.Add("POST", v1 + "/cases/{id}/actions", "cases.actions", Write(e, &Engine::ApplyAction, 200));

  r.Add("GET", v1 + "/tasks", "tasks.list", Read(e, [&e](const Principal& who, Request&) { return e.MyTasks(who); }));
  r.Add("POST", v1 + "/tasks/{id}/complete", "tasks.complete", Write(e, &Engine::CompleteTask, 200));
  r.Add("GET", v1 + "/tasks/{id}/transfer_candidates", "tasks.transfer_candidates",
        ReadId(e, &Engine::TransferCandidates));
  r.Add("POST", v1 + "/tasks/{id}/transfer", "tasks.transfer", Write(e, &Engine::TransferTask, 200));
  r.Add("POST", v1 + "/tasks/{id}/urge", "tasks.urge", Write(e, &Engine::UrgeTask, 200));

  r.Add("GET", v1 + "/reports/monitoring", "reports.monitoring",
        Read(e, [&e](const Principal& who, Request& req) { return e.MonitoringReport(who, req.query["org"]); }));
  r.Add("GET", v1 + "/reports/overdue", "reports.overdue",
        Read(e, [&e](const Principal& who, Request& req) { return e.OverdueReport(who, req.query["org"]); }));
  r.Add("GET", v1 + "/audit/verify", "audit.verify",
        Read(e, [&e](const Principal& who, Request& req) { return e.VerifyAudit(who, req.query["checkpoint"]); }));
  r.Add("GET", v1 + "/audit/checkpoint", "audit.checkpoint",
        Read(e, [&e](const Principal& who, Request&) { return e.CheckpointAudit(who); }));

  r.Add("POST", v1 + "/admin/clock", "admin.clock", Authed(e, [&e](const Principal& who, Request& req, Reply reply) {
    auto body = engine::ParseJsonBody(req.body.empty() ? "{}" : req.body);
    if (!body.ok()) return reply(Response::FromError(body.error()));
    auto seconds = engine::RequiredInt(body.value(), "advance_seconds", 0, 10LL * 365 * 86400);
    if (!seconds.ok()) return reply(Response::FromError(seconds.error()));
    auto r = e.AdvanceClock(who, seconds.value());
    reply(r.ok() ? Response::Json(200, r.value()) : Response::FromError(r.error()));
  }));
}

}  // namespace dixian::http
