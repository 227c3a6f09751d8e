// Transport and admin (issue 17 item 9): HTTPS served directly, plain HTTP refused on addresses
// other machines reach, admin tokens of at least 32 characters, repeated 401s throttled per client
// address (never other addresses), /metrics behind a token, token expiry. Before: plain HTTP on
// any address, any admin token, unlimited guessing, metrics open to all, tokens without end.
#include <cctype>
#include <filesystem>

#include "tests/security/security_util.h"

namespace dixian::security {
namespace {

using test_support::RunCommand;

std::string Binary() {
  const char* other = std::getenv("DIXIAN_ATTACK_BINARY");
  return other ? other : DIXIAN_BINARY;
}

// `dixian serve` with this admin token and extra flags; it must refuse to start (exit 2) quickly.
test_support::CommandResult ServeRefused(const std::string& admin_token, std::vector<std::string> extra) {
  testing::TempDir dir;
  std::vector<std::string> args = {"serve", "--db", dir.File("t.db"), "--listen", "127.0.0.1:0", "--key-file", dir.File("k")};
  args.insert(args.end(), extra.begin(), extra.end());
  EXPECT_EQ(RunCommand(Binary(), {"keys", "generate", dir.File("k")}).exit_code, 0);
  ::setenv("DIXIAN_ADMIN_TOKEN", admin_token.c_str(), 1);
  auto r = RunCommand(Binary(), args, 5000);
  ::unsetenv("DIXIAN_ADMIN_TOKEN");
  return r;
}

TEST(Transport, ShortAdminTokensArePlainHttpOnOpenAddressesAreRefused) {
  auto short_token = ServeRefused("admin-token-of-31-characters-xx", {});
  EXPECT_EQ(short_token.exit_code, 2) << short_token.err;
  EXPECT_NE(short_token.err.find("32"), std::string::npos) << short_token.err;
  auto open_http = ServeRefused(std::string(40, 'a'), {"--listen", "0.0.0.0:0"});
  EXPECT_EQ(open_http.exit_code, 2) << open_http.err;
  EXPECT_NE(open_http.err.find("--tls-cert"), std::string::npos) << open_http.err;
  auto half_tls = ServeRefused(std::string(40, 'a'), {"--tls-cert", "/nonexistent.pem"});
  EXPECT_EQ(half_tls.exit_code, 2) << half_tls.err;
}

// The console's HTTPS without a proxy: a certificate for 127.0.0.1, checked by curl.
TEST(Transport, HttpsIsServedDirectly) {
  testing::TempDir dir;
  const std::string cert = dir.File("cert.pem"), key = dir.File("key.pem");
  auto made = RunCommand("/usr/bin/openssl", {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                                              "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key,
                                              "-out", cert});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  ServerProcessOptions o;
  o.binary = Binary();
  o.tls = true;
  o.extra_args = {"--tls-cert", cert, "--tls-key", key, "--listen", "0.0.0.0:0"};
  ServerProcess server(o);
  ASSERT_TRUE(server.Start()) << server.error();
  const std::string base = "https://127.0.0.1:" + std::to_string(server.port());
  auto health = RunCommand("/usr/bin/curl", {"-sS", "-i", "--cacert", cert, base + "/healthz"});
  ASSERT_EQ(health.exit_code, 0) << health.err;
  EXPECT_NE(health.out.find("HTTP/1.1 200"), std::string::npos) << health.out;
  std::string lower = health.out;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_NE(lower.find("strict-transport-security: max-age=31536000"), std::string::npos) << health.out;
  auto me = RunCommand("/usr/bin/curl", {"-sS", "--cacert", cert, "-H", "Authorization: Bearer " + server.admin_token(),
                                         base + "/api/v1/me"});
  EXPECT_NE(me.out.find("\"role\":\"admin\""), std::string::npos) << me.out << me.err;
  // Plain HTTP on the TLS port gets no HTTP answer.
  EXPECT_EQ(server.Client()->Request("GET", "/healthz").status, 0);
  EXPECT_EQ(server.Stop(), 0);
}

class Throttle : public SecurityTest {};

// Guessing tokens: the 11th refused token within a minute from one address gets 429 with
// Retry-After, and so does that address's next call even with a valid token; another address
// (127.0.0.2) is not affected.
TEST_F(Throttle, RepeatedFailuresFromOneAddressAreThrottledOthersAreNot) {
  auto guesser = server_->Client();
  for (int i = 0; i < 10; ++i) {
    guesser->SetBearer("dx_" + std::string(48, static_cast<char>('0' + i)));
    ASSERT_EQ(guesser->Request("GET", "/api/v1/me").status, 401) << i;
  }
  guesser->SetBearer("dx_" + std::string(48, 'f'));
  auto r = guesser->Request("GET", "/api/v1/me");
  EXPECT_EQ(r.status, 429) << r.body;
  const int retry = r.Header("Retry-After").empty() ? 0 : std::stoi(r.Header("Retry-After"));
  EXPECT_GE(retry, 1);
  EXPECT_LE(retry, 61);
  EXPECT_EQ(r.Json()["error"]["code"], "too_many_failed_logins") << r.body;
  EXPECT_EQ(Call(*As("clerk_V11"), "GET", "/api/v1/me").status, 429) << "same address, valid token";
  auto other = server_->Client(county_.tokens.at("clerk_V11"));
  other->SetLocalAddress("127.0.0.2");
  EXPECT_EQ(other->Request("GET", "/api/v1/me").status, 200) << "another address is not locked out";
  other->SetBearer("dx_" + std::string(48, 'e'));
  EXPECT_EQ(other->Request("GET", "/api/v1/me").status, 401);
}

// Opening a console session is a sign-in like any other: guessing tokens through POST /sessions
// counts against the same per-address limit (it was a way around it).
TEST_F(Throttle, GuessingTokensThroughSessionsIsThrottledToo) {
  auto guesser = server_->Client();
  for (int i = 0; i < 10; ++i) {
    guesser->SetBearer("dx_" + std::string(48, static_cast<char>('0' + i)));
    ASSERT_EQ(guesser->Request("POST", "/api/v1/sessions", "{}").status, 401) << i;
  }
  guesser->SetBearer("dx_" + std::string(48, 'f'));
  auto r = guesser->Request("POST", "/api/v1/sessions", "{}");
  EXPECT_EQ(r.status, 429) << r.body;
  EXPECT_FALSE(r.Header("Retry-After").empty());
  EXPECT_EQ(Call(*As("clerk_V11"), "GET", "/api/v1/me").status, 429) << "the same address is locked out";
}

class Metrics : public SecurityTest {};

TEST_F(Metrics, MetricsNeedTheAdminToken) {
  EXPECT_EQ(server_->Client()->Request("GET", "/metrics").status, 401);
  EXPECT_EQ(As("county")->Request("GET", "/metrics").status, 403);
  auto admin = As("admin")->Request("GET", "/metrics");
  EXPECT_EQ(admin.status, 200);
  EXPECT_NE(admin.body.find("dixian_http_requests_total"), std::string::npos);
}

class TokenExpiry : public SecurityTest {};

// A token may carry an end (engine time): after it, 401 token_expired; a reissue gives a new one.
TEST_F(TokenExpiry, ATokenStopsWorkingAtItsExpiry) {
  auto created = Do("admin", "POST", "/api/v1/users",
                    {{"id", "dayclerk"}, {"name", "值班"}, {"role", "village_clerk"}, {"org", "V11"},
                     {"token_expires_at", "2026-03-02T18:00:00+08:00"}});
  ASSERT_EQ(created.status, 201) << created.raw;
  EXPECT_EQ(created.body["token_expires_at"], "2026-03-02T18:00:00+08:00");
  auto day = server_->Client(created.body["token"].get<std::string>());
  EXPECT_EQ(Call(*day, "GET", "/api/v1/me").body["token_expires_at"], "2026-03-02T18:00:00+08:00");
  ASSERT_EQ(Do("admin", "POST", "/api/v1/admin/clock", {{"advance_seconds", 9 * 3600}}).status, 200);
  auto late = Call(*day, "GET", "/api/v1/me");
  EXPECT_EQ(late.status, 401);
  EXPECT_EQ(late.body["error"]["code"], "token_expired") << late.raw;
  EXPECT_EQ(Do("admin", "POST", "/api/v1/users/dayclerk/token", {{"token_expires_at", "2026-03-02T17:00:00+08:00"}}).status, 422)
      << "an expiry in the past is refused";
  auto fresh = Do("admin", "POST", "/api/v1/users/dayclerk/token");
  ASSERT_EQ(fresh.status, 200);
  EXPECT_TRUE(fresh.body["token_expires_at"].is_null());
  EXPECT_EQ(Call(*server_->Client(fresh.body["token"].get<std::string>()), "GET", "/api/v1/me").status, 200);
}

}  // namespace
}  // namespace dixian::security
