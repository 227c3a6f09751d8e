// The HTTP server over real loopback connections: routing, limits, async replies, keep-alive,
// the connection cap, failures in handlers, static files, the access log and graceful Stop.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "adapters/http/server.h"
#include "adapters/http/static_files.h"
#include "tests/support/http_client.h"

namespace dixian::http {
namespace {

using test_support::HttpClient;
using test_support::HttpResult;

// Keeps every log line in memory.
class CaptureSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::vector<std::string> Lines() {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    lines_.emplace_back(msg.payload.data(), msg.payload.size());
  }
  void flush_() override {}

 private:
  std::vector<std::string> lines_;
};

// Waits for a condition that another thread makes true (not for time to pass).
template <class F>
bool Eventually(F condition) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() {
    sink_ = std::make_shared<CaptureSink>();
    access_log_ = std::make_shared<spdlog::logger>("access", sink_);
    error_sink_ = std::make_shared<CaptureSink>();
    router_.Add("GET", "/api/v1/cases/{id}", "case_get", [](Request& req, Reply reply) {
      nlohmann::json body = {{"id", req.params.at("id")},
                             {"query", req.query},
                             {"bearer", req.bearer},
                             {"route", req.route},
                             {"remote", req.remote}};
      Response r = Response::Json(200, body);
      r.user_id = "u-clerk";
      reply(std::move(r));
    });
    router_.Add("POST", "/api/v1/cases/{id}/actions", "case_action", [](Request& req, Reply reply) {
      reply(Response::Json(201, {{"id", req.params.at("id")},
                                 {"size", req.body.size()},
                                 {"content_type", req.content_type},
                                 {"idempotency_key", req.idempotency_key}}));
    });
    router_.Add("GET", "/throws", "throws",
                [](Request&, Reply) -> void { throw std::runtime_error("boom"); });
    router_.Add("GET", "/forgets", "forgets", [](Request&, Reply) {});
    router_.Add("GET", "/error", "error", [](Request&, Reply reply) {
      reply(Response::FromError(engine::Error::Unprocessable("bad_field", "字段 type 不正确。")));
    });
    router_.Add("GET", "/twice", "twice", [](Request&, Reply reply) {
      reply(Response::Json(200, {{"n", 1}}));
      reply(Response::Json(200, {{"n", 2}}));
    });
    router_.Add("GET", "/metrics", "metrics", MetricsHandler(metrics_));
  }

  ~ServerTest() override {
    if (server_) server_->Stop();
    for (auto& t : workers_) t.join();
  }

  void Start(ServerOptions options = {}) {
    options.port = 0;
    options.threads = 2;
    options.error_log = std::make_shared<spdlog::logger>("error", error_sink_);
    server_ = std::make_unique<Server>(options, router_, metrics_, access_log_);
    port_ = server_->Start();
  }

  Router router_;
  Metrics metrics_;
  std::shared_ptr<CaptureSink> sink_;
  std::shared_ptr<CaptureSink> error_sink_;
  std::shared_ptr<spdlog::logger> access_log_;
  std::unique_ptr<Server> server_;
  unsigned short port_ = 0;
  std::vector<std::thread> workers_;
};

std::string ErrorSlug(const HttpResult& r) { return r.Json()["error"]["code"].get<std::string>(); }

TEST_F(ServerTest, RoutesWithParamsQueryAndBearer) {
  Start();
  HttpClient client(port_);
  auto r = client.Request("GET", "/api/v1/cases/C%2D7?org=3301&q=%E6%9D%8E+x", {},
                          {{"Authorization", "Bearer tok-1"}});
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.Header("Content-Type"), "application/json; charset=utf-8");
  auto body = r.Json();
  EXPECT_EQ(body["id"], "C-7");
  EXPECT_EQ(body["query"]["org"], "3301");
  EXPECT_EQ(body["query"]["q"], "\xE6\x9D\x8E x");
  EXPECT_EQ(body["bearer"], "tok-1");
  EXPECT_EQ(body["route"], "case_get");

  auto post = client.Request(
      "POST", "/api/v1/cases/9/actions", R"({"action":"submit"})",
      {{"Content-Type", "Application/JSON; charset=UTF-8"}, {"Idempotency-Key", "k-1"}});
  ASSERT_EQ(post.status, 201);
  EXPECT_EQ(post.Json()["content_type"], "application/json");
  EXPECT_EQ(post.Json()["idempotency_key"], "k-1");
  EXPECT_EQ(post.Json()["size"], 19);
}

TEST_F(ServerTest, UnknownPathIs404AndWrongMethodIs405) {
  Start();
  HttpClient client(port_);
  auto r = client.Request("GET", "/api/v1/nothing");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(ErrorSlug(r), "not_found");
  auto m = client.Request("DELETE", "/api/v1/cases/1");
  EXPECT_EQ(m.status, 405);
  EXPECT_EQ(ErrorSlug(m), "method_not_allowed");
  EXPECT_EQ(m.Header("Allow"), "GET");
}

TEST_F(ServerTest, MappedEngineError) {
  Start();
  auto r = HttpClient(port_).Request("GET", "/error");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(ErrorSlug(r), "bad_field");
}

TEST_F(ServerTest, BodyOverLimitIs413) {
  ServerOptions options;
  options.body_limit = 1024;
  Start(options);
  HttpClient client(port_);
  auto ok = client.Request("POST", "/api/v1/cases/1/actions", std::string(1024, 'a'));
  EXPECT_EQ(ok.status, 201);
  auto r = client.Request("POST", "/api/v1/cases/1/actions", std::string(5000, 'a'));
  ASSERT_EQ(r.status, 413) << r.error;
  EXPECT_EQ(ErrorSlug(r), "body_too_large");
  EXPECT_FALSE(r.Json()["error"]["message"].get<std::string>().empty());

  // A chunked body is cut off at the limit too.
  HttpClient raw(port_);
  std::string chunk(800, 'b');
  auto c = raw.SendRaw(
      "POST /api/v1/cases/1/actions HTTP/1.1\r\nHost: x\r\n"
      "Transfer-Encoding: chunked\r\n\r\n320\r\n" +
      chunk + "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n");
  EXPECT_EQ(c.status, 413) << c.error;
}

TEST_F(ServerTest, MalformedRequestIs400AndCloses) {
  Start();
  HttpClient raw(port_);
  auto r = raw.SendRaw("GARBAGE\r\n\r\n");
  ASSERT_EQ(r.status, 400) << r.error;
  EXPECT_EQ(ErrorSlug(r), "malformed_request");
  EXPECT_EQ(r.Header("Connection"), "close");
  EXPECT_FALSE(raw.ServerKeptOpen());

  HttpClient bad_escape(port_);
  auto e = bad_escape.SendRaw("GET /api/v1/cases/%zz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(e.status, 400);
}

TEST_F(ServerTest, HeaderOverLimitIs431) {
  ServerOptions options;
  options.header_limit = 1024;
  Start(options);
  auto r =
      HttpClient(port_).Request("GET", "/api/v1/cases/1", {}, {{"X-Big", std::string(4000, 'h')}});
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(ErrorSlug(r), "header_too_large");
}

TEST_F(ServerTest, ReplyFromAnotherThreadAfterHandlerReturned) {
  std::mutex mu;
  router_.Add("GET", "/async", "async", [this, &mu](Request&, Reply reply) {
    auto returned = std::make_shared<std::promise<void>>();
    std::lock_guard lock(mu);
    workers_.emplace_back([reply, done = returned->get_future()]() mutable {
      done.wait();  // the handler has returned by now
      reply(Response::Json(200, {{"from", "worker"}}));
    });
    returned->set_value();
  });
  Start();
  HttpClient client(port_);
  client.SetKeepAlive(true);
  for (int i = 0; i < 3; ++i) {
    auto r = client.Request("GET", "/async");
    ASSERT_EQ(r.status, 200) << r.error;
    EXPECT_EQ(r.Json()["from"], "worker");
  }
}

TEST_F(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  Start();
  HttpClient client(port_);
  client.SetKeepAlive(true);
  std::string remote;
  for (int i = 0; i < 5; ++i) {
    auto r = client.Request("GET", "/api/v1/cases/" + std::to_string(i));
    ASSERT_EQ(r.status, 200) << r.error;
    EXPECT_NE(r.Header("Connection"), "close");
    if (i == 0) remote = r.Json()["remote"];
    EXPECT_EQ(r.Json()["remote"], remote);  // same client port: same connection
  }
  EXPECT_TRUE(client.ServerKeptOpen());
}

TEST_F(ServerTest, ConnectionCapAnswers503) {
  ServerOptions options;
  options.max_connections = 2;
  Start(options);
  HttpClient a(port_), b(port_);
  ASSERT_TRUE(a.Connect());
  ASSERT_TRUE(b.Connect());
  ASSERT_TRUE(Eventually([&] { return server_->ActiveConnections() == 2; }));

  auto r = HttpClient(port_).Request("GET", "/api/v1/cases/1");
  ASSERT_EQ(r.status, 503) << r.error;
  EXPECT_EQ(ErrorSlug(r), "server_busy");
  EXPECT_EQ(r.Header("Connection"), "close");

  a.Close();
  ASSERT_TRUE(Eventually([&] { return server_->ActiveConnections() < 2; }));
  EXPECT_EQ(HttpClient(port_).Request("GET", "/api/v1/cases/1").status, 200);
}

TEST_F(ServerTest, HandlerFailuresAre500AndServerGoesOn) {
  Start();
  HttpClient client(port_);
  client.SetKeepAlive(true);
  auto r = client.Request("GET", "/throws");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(ErrorSlug(r), "internal");
  auto f = client.Request("GET", "/forgets");
  EXPECT_EQ(f.status, 500);
  auto t = client.Request("GET", "/twice");
  EXPECT_EQ(t.Json()["n"], 1);
  EXPECT_EQ(client.Request("GET", "/api/v1/cases/1").status, 200);
  bool logged = false;
  for (const auto& line : error_sink_->Lines()) logged |= line.find("boom") != std::string::npos;
  EXPECT_TRUE(logged);
}

TEST_F(ServerTest, MetricsEndpointUsesRouteNames) {
  Start();
  HttpClient client(port_);
  client.Request("GET", "/api/v1/cases/1");
  client.Request("GET", "/api/v1/cases/2");
  client.Request("GET", "/nope");
  auto r = client.Request("GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(r.body.find("dixian_http_requests_total{route=\"case_get\",status=\"200\"} 2\n"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("dixian_http_requests_total{route=\"not_found\",status=\"404\"} 1\n"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(r.body.find("/api/v1/cases/1"), std::string::npos);  // never raw paths
}

TEST_F(ServerTest, AccessLogOneJsonLinePerRequestWithoutSecrets) {
  Start();
  HttpClient client(port_);
  client.Request("GET", "/api/v1/cases/5?token=query-secret", {},
                 {{"Authorization", "Bearer header-secret"}});
  client.Request("GET", "/nope");
  auto lines = sink_->Lines();
  ASSERT_EQ(lines.size(), 2u);
  auto first = nlohmann::json::parse(lines[0]);
  for (const char* key :
       {"ts", "method", "route", "status", "latency_ms", "user", "remote", "bytes"}) {
    EXPECT_TRUE(first.contains(key)) << key;
  }
  EXPECT_EQ(first.size(), 8u);
  EXPECT_EQ(first["method"], "GET");
  EXPECT_EQ(first["route"], "case_get");
  EXPECT_EQ(first["status"], 200);
  EXPECT_EQ(first["user"], "u-clerk");
  EXPECT_GT(first["bytes"].get<int>(), 0);
  EXPECT_NE(first["ts"].get<std::string>().find("+08:00"), std::string::npos);
  for (const auto& line : lines) {
    EXPECT_EQ(line.find("secret"), std::string::npos) << line;
  }
  EXPECT_EQ(nlohmann::json::parse(lines[1])["status"], 404);
}

TEST_F(ServerTest, NoContentDropsBodyAndKeepsConnection) {
  router_.Add("DELETE", "/things/{id}", "thing_delete", [](Request&, Reply reply) {
    Response r = Response::Json(204, {{"ignored", true}});
    reply(std::move(r));
  });
  Start();
  HttpClient client(port_);
  client.SetKeepAlive(true);
  auto r = client.Request("DELETE", "/things/1");
  ASSERT_EQ(r.status, 204) << r.error;
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(client.Request("GET", "/api/v1/cases/1").status, 200);
}

TEST_F(ServerTest, HeadAndExpectContinue) {
  Start();
  HttpClient client(port_);
  auto h = client.Request("HEAD", "/api/v1/cases/1");
  EXPECT_EQ(h.status, 200);
  EXPECT_TRUE(h.body.empty());
  EXPECT_NE(h.Header("Content-Length"), "0");

  HttpClient raw(port_);
  auto c = raw.SendRaw(
      "POST /api/v1/cases/3/actions HTTP/1.1\r\nHost: x\r\n"
      "Content-Length: 2\r\nExpect: 100-continue\r\n\r\n");
  ASSERT_EQ(c.status, 100) << c.error;
  auto done = raw.SendRaw("{}");
  EXPECT_EQ(done.status, 201) << done.error;
}

class StaticServerTest : public ServerTest {
 protected:
  void SetUp() override {
    base_ = std::filesystem::temp_directory_path() /
            ("dixian-static-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(base_ / "web" / "vendor");
    Write(base_ / "secret.txt", "top secret");
    Write(base_ / "web" / "index.html", "<!doctype html><title>防返贫</title>");
    Write(base_ / "web" / "app.js", "console.log(1);");
    Write(base_ / "web" / "vendor" / "lib.js", "var lib;");
    Write(base_ / "web" / "style.css", "body{}");
    ServerOptions options;
    options.static_dir = (base_ / "web").string();
    Start(options);
  }
  void TearDown() override { std::filesystem::remove_all(base_); }
  static void Write(const std::filesystem::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary) << text;
  }
  std::filesystem::path base_;
};

TEST_F(StaticServerTest, ServesFilesWithTypesAndCaching) {
  HttpClient client(port_);
  auto index = client.Request("GET", "/");
  ASSERT_EQ(index.status, 200);
  EXPECT_EQ(index.Header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(index.body.find("防返贫"), std::string::npos);
  EXPECT_EQ(index.Header("Cache-Control"), "no-cache");
  auto js = client.Request("GET", "/app.js");
  EXPECT_EQ(js.Header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(client.Request("GET", "/style.css").Header("Content-Type"), "text/css; charset=utf-8");
  auto vendor = client.Request("GET", "/vendor/lib.js");
  EXPECT_EQ(vendor.status, 200);
  EXPECT_NE(vendor.Header("Cache-Control").find("max-age=31536000"), std::string::npos);
  EXPECT_EQ(client.Request("GET", "/missing.js").status, 404);
  // API paths never fall back to files; routes still win.
  auto api = client.Request("GET", "/api/v1/unknown");
  EXPECT_EQ(api.status, 404);
  EXPECT_EQ(ErrorSlug(api), "not_found");
  EXPECT_EQ(client.Request("GET", "/api/v1/cases/1").status, 200);
  EXPECT_EQ(client.Request("POST", "/app.js").status, 404);
}

TEST_F(StaticServerTest, CompressesAndRevalidates) {
  const std::string js(3000, 'x');
  std::filesystem::create_directories(base_ / "web" / "v" / "abc");
  Write(base_ / "web" / "v" / "abc" / "app.js", js);
  Write(base_ / "web" / "v" / "abc" / "app.js.gz", "GZ-BYTES");  // stands in for gzip output
  HttpClient client(port_);
  auto plain = client.Request("GET", "/v/abc/app.js");
  ASSERT_EQ(plain.status, 200);
  EXPECT_EQ(plain.body, js);
  EXPECT_EQ(plain.Header("Content-Encoding"), "");
  EXPECT_EQ(plain.Header("Vary"), "Accept-Encoding");
  EXPECT_EQ(plain.Header("Cache-Control"), "public, max-age=31536000, immutable");
  const std::string etag = plain.Header("ETag");
  ASSERT_EQ(etag.size(), 22u) << etag;  // a quoted 20-hex hash of the bytes

  auto gz = client.Request("GET", "/v/abc/app.js", {}, {{"Accept-Encoding", "gzip, deflate, br"}});
  ASSERT_EQ(gz.status, 200);
  EXPECT_EQ(gz.body, "GZ-BYTES");
  EXPECT_EQ(gz.Header("Content-Encoding"), "gzip");
  EXPECT_EQ(gz.Header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_NE(gz.Header("ETag"), etag);  // another representation, another strong validator

  auto refused = client.Request("GET", "/v/abc/app.js", {}, {{"Accept-Encoding", "gzip;q=0, *"}});
  EXPECT_EQ(refused.body, js);

  auto same = client.Request("GET", "/v/abc/app.js", {}, {{"If-None-Match", etag}});
  EXPECT_EQ(same.status, 304);
  EXPECT_TRUE(same.body.empty());
  EXPECT_EQ(same.Header("ETag"), etag);
  auto same_gz = client.Request("GET", "/v/abc/app.js", {},
                                {{"Accept-Encoding", "gzip"}, {"If-None-Match", "\"old\", " + gz.Header("ETag")}});
  EXPECT_EQ(same_gz.status, 304);
  EXPECT_EQ(client.Request("GET", "/v/abc/app.js", {}, {{"If-None-Match", "\"old\""}}).status, 200);

  // The page itself is revalidated each time; an edit gives a new validator at once.
  auto index = client.Request("GET", "/");
  EXPECT_EQ(index.Header("Cache-Control"), "no-cache");
  EXPECT_EQ(index.Header("Vary"), "");  // no .gz beside it: nothing varies
  EXPECT_EQ(client.Request("GET", "/", {}, {{"If-None-Match", index.Header("ETag")}}).status, 304);
  Write(base_ / "web" / "index.html", "<!doctype html><title>新版本已发布</title>");
  auto edited = client.Request("GET", "/", {}, {{"If-None-Match", index.Header("ETag")}});
  EXPECT_EQ(edited.status, 200);
  EXPECT_NE(edited.body.find("新版本"), std::string::npos);
  EXPECT_NE(edited.Header("ETag"), index.Header("ETag"));
}

TEST_F(StaticServerTest, IgnoresAStaleGzipCopy) {
  Write(base_ / "web" / "style.css.gz", "OLD");
  std::filesystem::last_write_time(base_ / "web" / "style.css.gz",
                                   std::filesystem::last_write_time(base_ / "web" / "style.css") -
                                       std::chrono::hours(1));
  HttpClient client(port_);
  auto r = client.Request("GET", "/style.css", {}, {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(r.body, "body{}");
  EXPECT_EQ(r.Header("Content-Encoding"), "");
}

TEST(StaticFilesUnits, AcceptEncodingAndIfNoneMatch) {
  EXPECT_TRUE(StaticFiles::AcceptsGzip("gzip"));
  EXPECT_TRUE(StaticFiles::AcceptsGzip("deflate, GZIP;q=0.5"));
  EXPECT_TRUE(StaticFiles::AcceptsGzip("*"));
  EXPECT_TRUE(StaticFiles::AcceptsGzip("*;q=0, gzip"));
  EXPECT_FALSE(StaticFiles::AcceptsGzip(""));
  EXPECT_FALSE(StaticFiles::AcceptsGzip("identity"));
  EXPECT_FALSE(StaticFiles::AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(StaticFiles::AcceptsGzip("gzip; q=0.000, *"));
  EXPECT_FALSE(StaticFiles::AcceptsGzip("br"));
  EXPECT_TRUE(StaticFiles::NoneMatch("\"a\"", "\"a\""));
  EXPECT_TRUE(StaticFiles::NoneMatch("\"x\", W/\"a\"", "\"a\""));
  EXPECT_TRUE(StaticFiles::NoneMatch("*", "\"a\""));
  EXPECT_FALSE(StaticFiles::NoneMatch("\"ab\"", "\"a\""));
  EXPECT_FALSE(StaticFiles::NoneMatch("", "\"a\""));
}

TEST_F(StaticServerTest, RefusesTraversal) {
  for (std::string target :
       {"/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/vendor/../../secret.txt",
        "/vendor/%2e%2e/%2e%2e/secret.txt", "/..%2fsecret.txt", "/%2e%2e%2fsecret.txt",
        "/%252e%252e/secret.txt", "/..%5csecret.txt", "/vendor/..\\..\\secret.txt",
        "/%00/../secret.txt", "//secret.txt"}) {
    HttpClient raw(port_);
    auto r = raw.SendRaw("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_TRUE(r.status == 404 || r.status == 400) << target << " -> " << r.status;
    EXPECT_EQ(r.body.find("top secret"), std::string::npos) << target;
  }
}

TEST_F(ServerTest, StopLetsInFlightRequestFinish) {
  std::promise<Reply> held;
  router_.Add("GET", "/slow", "slow", [&held](Request&, Reply reply) { held.set_value(reply); });
  Start();
  HttpClient idle(port_);
  idle.SetKeepAlive(true);
  ASSERT_EQ(idle.Request("GET", "/api/v1/cases/1").status, 200);

  auto in_flight = std::async(std::launch::async,
                              [port = port_] { return HttpClient(port).Request("GET", "/slow"); });
  Reply reply = held.get_future().get();  // the request is in the handler now
  std::thread stopper([this] { server_->Stop(); });
  // Stop has begun once new connections are refused.
  ASSERT_TRUE(Eventually([&] { return !HttpClient(port_).Connect(); }));
  reply(Response::Json(200, {{"slow", "done"}}));
  auto r = in_flight.get();
  stopper.join();
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.Json()["slow"], "done");
  EXPECT_EQ(r.Header("Connection"), "close");
  EXPECT_FALSE(idle.ServerKeptOpen());  // the idle keep-alive connection was closed
  reply(Response::Json(200, {}));       // a late second reply is harmless
}

TEST_F(ServerTest, ReplyAfterServerIsGoneIsHarmless) {
  std::promise<Reply> held;
  router_.Add("GET", "/slow", "slow", [&held](Request&, Reply reply) { held.set_value(reply); });
  ServerOptions options;
  options.shutdown_timeout = std::chrono::seconds(0);
  Start(options);
  auto in_flight = std::async(std::launch::async,
                              [port = port_] { return HttpClient(port).Request("GET", "/slow"); });
  Reply reply = held.get_future().get();
  server_.reset();  // Stop with no grace: the connection is closed
  EXPECT_EQ(in_flight.get().status, 0);
  reply(Response::Json(200, {}));
}

TEST_F(ServerTest, WaitForSignalStopsOnSigterm) {
  Start();
  std::thread waiter([this] { server_->WaitForSignal(); });
  std::raise(SIGTERM);
  waiter.join();
  EXPECT_FALSE(HttpClient(port_).Connect());
}

}  // namespace
}  // namespace dixian::http
