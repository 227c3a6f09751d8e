#include "adapters/http/api_routes.h"

#include "adapters/http/api_calls.h"
#include "adapters/http/json_input.h"
#include "adapters/http/json_views.h"
#include "adapters/http/read_pool.h"
#include "engine/commands/admin.h"
#include "engine/commands/cases.h"
#include "engine/commands/households.h"
#include "engine/commands/reports.h"
#include "engine/commands/tasks.h"
#include "engine/core/fields.h"

namespace dixian::http {

using engine::Engine;
using engine::Principal;
using nlohmann::json;

namespace {

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

Response NoSuchId() { return Response::ErrorBody(404, "not_found", "编号不合法或不存在"); }

// A write route: parse the body (JSON object, or raw CSV), build the call, run the command. The
// reply renders its JSON when the session sends it, after the commit.
Handler Write(Engine& engine, api::JsonWrite command, int status, bool csv = false) {
  return Authed(
      engine, [&engine, command, status, csv](const Principal& who, Request& req, Reply reply) {
        reply = WithUser(std::move(reply), who.user.id);
        api::JsonCall call{
            who, json::object(), "", req.idempotency_key, req.body, req.method + " " + req.path};
        if (auto it = req.params.find("id"); it != req.params.end()) {
          if (!engine::IsSafeId(it->second)) return reply(NoSuchId());
          call.id = it->second;
        }
        if (csv) {
          if (req.content_type != "text/csv")
            return reply(Response::ErrorBody(415, "unsupported_media_type",
                                             "请以 Content-Type: text/csv 上传 CSV 文件"));
        } else {
          auto body = ParseJsonBody(req.body.empty() ? "{}" : req.body);
          if (!body.ok()) return reply(Response::FromError(body.error()));
          if (!body.value().is_object())
            return reply(Response::ErrorBody(422, "body_not_object", "请求内容应为 JSON 对象"));
          call.body = std::move(body.value());
        }
        command(engine, std::move(call),
                [reply = std::move(reply), status](engine::Result<api::Body> r) {
                  reply(r.ok() ? Response::Deferred(status, std::move(r.value()))
                               : Response::FromError(r.error()));
                });
      });
}

template <class T>
Response Rendered(const engine::Result<T>& r) {
  return r.ok() ? Response::Json(200, ToJson(r.value())) : Response::FromError(r.error());
}

// A read route by path id: authenticates and answers from one snapshot on the read pool.
template <class T>
Handler ReadId(ReadPool& pool, Engine& engine,
               engine::Result<T> (*query)(Engine&, const Principal&, const std::string&)) {
  auto read = [&engine, query](const Principal& who, Request& req, Reply reply) {
    const std::string& id = req.params["id"];
    Response resp = engine::IsSafeId(id) ? Rendered(query(engine, who, id)) : NoSuchId();
    resp.user_id = who.user.id;
    reply(std::move(resp));
  };
  return OnReadPool(pool, Authed(engine, read));
}

// A read route: authenticates and runs `query` (which renders its JSON) on the read pool.
Handler Read(ReadPool& pool, Engine& engine,
             std::function<Response(const Principal&, Request&)> query) {
  auto read = [query = std::move(query)](const Principal& who, Request& req, Reply reply) {
    Response resp = query(who, req);
    resp.user_id = who.user.id;
    reply(std::move(resp));
  };
  return OnReadPool(pool, Authed(engine, read));
}

}  // namespace

void AddApiRoutes(Router& r, Engine& e, Metrics& metrics, ReadPool& pool) {
  r.Add("GET", "/healthz", "healthz", [](Request&, Reply reply) {
    reply(Response::Json(200, {{"status", "ok"}}));
  });
  r.Add("GET", "/metrics", "metrics", OnReadPool(pool, [&metrics](Request&, Reply reply) {
          Response resp;  // the gauges count rows: on the pool
          resp.content_type = "text/plain; version=0.0.4; charset=utf-8";
          resp.body = metrics.Render();
          reply(std::move(resp));
        }));
  const std::string v1 = "/api/v1";
  r.Add("POST", v1 + "/orgs", "orgs.create", Write(e, &api::CreateOrg, 201));
  r.Add("POST", v1 + "/orgs/import", "orgs.import", Write(e, &api::ImportOrgs, 200, true));
  r.Add("POST", v1 + "/users", "users.create", Write(e, &api::CreateUser, 201));
  r.Add("POST", v1 + "/users/{id}/revoke", "users.revoke", Write(e, &api::RevokeUser, 200));
  r.Add("POST", v1 + "/users/{id}/token", "users.token", Write(e, &api::ReissueToken, 200));
  r.Add("POST", v1 + "/channels", "channels.create", Write(e, &api::CreateChannel, 201));
  r.Add("GET", v1 + "/me", "me",
        Read(pool, e, [&e](const Principal& who, Request&) { return Rendered(engine::Me(e, who)); }));
  r.Add("GET", v1 + "/workflows", "workflows", Read(pool, e, [&e](const Principal&, Request&) {
          return Response::Json(200, WorkflowsJson(e.workflows()));
        }));

  r.Add("POST", v1 + "/households", "households.create", Write(e, &api::CreateHousehold, 201));
  r.Add("POST", v1 + "/households/import", "households.import",
        Write(e, &api::ImportHouseholds, 200, true));
  r.Add("GET", v1 + "/households/{id}", "households.get", ReadId(pool, e, &engine::GetHousehold));
  r.Add("GET", v1 + "/households/{id}/tasks", "households.tasks",
        ReadId(pool, e, &engine::HouseholdTasks));
  r.Add("GET", v1 + "/households/{id}/contact_candidates", "households.contact_candidates",
        ReadId(pool, e, &engine::ContactCandidates));
  r.Add("PUT", v1 + "/households/{id}/contact", "households.contact",
        Write(e, &api::AssignContact, 200));
  r.Add("POST", v1 + "/households/{id}/measures", "households.measures",
        Write(e, &api::RecordMeasure, 201));
  r.Add("POST", v1 + "/households/{id}/visits", "households.visits", Write(e, &api::LogVisit, 201));

  r.Add("POST", v1 + "/cases", "cases.create", Write(e, &api::CreateCase, 201));
  r.Add("GET", v1 + "/cases/{id}", "cases.get", ReadId(pool, e, &engine::GetCase));
  r.Add("GET", v1 + "/cases/{id}/history", "cases.history", ReadId(pool, e, &engine::CaseHistory));
  r.Add("POST", v1 + "/cases/{id}/actions", "cases.actions", Write(e, &api::ApplyAction, 200));

  r.Add("GET", v1 + "/tasks", "tasks.list", Read(pool, e, [&e](const Principal& who, Request&) {
          return Rendered(engine::MyTasks(e, who));
        }));
  r.Add("POST", v1 + "/tasks/{id}/complete", "tasks.complete", Write(e, &api::CompleteTask, 200));
  r.Add("GET", v1 + "/tasks/{id}/transfer_candidates", "tasks.transfer_candidates",
        ReadId(pool, e, &engine::TransferCandidates));
  r.Add("POST", v1 + "/tasks/{id}/transfer", "tasks.transfer", Write(e, &api::TransferTask, 200));
  r.Add("POST", v1 + "/tasks/{id}/urge", "tasks.urge", Write(e, &api::UrgeTask, 200));

  r.Add("GET", v1 + "/reports/monitoring", "reports.monitoring",
        Read(pool, e, [&e](const Principal& who, Request& req) {
          return Rendered(engine::ReportMonitoring(e, who, req.query["org"]));
        }));
  r.Add("GET", v1 + "/reports/overdue", "reports.overdue",
        Read(pool, e, [&e](const Principal& who, Request& req) {
          return Rendered(engine::ReportOverdue(e, who, req.query["org"]));
        }));
  r.Add("GET", v1 + "/audit/verify", "audit.verify", Read(pool, e, [&e](const Principal& who, Request&) {
          return Rendered(engine::VerifyAudit(e, who));
        }));

  // Advancing the clock waits for its writes: on the pool, never blocking an io thread.
  r.Add("POST", v1 + "/admin/clock", "admin.clock",
        OnReadPool(pool, Authed(e, [&e](const Principal& who, Request& req, Reply reply) {
          auto body = ParseJsonBody(req.body.empty() ? "{}" : req.body);
          if (!body.ok()) return reply(Response::FromError(body.error()));
          auto seconds = IntField(body.value(), "advance_seconds");
          if (!seconds.ok()) return reply(Response::FromError(seconds.error()));
          if (!seconds.value())
            return reply(Response::FromError(engine::MissingField("advance_seconds")));
          auto now = e.AdvanceClock(who, *seconds.value());
          reply(now.ok() ? Response::Json(200, {{"now", engine::FormatRfc3339(now.value())}})
                         : Response::FromError(now.error()));
        })));
}

}  // namespace dixian::http
