// Sign-in from the chat apps' clients (免登 / OAuth code) for console sessions: the code from the
// platform's client, exchanged with the local fake of each app, names the dixian user whose `im`
// id it is; a bad code, a platform id nobody has, a revoked user or a robot channel do not.
#include <future>

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include "adapters/chat/rate_limiter.h"
#include "adapters/runtime/chat_sign_in.h"
#include "tests/support/engine_fixture.h"
#include "tests/support/fake_app.h"

namespace dixian::testing {
namespace {

class ChatSignInTest : public EngineFixture {
 protected:
  std::string AddChannel(const std::string& kind, const FakeApp& fake) {
    Json r = Must(
        &api::CreateChannel, Admin(),
        {{"org", "county"}, {"kind", kind}, {"app", fake.AppJson()}, {"api_base", fake.BaseUrl()}});
    return r.value("id", "");
  }
  chat::SystemWallClock wall_;
  std::shared_ptr<spdlog::logger> logger_ =
      std::make_shared<spdlog::logger>("sign-in", std::make_shared<spdlog::sinks::null_sink_mt>());
};

TEST_F(ChatSignInTest, EachAppsCodeNamesTheMappedUserAndNothingElseSignsIn) {
  AddUser({{"id", "rev_im"},
           {"name", "张三"},
           {"role", "township_reviewer"},
           {"org", "t1"},
           {"mobile", "13800001111"},
           {"im", {{"wecom", "zhangsan"}, {"feishu", "ou_zhangsan"}, {"dingtalk", "manager01"}}}});
  chat::AppClient apps(wall_, {}, logger_);
  runtime::ChatSignIn sign_in(*store_, *store_, apps);
  const std::pair<const char*, const char*> apps_and_ids[] = {
      {"wecom_app", "zhangsan"}, {"feishu_app", "ou_zhangsan"}, {"dingtalk_app", "manager01"}};
  for (const auto& [kind, im_id] : apps_and_ids) {
    SCOPED_TRACE(kind);
    FakeApp fake(kind, {im_id, "stranger"});
    const std::string channel = AddChannel(kind, fake);
    fake.AddSignInCode("code-ok", im_id);
    fake.AddSignInCode("code-stranger", "stranger");
    auto user = sign_in.UserFor(channel, "code-ok");
    ASSERT_TRUE(user.ok()) << user.error().message;
    EXPECT_EQ(user.value(), "rev_im");
    for (const char* code : {"code-bad", "code-stranger"}) {
      auto refused = sign_in.UserFor(channel, code);
      ASSERT_FALSE(refused.ok()) << code;
      EXPECT_EQ(refused.error().code, engine::ErrorCode::kUnauthenticated) << code;
      EXPECT_EQ(refused.error().slug, "sign_in_failed") << code;
    }
  }
  auto unknown = sign_in.UserFor("no-such-channel", "code-ok");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().slug, "sign_in_failed");

  // The asynchronous path answers on the worker; a revoked user no longer signs in.
  FakeApp wecom("wecom_app", {"zhangsan"});
  const std::string channel = AddChannel("wecom_app", wecom);
  wecom.AddSignInCode("c1", "zhangsan");
  wecom.AddSignInCode("c2", "zhangsan");
  std::promise<engine::Result<std::string>> answered;
  sign_in.SignIn(channel, "c1",
                 [&](engine::Result<std::string> r) { answered.set_value(std::move(r)); });
  auto first = answered.get_future().get();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first.value(), "rev_im");
  Must(&api::RevokeUser, Admin(), Json::object(), "rev_im");
  auto revoked = sign_in.UserFor(channel, "c2");
  ASSERT_FALSE(revoked.ok());
  EXPECT_EQ(revoked.error().slug, "sign_in_failed");
}

}  // namespace
}  // namespace dixian::testing
