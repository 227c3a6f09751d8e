#include "adapters/http/api_routes.h"

#include "engine/core/json_fields.h"

namespace dixian::http {

using engine::Engine;
using engine::Principal;
using nlohmann::json;

namespace {

using WriteMethod = void (Engine::*)(Engine::Call, engine::WriteDone);
using ReadById = engine::Result<json> (Engine::*)(const Principal&, const std::string&);

// Authenticates, then hands the principal on; 401 with the contract's body otherwise.
Handler Authed(Engine& engine, std::function<void(const Principal&, Request&, Reply)> next) {
  return [&engine, next = std::move(next)](Request& req, Reply reply) {
    auto who = engine.Authenticate(req.bearer);
    if (!who.ok()) return reply(Response::FromError(who.error()));
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

void AddApiRoutes(Router& r, Engine& e, Metrics& metrics) {
  r.Add("GET", "/healthz", "healthz", [](Request&, Reply reply) { reply(Response::Json(200, {{"status", "ok"}})); });
  r.Add("GET", "/metrics", "metrics", [&metrics](Request&, Reply reply) {
    Response resp;
    resp.content_type = "text/plain; version=0.0.4; charset=utf-8";
    resp.body = metrics.Render();
    reply(std::move(resp));
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
  r.Add("GET", v1 + "/audit/verify", "audit.verify", Read(e, [&e](const Principal& who, Request&) { return e.VerifyAudit(who); }));

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
