#include "adapters/http/api_routes.h"

#include <chrono>
#include <optional>

#include "adapters/http/api_calls.h"
#include "adapters/http/auth_cache.h"
#include "adapters/http/evidence_calls.h"
#include "adapters/http/json_input.h"
#include "adapters/http/json_views.h"
#include "adapters/http/read_pool.h"
#include "adapters/http/worklist_views.h"
#include "adapters/http/report_export.h"
#include "engine/commands/admin.h"
#include "engine/commands/cases.h"
#include "engine/commands/households.h"
#include "engine/commands/leads.h"
#include "engine/commands/reports.h"
#include "engine/commands/sessions.h"
#include "engine/commands/tasks.h"
#include "engine/commands/worklists.h"
#include "engine/core/fields.h"
#include "engine/core/sha256.h"

namespace dixian::http {

using engine::Engine;
using engine::Principal;
using nlohmann::json;

namespace {

// The options of the routes being registered: AddApiRoutes sets it, each handler keeps its own
// reference (so routers registered one after another keep theirs).
std::shared_ptr<const ApiOptions> api_options;
// Who each bearer token is, for the routes being registered (same lifetime rule as api_options).
std::shared_ptr<AuthCache> auth_cache;
// Where the write routes being registered report how long the engine took to answer.
Metrics* write_metrics = nullptr;

// The per-address throttle of refused sign-ins (tokens and chat sign-in codes alike): an address
// with too many refusals gets 429 and Retry-After before its credential is even checked.
class SignInGuard {
 public:
  SignInGuard(std::shared_ptr<const ApiOptions> options, const Request& req)
      : options_(std::move(options)) {
    if (throttle())
      client_ = ClientAddress(req.remote, req.Header("x-forwarded-for"), options_->trusted_proxies);
  }
  std::optional<Response> Refusal() const {
    const int wait = throttle() ? throttle()->RetryAfter(client_) : 0;
    if (wait <= 0) return std::nullopt;
    Response r = Response::ErrorBody(429, "too_many_failed_logins",
                                     "该地址的登录验证失败次数过多，请 " + std::to_string(wait) + " 秒后再试");
    r.headers.emplace_back("Retry-After", std::to_string(wait));
    return r;
  }
  void Failed() const {
    if (throttle()) throttle()->Failed(client_);
  }

 private:
  AuthThrottle* throttle() const { return options_ ? options_->throttle : nullptr; }
  std::shared_ptr<const ApiOptions> options_;
  std::string client_;
};

// Authenticates, then hands the principal on; 401 with the contract's body otherwise.
Handler Authed(Engine& engine, std::function<void(const Principal&, Request&, Reply)> next) {
  return [&engine, next = std::move(next), options = api_options, cache = auth_cache](
             Request& req, Reply reply) {
    const SignInGuard guard(options, req);
    if (auto refusal = guard.Refusal()) return reply(std::move(*refusal));
    auto who = cache->Authenticate(engine, req.bearer);
    if (!who.ok()) {
      if (!req.bearer.empty() && who.error().code == engine::ErrorCode::kUnauthenticated)
        guard.Failed();
      return reply(Response::FromError(who.error()));
    }
    next(who.value(), req, std::move(reply));
  };
}

// A write that changes who a token is (revoke, reissue, move): the token cache forgets everything
// before the write runs and again once it has committed, before its reply leaves; so the next
// request with the old token, sent after this reply, is judged from the store.
Handler ChangesTokens(Handler write) {
  return [cache = auth_cache, write = std::move(write)](Request& req, Reply reply) {
    cache->Invalidate();
    write(req, [cache, reply = std::move(reply)](Response r) {
      cache->Invalidate();
      reply(std::move(r));
    });
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
      engine, [&engine, command, status, csv, metrics = write_metrics](const Principal& who,
                                                                        Request& req, Reply reply) {
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
                [reply = std::move(reply), status, metrics,
                 start = std::chrono::steady_clock::now()](engine::Result<api::Body> r) {
                  if (metrics)
                    metrics->ObserveWriteWait(std::chrono::duration<double>(
                        std::chrono::steady_clock::now() - start).count());
                  reply(r.ok() ? Response::Deferred(status, std::move(r.value()))
                               : Response::FromError(r.error()));
                });
      });
}

template <class T>
Response Rendered(const engine::Result<T>& r) {
  return r.ok() ? Response::Json(200, ToJson(r.value())) : Response::FromError(r.error());
}

// A report as JSON, or with ?format=csv|xlsx as a download named `stem`-<org>.
template <class T>
Response Report(const engine::Result<T>& r, Request& req, const std::string& stem) {
  const std::string format = req.query["format"];
  if (!r.ok() || format.empty() || format == "json") return Rendered(r);
  auto file = Export(TablesOf(r.value()), format, stem + "-" + r.value().org.code);
  if (!file.ok()) return Response::FromError(file.error());
  Response resp;
  resp.content_type = file.value().content_type;
  resp.body = std::move(file.value().body);
  resp.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file.value().filename + "\"");
  return resp;
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

// An upload (raw body up to the upload limit): hashed and written durably on the read pool, never
// on an io thread; the row commits on the writer, the reply renders after it.
Handler Upload(ReadPool& pool, Engine& engine,
               void (*attach)(Engine&, const Principal&, Request&, api::JsonDone)) {
  auto upload = [&engine, attach](const Principal& who, Request& req, Reply reply) {
    reply = WithUser(std::move(reply), who.user.id);
    if (!engine::IsSafeId(req.params["id"])) return reply(NoSuchId());
    attach(engine, who, req, [reply = std::move(reply)](engine::Result<api::Body> r) {
      reply(r.ok() ? Response::Deferred(201, std::move(r.value())) : Response::FromError(r.error()));
    });
  };
  return OnReadPool(pool, Authed(engine, upload));
}

// A list's `limit` from the query string (default 50).
int LimitOf(Request& req) {
  const std::string& text = req.query["limit"];
  int n = 0;
  for (char c : text)
    if (c >= '0' && c <= '9' && n < 10000) n = n * 10 + (c - '0');
  return text.empty() ? 50 : n;
}

Response Json(engine::Result<nlohmann::json> r) {
  return r.ok() ? Response::Json(200, std::move(r.value())) : Response::FromError(r.error());
}

template <class T>
engine::Result<nlohmann::json> As(engine::Result<T> r, nlohmann::json (*render)(const T&)) {
  if (!r.ok()) return r.error();
  return render(r.value());
}

// The console's lists, household search and sessions (docs/api.md, "The console").
void AddConsoleRoutes(Router& r, Engine& e, ReadPool& pool, const std::string& v1) {
  r.Add("GET", v1 + "/me/done", "me.done", Read(pool, e, [&e](const Principal& who, Request& req) {
          return Json(As(engine::MyDone(e, who, LimitOf(req)), &DoneJson));
        }));
  r.Add("GET", v1 + "/me/started", "me.started", Read(pool, e, [&e](const Principal& who, Request& req) {
          return Json(As(engine::MyStarted(e, who, LimitOf(req)), &StartedJson));
        }));
  r.Add("GET", v1 + "/me/copied", "me.copied", Read(pool, e, [&e](const Principal& who, Request&) {
          return Json(As(engine::MyCopied(e, who), &CopiedJson));
        }));
  // POST: an ID number searched for stays out of URLs, access logs and browser history.
  r.Add("POST", v1 + "/households/search", "households.search",
        Read(pool, e, [&e](const Principal& who, Request& req) {
          auto body = ParseJsonBody(req.body.empty() ? "{}" : req.body);
          if (!body.ok()) return Response::FromError(body.error());
          if (!body.value().is_object())
            return Response::ErrorBody(422, "body_not_object", "请求内容应为 JSON 对象");
          const auto& q = body.value().value("q", nlohmann::json());
          if (!q.is_string()) return Response::FromError(engine::MissingField("q"));
          const auto limit = body.value().value("limit", nlohmann::json(20));
          return Json(As(engine::SearchHouseholds(e, who, q.get<std::string>(),
                                                  limit.is_number_integer() ? limit.get<int>() : 20),
                         &HitsJson));
        }));
  // A session from the caller's own user token (Authorization), or from a chat platform's
  // sign-in code: {"channel","code"} without Authorization.
  r.Add("POST", v1 + "/sessions", "sessions.create",
        OnReadPool(pool, [&e, options = api_options](Request& req, Reply reply) {
    const SignInGuard guard(options, req);
    if (auto refusal = guard.Refusal()) return reply(std::move(*refusal));
    if (!req.bearer.empty()) {
      auto who = e.Authenticate(req.bearer);
      if (!who.ok()) {
        if (who.error().code == engine::ErrorCode::kUnauthenticated) guard.Failed();
        return reply(Response::FromError(who.error()));
      }
      auto s = engine::StartSession(e, who.value(), req.bearer);
      Response resp = s.ok() ? Response::Json(201, SessionJson(s.value())) : Response::FromError(s.error());
      resp.user_id = who.value().user.id;
      return reply(std::move(resp));
    }
    auto body = ParseJsonBody(req.body.empty() ? "{}" : req.body);
    if (!body.ok()) return reply(Response::FromError(body.error()));
    const auto& b = body.value();
    const auto channel = b.is_object() ? b.value("channel", nlohmann::json()) : nlohmann::json();
    const auto code = b.is_object() ? b.value("code", nlohmann::json()) : nlohmann::json();
    if (!channel.is_string() || !code.is_string() || channel.get<std::string>().empty() ||
        code.get<std::string>().empty() || code.get<std::string>().size() > 512)
      return reply(Response::ErrorBody(401, "unauthenticated", "未登录：请粘贴用户令牌，或从工作群消息中打开"));
    if (!engine::IsSafeId(channel.get<std::string>()))
      return reply(Response::ErrorBody(401, "sign_in_failed", "免登失败：渠道编号无效，请从工作群消息中重新打开"));
    if (!e.options().sign_in)
      return reply(Response::ErrorBody(422, "sign_in_unavailable", "本系统尚未开通免登，请粘贴用户令牌登录"));
    e.options().sign_in(channel.get<std::string>(), code.get<std::string>(),
                        [&e, reply, guard](engine::Result<std::string> user) {
                          if (!user.ok()) {
                            if (user.error().code == engine::ErrorCode::kUnauthenticated)
                              guard.Failed();
                            return reply(Response::FromError(user.error()));
                          }
                          auto s = engine::StartSessionFor(e, user.value());
                          Response resp = s.ok() ? Response::Json(201, SessionJson(s.value()))
                                                 : Response::FromError(s.error());
                          if (s.ok()) resp.user_id = user.value();
                          reply(std::move(resp));
                        });
  }));
}

}  // namespace

void AddApiRoutes(Router& r, Engine& e, Metrics& metrics, ReadPool& pool, ApiOptions options) {
  api_options = std::make_shared<const ApiOptions>(std::move(options));
  auth_cache = std::make_shared<AuthCache>(api_options->auth_cache_ttl);
  write_metrics = &metrics;
  metrics.AddCounter("dixian_auth_cache_hits_total",
                     "Requests whose bearer token was recognised without a store read",
                     [cache = auth_cache] { return static_cast<double>(cache->hits()); });
  r.Add("GET", "/healthz", "healthz", [](Request&, Reply reply) {
    reply(Response::Json(200, {{"status", "ok"}}));
  });
  // Metrics name routes, volumes and backlogs: the admin or the metrics token only.
  auto metrics_page = [&metrics](Reply reply) {
    Response resp;  // the gauges count rows: on the pool
    resp.content_type = "text/plain; version=0.0.4; charset=utf-8";
    resp.body = metrics.Render();
    reply(std::move(resp));
  };
  const std::string metrics_token = api_options->metrics_token;
  Handler as_admin = Authed(e, [metrics_page](const Principal& who, Request&, Reply reply) {
    if (!who.IsAdmin() || !who.user.org_path.empty())
      return reply(Response::ErrorBody(403, "forbidden", "只有管理员令牌或监控令牌可以读取运行指标"));
    metrics_page(std::move(reply));
  });
  r.Add("GET", "/metrics", "metrics",
        OnReadPool(pool, [metrics_page, metrics_token, as_admin](Request& req, Reply reply) {
          if (!metrics_token.empty() &&
              engine::ConstantTimeEquals(engine::Sha256Hex(req.bearer),
                                         engine::Sha256Hex(metrics_token)))
            return metrics_page(std::move(reply));
          as_admin(req, std::move(reply));
        }));
  const std::string v1 = "/api/v1";
  r.Add("POST", v1 + "/orgs", "orgs.create", Write(e, &api::CreateOrg, 201));
  r.Add("POST", v1 + "/orgs/import", "orgs.import", Write(e, &api::ImportOrgs, 200, true));
  r.Add("POST", v1 + "/users", "users.create", Write(e, &api::CreateUser, 201));
  r.Add("POST", v1 + "/users/{id}/revoke", "users.revoke",
        ChangesTokens(Write(e, &api::RevokeUser, 200)));
  r.Add("POST", v1 + "/users/{id}/token", "users.token",
        ChangesTokens(Write(e, &api::ReissueToken, 200)));
  r.Add("POST", v1 + "/users/{id}/move", "users.move",
        ChangesTokens(Write(e, &api::MoveUser, 200)));
  r.Add("POST", v1 + "/channels", "channels.create", Write(e, &api::CreateChannel, 201));
  r.Add("GET", v1 + "/me", "me",
        Read(pool, e, [&e](const Principal& who, Request&) { return Rendered(engine::Me(e, who)); }));
  r.Add("GET", v1 + "/workflows", "workflows", Read(pool, e, [&e](const Principal&, Request&) {
          return Response::Json(200, WorkflowsJson(e.workflows()));
        }));

  r.Add("POST", v1 + "/households", "households.create", Write(e, &api::CreateHousehold, 201));
  r.Add("POST", v1 + "/households/import", "households.import",
        Write(e, &api::ImportHouseholds, 200, true));
  r.Add("POST", v1 + "/households/members/import", "households.members_import",
        Write(e, &api::ImportMembers, 200, true));
  r.Add("GET", v1 + "/households/{id}", "households.get", ReadId(pool, e, &engine::GetHousehold));
  r.Add("PATCH", v1 + "/households/{id}", "households.update",
        Write(e, &api::UpdateHousehold, 200));
  r.Add("GET", v1 + "/households/{id}/changes", "households.changes",
        ReadId(pool, e, &engine::HouseholdChanges));
  r.Add("GET", v1 + "/households/{id}/tasks", "households.tasks",
        ReadId(pool, e, &engine::HouseholdTasks));
  r.Add("GET", v1 + "/households/{id}/contact_candidates", "households.contact_candidates",
        ReadId(pool, e, &engine::ContactCandidates));
  r.Add("PUT", v1 + "/households/{id}/contact", "households.contact",
        Write(e, &api::AssignContact, 200));
  r.Add("POST", v1 + "/households/{id}/measures", "households.measures",
        Write(e, &api::RecordMeasure, 201));
  r.Add("POST", v1 + "/households/{id}/visits", "households.visits", Write(e, &api::LogVisit, 201));

  r.Add("POST", v1 + "/leads", "leads.create", Write(e, &api::RecordLead, 201));
  r.Add("POST", v1 + "/leads/import", "leads.import", Write(e, &api::ImportLeads, 200, true));
  r.Add("POST", v1 + "/leads/{id}/resolve", "leads.resolve", Write(e, &api::ResolveLead, 200));
  r.Add("GET", v1 + "/leads", "leads.list", Read(pool, e, [&e](const Principal& who, Request& req) {
          return Rendered(engine::ListLeads(e, who, req.query["org"], req.query["status"]));
        }));
  r.Add("GET", v1 + "/leads/{id}", "leads.get", ReadId(pool, e, &engine::GetLead));

  r.Add("POST", v1 + "/cases", "cases.create", Write(e, &api::CreateCase, 201));
  r.Add("GET", v1 + "/cases/{id}", "cases.get", ReadId(pool, e, &engine::GetCase));
  r.Add("GET", v1 + "/cases/{id}/history", "cases.history", ReadId(pool, e, &engine::CaseHistory));
  r.Add("POST", v1 + "/cases/{id}/actions", "cases.actions", Write(e, &api::ApplyAction, 200));
  r.Add("POST", v1 + "/cases/{id}/attachments", "cases.attach", Upload(pool, e, &api::AttachToCase));
  r.Add("POST", v1 + "/households/{id}/visits/{visit}/attachments", "visits.attach",
        Upload(pool, e, &api::AttachToVisit));
  r.Add("GET", v1 + "/households/{id}/visits/{visit}/attachments", "visits.attachments",
        Read(pool, e, [&e](const Principal& who, Request& req) {
          return api::VisitAttachments(e, who, req);
        }));
  r.Add("GET", v1 + "/attachments/{id}", "attachments.get",
        Read(pool, e, [&e](const Principal& who, Request& req) {
          return api::DownloadAttachment(e, who, req.params["id"]);
        }));

  r.Add("GET", v1 + "/tasks", "tasks.list", Read(pool, e, [&e](const Principal& who, Request&) {
          return Rendered(engine::MyTasks(e, who));
        }));
  r.Add("POST", v1 + "/tasks/{id}/complete", "tasks.complete", Write(e, &api::CompleteTask, 200));
  r.Add("GET", v1 + "/tasks/{id}/transfer_candidates", "tasks.transfer_candidates",
        ReadId(pool, e, &engine::TransferCandidates));
  r.Add("POST", v1 + "/tasks/{id}/transfer", "tasks.transfer", Write(e, &api::TransferTask, 200));
  r.Add("POST", v1 + "/tasks/{id}/urge", "tasks.urge", Write(e, &api::UrgeTask, 200));

  AddConsoleRoutes(r, e, pool, v1);

  r.Add("GET", v1 + "/reports/monitoring", "reports.monitoring",
        Read(pool, e, [&e](const Principal& who, Request& req) {
          return Report(engine::ReportMonitoring(e, who, req.query["org"]), req, "monitoring");
        }));
  r.Add("GET", v1 + "/reports/overdue", "reports.overdue",
        Read(pool, e, [&e](const Principal& who, Request& req) {
          return Report(engine::ReportOverdue(e, who, req.query["org"]), req, "overdue");
        }));
  r.Add("GET", v1 + "/reports/timeliness", "reports.timeliness",
        Read(pool, e, [&e](const Principal& who, Request& req) {
          return Report(engine::ReportTimeliness(e, who, req.query["org"], req.query["month"]), req,
                        "timeliness");
        }));
  r.Add("GET", v1 + "/reports/weekly", "reports.weekly",
        Read(pool, e, [&e](const Principal& who, Request& req) {
          return Report(engine::ReportWeekly(e, who, req.query["org"], req.query["week"]), req, "weekly");
        }));
  r.Add("GET", v1 + "/reports/ledger", "reports.ledger",
        Read(pool, e, [&e](const Principal& who, Request& req) {
          auto& q = req.query;
          const engine::LedgerQuery query{q["org"], q["township"], q["village"], q["type"], q["status"],
                                          q["risk_eliminated"], q["identified_from"], q["identified_to"],
                                          q["overdue"], q["page"], q["page_size"]};
          return Report(engine::ReportLedger(e, who, query), req, "ledger");
        }));
  r.Add("GET", v1 + "/reports/movements", "reports.movements",
        Read(pool, e, [&e](const Principal& who, Request& req) {
          return Report(engine::ReportMovements(e, who, req.query["org"], req.query["from"], req.query["to"]),
                        req, "movements");
        }));
  r.Add("GET", v1 + "/audit/verify", "audit.verify",
        Read(pool, e, [&e](const Principal& who, Request& req) {
          return Rendered(engine::VerifyAudit(e, who, req.query["checkpoint"]));
        }));
  r.Add("GET", v1 + "/audit/checkpoint", "audit.checkpoint",
        Read(pool, e, [&e](const Principal& who, Request&) {
          return Rendered(engine::CheckpointAudit(e, who));
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
