// Pure parts of the HTTP framework: parsing helpers, error mapping, router, static-file rules,
// metrics text. No sockets here (see server_test.cc).
#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "adapters/http/error_mapping.h"
#include "adapters/http/http_types.h"
#include "adapters/http/metrics.h"
#include "adapters/http/read_pool.h"
#include "adapters/http/router.h"
#include "adapters/http/static_files.h"

namespace dixian::http {
namespace {

using engine::Error;
using engine::ErrorCode;

TEST(HttpTypes, PercentDecode) {
  std::string out;
  EXPECT_TRUE(PercentDecode("/a%20b/%E4%B8%AD", false, &out));
  EXPECT_EQ(out, "/a b/\xE4\xB8\xAD");
  EXPECT_TRUE(PercentDecode("a+b", false, &out));
  EXPECT_EQ(out, "a+b");
  EXPECT_TRUE(PercentDecode("a+b", true, &out));
  EXPECT_EQ(out, "a b");
  EXPECT_FALSE(PercentDecode("%zz", false, &out));
  EXPECT_FALSE(PercentDecode("abc%4", false, &out));
  EXPECT_FALSE(PercentDecode("%", false, &out));
}

TEST(HttpTypes, ParseQuery) {
  auto q = ParseQuery("org=3301&name=%E6%9D%8E+%E5%9B%9B&flag&org=other&&x=");
  EXPECT_EQ(q["org"], "3301");  // first wins
  EXPECT_EQ(q["name"], "\xE6\x9D\x8E \xE5\x9B\x9B");
  EXPECT_EQ(q.count("flag"), 1u);
  EXPECT_EQ(q["x"], "");
}

TEST(HttpTypes, MediaTypeAndBearer) {
  EXPECT_EQ(MediaType("Application/JSON; charset=utf-8"), "application/json");
  EXPECT_EQ(MediaType(" text/csv "), "text/csv");
  EXPECT_EQ(MediaType(""), "");
  EXPECT_EQ(BearerToken("Bearer abc123"), "abc123");
  EXPECT_EQ(BearerToken("bearer  abc123 "), "abc123");
  EXPECT_EQ(BearerToken("Basic dXNlcg=="), "");
  EXPECT_EQ(BearerToken("Bearer"), "");
}

TEST(HttpTypes, RequestHeaderIsCaseInsensitive) {
  Request req;
  req.headers = {{"x-trace", "1"}, {"x-trace", "2"}};
  EXPECT_EQ(req.Header("X-Trace"), "1");
  EXPECT_EQ(req.Header("missing"), "");
}

TEST(ErrorMapping, EveryCode) {
  EXPECT_EQ(HttpStatus(ErrorCode::kBadInput), 400);
  EXPECT_EQ(HttpStatus(ErrorCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatus(ErrorCode::kForbidden), 403);
  EXPECT_EQ(HttpStatus(ErrorCode::kNotFound), 404);
  EXPECT_EQ(HttpStatus(ErrorCode::kConflict), 409);
  EXPECT_EQ(HttpStatus(ErrorCode::kTooLarge), 413);
  EXPECT_EQ(HttpStatus(ErrorCode::kUnprocessable), 422);
  EXPECT_EQ(HttpStatus(ErrorCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatus(ErrorCode::kInternal), 500);
}

TEST(ErrorMapping, ResponseFromError) {
  auto r = Response::FromError(Error::Conflict("version_conflict", "版本已变化，请刷新后重试。"));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
  auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["error"]["code"], "version_conflict");
  EXPECT_EQ(body["error"]["message"], "版本已变化，请刷新后重试。");
  EXPECT_EQ(body.size(), 1u);

  Error no_slug{ErrorCode::kNotFound, "", "没有这户。"};
  EXPECT_EQ(nlohmann::json::parse(Response::FromError(no_slug).body)["error"]["code"], "not_found");
}

TEST(Router, MatchesParamsAndPrefersLiterals) {
  Router router;
  Handler noop = [](Request&, Reply) {};
  router.Add("GET", "/api/v1/households/{id}", "household_get", noop);
  router.Add("POST", "/api/v1/households/import", "household_import", noop);
  router.Add("POST", "/api/v1/cases/{id}/actions", "case_action", noop);
  router.Add("GET", "/healthz", "healthz", noop);

  auto m = router.Match("POST", "/api/v1/cases/C-17/actions");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.route_name, "case_action");
  EXPECT_EQ(m.params.at("id"), "C-17");

  EXPECT_EQ(router.Match("POST", "/api/v1/households/import").route_name, "household_import");
  auto get_import = router.Match("GET", "/api/v1/households/import");
  EXPECT_EQ(get_import.route_name, "household_get");  // GET has only the {id} route
  EXPECT_EQ(get_import.params.at("id"), "import");

  EXPECT_EQ(router.Match("GET", "/healthz").status, 200);
  EXPECT_EQ(router.Match("GET", "/healthz/").status, 404);
  EXPECT_EQ(router.Match("GET", "/api/v1/cases//actions").status, 404);
  EXPECT_EQ(router.Match("GET", "/nothing").status, 404);

  auto wrong = router.Match("DELETE", "/api/v1/households/import");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.allow, "GET, POST");
}

TEST(Router, DispatchAnswersErrors) {
  Router router;
  router.Add("GET", "/a/{x}", "a", [](Request& req, Reply reply) {
    reply(Response::Json(200, {{"x", req.params["x"]}, {"route", req.route}}));
  });
  Response got;
  Reply capture = [&got](Response r) { got = std::move(r); };
  Request req;
  req.method = "GET";
  req.path = "/a/1";
  router.Dispatch(req, capture);
  EXPECT_EQ(nlohmann::json::parse(got.body), (nlohmann::json{{"x", "1"}, {"route", "a"}}));

  req.path = "/b";
  router.Dispatch(req, capture);
  EXPECT_EQ(got.status, 404);
  EXPECT_EQ(nlohmann::json::parse(got.body)["error"]["code"], "not_found");

  req.method = "PUT";
  req.path = "/a/1";
  router.Dispatch(req, capture);
  EXPECT_EQ(got.status, 405);
  ASSERT_EQ(got.headers.size(), 1u);
  EXPECT_EQ(got.headers[0], (std::pair<std::string, std::string>("Allow", "GET")));
}

// The server runs this same Dispatch: HEAD falls back to the GET route, and GET/HEAD outside
// /api/ that match nothing go to the fallback (the console's files); API paths never do.
TEST(Router, DispatchHeadAndFallback) {
  Router router;
  router.Add("GET", "/api/v1/x", "x", [](Request& req, Reply reply) {
    reply(Response::Json(200, {{"route", req.route}, {"method", req.method}}));
  });
  router.SetFallback("static", [](Request& req, Reply reply) {
    reply(Response::Json(200, {{"route", req.route}, {"path", req.path}}));
  });
  Response got;
  Reply capture = [&got](Response r) { got = std::move(r); };
  Request req;
  req.method = "HEAD";
  req.path = "/api/v1/x";
  router.Dispatch(req, capture);
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(nlohmann::json::parse(got.body),
            (nlohmann::json{{"route", "x"}, {"method", "HEAD"}}));
  EXPECT_EQ(req.route, "x");

  for (const char* method : {"GET", "HEAD"}) {
    req.method = method;
    req.path = "/js/app.js";
    router.Dispatch(req, capture);
    EXPECT_EQ(nlohmann::json::parse(got.body),
              (nlohmann::json{{"route", "static"}, {"path", "/js/app.js"}}))
        << method;
    EXPECT_EQ(req.route, "static");
  }
  req.method = "GET";
  req.path = "/api/v1/nothing";
  router.Dispatch(req, capture);
  EXPECT_EQ(got.status, 404);
  EXPECT_EQ(req.route, "not_found");
  req.method = "POST";
  req.path = "/js/app.js";
  router.Dispatch(req, capture);
  EXPECT_EQ(got.status, 404);
  req.path = "/api/v1/x";
  router.Dispatch(req, capture);
  EXPECT_EQ(got.status, 405);
  EXPECT_EQ(req.route, "method_not_allowed");
}

// A gate the pool's threads wait on, so the test decides when a read finishes.
class Gate {
 public:
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

TEST(ReadPool, RunsReadsOffTheCallerAndRefusesWhenFull) {
  ReadPool pool({.threads = 1, .max_queued = 1});
  Gate gate;
  std::promise<void> started;
  std::mutex mu;
  std::vector<std::thread::id> ran_on;
  Handler read = OnReadPool(pool, [&](Request& req, Reply reply) {
    {
      std::lock_guard lock(mu);
      ran_on.push_back(std::this_thread::get_id());
    }
    if (req.path == "/first") {
      started.set_value();
      gate.Wait();
    }
    reply(Response::Json(200, {{"path", req.path}}));
  });
  std::promise<Response> first, second, third;
  Request req;
  req.method = "GET";
  req.path = "/first";
  read(req, [&](Response r) { first.set_value(std::move(r)); });
  started.get_future().wait();  // the one thread is busy with /first
  req.path = "/second";
  read(req, [&](Response r) { second.set_value(std::move(r)); });  // queued (1 of 1)
  req.path = "/third";
  read(req, [&](Response r) { third.set_value(std::move(r)); });  // the queue is full
  Response busy = third.get_future().get();
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(nlohmann::json::parse(busy.body)["error"]["code"], "server_busy");
  ASSERT_EQ(busy.headers.size(), 1u);
  EXPECT_EQ(busy.headers[0], (std::pair<std::string, std::string>("Retry-After", "1")));
  gate.Open();
  EXPECT_EQ(nlohmann::json::parse(first.get_future().get().body)["path"], "/first");
  EXPECT_EQ(nlohmann::json::parse(second.get_future().get().body)["path"], "/second");
  std::lock_guard lock(mu);
  ASSERT_EQ(ran_on.size(), 2u);  // the refused read never ran
  EXPECT_NE(ran_on[0], std::this_thread::get_id());
  EXPECT_EQ(ran_on[0], ran_on[1]);
}

TEST(ReadPool, AThrowingReadAnswers500) {
  ReadPool pool({.threads = 1, .max_queued = 4});
  Handler read = OnReadPool(pool, [](Request&, Reply) { throw std::runtime_error("boom"); });
  std::promise<Response> answer;
  Request req;
  read(req, [&](Response r) { answer.set_value(std::move(r)); });
  EXPECT_EQ(answer.get_future().get().status, 500);
}

TEST(StaticFiles, SafePaths) {
  EXPECT_TRUE(StaticFiles::IsSafePath("/"));
  EXPECT_TRUE(StaticFiles::IsSafePath("/index.html"));
  EXPECT_TRUE(StaticFiles::IsSafePath("/vendor/lib.min.js"));
  EXPECT_TRUE(StaticFiles::IsSafePath("/pages/"));
  EXPECT_FALSE(StaticFiles::IsSafePath("/../etc/passwd"));
  EXPECT_FALSE(StaticFiles::IsSafePath("/vendor/../../x"));
  EXPECT_FALSE(StaticFiles::IsSafePath("/vendor/.."));
  EXPECT_FALSE(StaticFiles::IsSafePath("/./index.html"));
  EXPECT_FALSE(StaticFiles::IsSafePath("/..\\x"));
  EXPECT_FALSE(StaticFiles::IsSafePath("//etc/passwd"));
  EXPECT_FALSE(StaticFiles::IsSafePath("/%2e%2e/x"));  // still encoded after one decode
  EXPECT_FALSE(StaticFiles::IsSafePath(std::string_view("/a\0b", 4)));
  EXPECT_FALSE(StaticFiles::IsSafePath("relative"));
}

TEST(StaticFiles, ContentTypes) {
  EXPECT_EQ(StaticFiles::ContentType("/index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(StaticFiles::ContentType("/app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(StaticFiles::ContentType("/s.css"), "text/css; charset=utf-8");
  EXPECT_EQ(StaticFiles::ContentType("/i.svg"), "image/svg+xml");
  EXPECT_EQ(StaticFiles::ContentType("/i.png"), "image/png");
  EXPECT_EQ(StaticFiles::ContentType("/d.json"), "application/json; charset=utf-8");
  EXPECT_EQ(StaticFiles::ContentType("/f.woff2"), "font/woff2");
  EXPECT_EQ(StaticFiles::ContentType("/x.bin"), "application/octet-stream");
}

TEST(Metrics, RendersPrometheusText) {
  Metrics metrics;
  metrics.ObserveRequest("case_get", 200, 0.003);
  metrics.ObserveRequest("case_get", 200, 0.2);
  metrics.ObserveRequest("case_get", 404, 20);
  metrics.ObserveRequest("we\"ird", 500, 0.01);
  metrics.ObserveCommitBatch(3);
  metrics.ObserveCommitBatch(1000);
  metrics.AddGauge("dixian_open_tasks", "Open tasks.", [] { return 7.0; });
  metrics.AddCounter("dixian_delivery_failures_total", "Failed deliveries.", [] { return 2.0; });
  std::string text = metrics.Render();

  auto has = [&text](const std::string& line) {
    return text.find(line + "\n") != std::string::npos;
  };
  EXPECT_TRUE(has("# TYPE dixian_http_requests_total counter")) << text;
  EXPECT_TRUE(has("dixian_http_requests_total{route=\"case_get\",status=\"200\"} 2")) << text;
  EXPECT_TRUE(has("dixian_http_requests_total{route=\"case_get\",status=\"404\"} 1")) << text;
  EXPECT_TRUE(has("dixian_http_requests_total{route=\"we\\\"ird\",status=\"500\"} 1")) << text;
  EXPECT_TRUE(has("# TYPE dixian_http_request_duration_seconds histogram")) << text;
  EXPECT_TRUE(has("dixian_http_request_duration_seconds_bucket{route=\"case_get\",le=\"0.005\"} 1"))
      << text;
  EXPECT_TRUE(has("dixian_http_request_duration_seconds_bucket{route=\"case_get\",le=\"0.25\"} 2"))
      << text;
  EXPECT_TRUE(has("dixian_http_request_duration_seconds_bucket{route=\"case_get\",le=\"10\"} 2"))
      << text;
  EXPECT_TRUE(has("dixian_http_request_duration_seconds_bucket{route=\"case_get\",le=\"+Inf\"} 3"))
      << text;
  EXPECT_TRUE(has("dixian_http_request_duration_seconds_count{route=\"case_get\"} 3")) << text;
  EXPECT_TRUE(has("dixian_http_request_duration_seconds_sum{route=\"case_get\"} 20.203")) << text;
  EXPECT_TRUE(has("dixian_commit_batch_size_bucket{le=\"4\"} 1")) << text;
  EXPECT_TRUE(has("dixian_commit_batch_size_bucket{le=\"+Inf\"} 2")) << text;
  EXPECT_TRUE(has("dixian_commit_batch_size_count 2")) << text;
  EXPECT_TRUE(has("# TYPE dixian_open_tasks gauge")) << text;
  EXPECT_TRUE(has("dixian_open_tasks 7")) << text;
  EXPECT_TRUE(has("# TYPE dixian_delivery_failures_total counter")) << text;
  EXPECT_TRUE(has("dixian_delivery_failures_total 2")) << text;
}

}  // namespace
}  // namespace dixian::http
