// Issue 17 item 9 (RAND_bytes checks): tokens were made from RAND_bytes without looking at its
// answer, so a failing generator left whatever the buffer held (zeros, stack bytes) in a bearer
// token. Here OpenSSL's generator is replaced by one that always fails: no token, key or nonce may
// come out of it; the write fails whole with 503 random_unavailable, and the old token keeps
// working.
#define OPENSSL_SUPPRESS_DEPRECATED  // RAND_METHOD is the only way to make RAND_bytes fail in-process
#include <openssl/rand.h>

#include "engine/core/random.h"
#include "tests/support/engine_fixture.h"

namespace dixian::testing {
namespace {

int FailBytes(unsigned char*, int) { return 0; }
int FailStatus() { return 0; }
const RAND_METHOD kFailingRand = {nullptr, FailBytes, nullptr, nullptr, FailBytes, FailStatus};

// Swaps OpenSSL's generator for the failing one while alive. RAND_METHOD is deprecated in
// OpenSSL 3 but still the one way to make the default generator fail inside this process.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
class FailingGenerator {
 public:
  FailingGenerator() : previous_(RAND_get_rand_method()) { RAND_set_rand_method(&kFailingRand); }
  ~FailingGenerator() { RAND_set_rand_method(previous_); }

 private:
  const RAND_METHOD* previous_;
};
#pragma GCC diagnostic pop

class RandomFailure : public EngineFixture {};

void ExpectRandomUnavailable(const engine::Result<Json>& r) {
  ASSERT_FALSE(r.ok()) << r.value().dump();
  EXPECT_EQ(r.error().code, engine::ErrorCode::kUnavailable);
  EXPECT_EQ(r.error().slug, "random_unavailable");
  EXPECT_EQ(r.error().message, "系统随机数生成器不可用，操作未执行，请稍后重试");
}

TEST_F(RandomFailure, TheHelpersReportTheFailure) {
  FailingGenerator failing;
  EXPECT_FALSE(engine::RandomBytes(16).ok());
  EXPECT_FALSE(engine::RandomHex(24).ok());
}

TEST_F(RandomFailure, NoUserIsCreatedWithATokenFromAFailedGenerator) {
  const Json body = {{"id", "clerk_new"}, {"name", "新村填报"}, {"role", "village_clerk"}, {"org", "v11"},
                     {"mobile", "13800009999"}};
  {
    FailingGenerator failing;
    ExpectRandomUnavailable(Run(&api::CreateUser, Admin(), body));
  }
  EXPECT_TRUE(Rows("SELECT id FROM users WHERE id = 'clerk_new'").empty());
  for (const auto& ev : Audit("user_create")) EXPECT_NE(ev["data"]["user"], "clerk_new") << ev.dump();
  auto created = Run(&api::CreateUser, Admin(), body);  // the id is free: nothing was half-written
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(created.value()["token"].get<std::string>().size(), 51u);
}

TEST_F(RandomFailure, AFailedReissueKeepsTheOldToken) {
  auto created = Run(&api::CreateUser, Admin(),
                     {{"id", "clerk_new"}, {"name", "新村填报"}, {"role", "village_clerk"}, {"org", "v11"}});
  ASSERT_TRUE(created.ok()) << created.error().message;
  const std::string token = created.value()["token"];
  const auto reissues = Audit("reissue_token").size();
  {
    FailingGenerator failing;
    ExpectRandomUnavailable(Run(&api::ReissueToken, Admin(), Json::object(), "clerk_new"));
  }
  auto who = engine_->Authenticate(token);
  ASSERT_TRUE(who.ok()) << who.error().message;
  EXPECT_EQ(who.value().user.id, "clerk_new");
  EXPECT_EQ(Audit("reissue_token").size(), reissues);
}

TEST_F(RandomFailure, NoChannelSecretIsSealedWithoutARandomNonce) {
  {
    FailingGenerator failing;
    ExpectRandomUnavailable(Run(&api::CreateChannel, Admin(),
                                {{"id", "ch-new"}, {"org", "v11"}, {"kind", "webhook"},
                                 {"url", "http://127.0.0.1:9/new"}, {"secret", "SEC0123456789"}}));
  }
  EXPECT_TRUE(Rows("SELECT id FROM channels WHERE id = 'ch-new'").empty());
}

}  // namespace
}  // namespace dixian::testing
