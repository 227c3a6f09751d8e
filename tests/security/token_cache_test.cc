// The server remembers who a token is for a moment (adapters/http/auth_cache.h), so the hot path
// skips a store read per request. The attack: keep using a token, or a console session built on
// it, after an administrator revoked, reissued or moved it, hoping the server still has the old
// answer. Each must be refused (or see the new org) on the very next request.
#include <string>

#include "tests/security/security_util.h"

namespace dixian::security {
namespace {

class TokenCache : public SecurityTest {
 protected:
  // Requests authenticated from the cache so far (the admin's /metrics read is one of them).
  double CacheHits() {
    const auto page = As("admin")->Request("GET", "/metrics");
    const std::string name = "\ndixian_auth_cache_hits_total ";
    const auto at = page.body.find(name);
    if (page.status != 200 || at == std::string::npos) {
      ADD_FAILURE() << "no " << name << " in /metrics: " << page.status;
      return -1;
    }
    return std::stod(page.body.substr(at + name.size()));
  }
  std::unique_ptr<HttpClient> SessionOf(const std::string& user) {
    auto started = Call(*As(user), "POST", "/api/v1/sessions");
    EXPECT_EQ(started.status, 201) << started.raw;
    return server_->Client(started.body["session"].get<std::string>());
  }
};

TEST_F(TokenCache, ARevokedTokenAndItsSessionAreRefusedAtOnceThoughCached) {
  auto clerk = As("clerk_V11");
  auto console = SessionOf("clerk_V11");
  ASSERT_EQ(clerk->Request("GET", "/api/v1/tasks").status, 200);
  ASSERT_EQ(console->Request("GET", "/api/v1/me").status, 200);
  const double before = CacheHits();
  ASSERT_EQ(clerk->Request("GET", "/api/v1/tasks").status, 200);
  ASSERT_EQ(console->Request("GET", "/api/v1/me").status, 200);
  EXPECT_GE(CacheHits() - before, 2) << "the token and the session are answered from the cache";

  ASSERT_EQ(Do("admin", "POST", "/api/v1/users/clerk_V11/revoke").status, 200);
  auto read = Call(*clerk, "GET", "/api/v1/tasks");
  EXPECT_EQ(read.status, 401) << read.raw;
  EXPECT_EQ(read.body["error"]["code"], "unauthenticated") << read.raw;
  auto act = Call(*clerk, "POST", "/api/v1/cases/C00000001/actions",
                  {{"action", "submit"}, {"expected_version", 1}});
  EXPECT_EQ(act.status, 401) << act.raw;
  EXPECT_EQ(console->Request("GET", "/api/v1/me").status, 401);
}

TEST_F(TokenCache, AReissuedTokensOldValueIsRefusedAtOnceThoughCached) {
  auto old = As("clerk_V12");
  ASSERT_EQ(old->Request("GET", "/api/v1/me").status, 200);
  const double before = CacheHits();
  ASSERT_EQ(old->Request("GET", "/api/v1/me").status, 200);
  EXPECT_GE(CacheHits() - before, 1);

  auto reissued = Do("admin", "POST", "/api/v1/users/clerk_V12/token");
  ASSERT_EQ(reissued.status, 200) << reissued.raw;
  EXPECT_EQ(old->Request("GET", "/api/v1/me").status, 401);
  auto fresh = server_->Client(reissued.body["token"].get<std::string>());
  EXPECT_EQ(Call(*fresh, "GET", "/api/v1/me").body["id"], "clerk_V12");
}

TEST_F(TokenCache, AMovedUserActsFromTheNewOrgAtOnce) {
  auto clerk = As("clerk_V21");
  auto console = SessionOf("clerk_V21");
  EXPECT_EQ(Call(*clerk, "GET", "/api/v1/me").body["org"], "V21");
  EXPECT_EQ(Call(*console, "GET", "/api/v1/me").body["org"], "V21");
  const double before = CacheHits();
  EXPECT_EQ(Call(*clerk, "GET", "/api/v1/me").body["org"], "V21");
  EXPECT_GE(CacheHits() - before, 1);

  auto moved = Do("admin", "POST", "/api/v1/users/clerk_V21/move", {{"org", "V22"}});
  ASSERT_EQ(moved.status, 200) << moved.raw;
  EXPECT_EQ(Call(*clerk, "GET", "/api/v1/me").body["org"], "V22");
  EXPECT_EQ(Call(*console, "GET", "/api/v1/me").body["org"], "V22");
}

}  // namespace
}  // namespace dixian::security
