// App channels against the local fakes of the three apps (tests/support/fake_app.*): messages to
// one person, tokens and their refresh, per-person windows that survive a restart, presses that
// come back verified, and the sign-in code exchange.
#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include "adapters/chat/app_client.h"
#include "adapters/chat/callbacks.h"
#include "adapters/chat/delivery_worker.h"
#include "adapters/chat/signer.h"
#include "tests/chat/memory_outbox_store.h"
#include "tests/support/fake_app.h"
#include "tests/support/fake_http.h"

namespace dixian::chat {
namespace {

using dixian::testing::FakeApp;
using dixian::testing::FakeCallback;
using nlohmann::json;
using testing::MemoryOutboxStore;
using testing::TaskMessage;
using State = MemoryOutboxStore::State;
using namespace std::chrono_literals;

constexpr std::int64_t kAppStartMs = 1767225600000;  // 2026-01-01 08:00 China time

engine::OutboxMessage PersonMessage(const std::string& channel, const std::string& to,
                                    const std::string& head, bool actionable = true) {
  engine::OutboxMessage m = TaskMessage(channel, "new_task", head, 3);
  m.payload["to"] = to;
  m.payload["case_id"] = "C00000042";
  m.payload["case_version"] = 3;
  m.payload["link"] = "/#/cases/C00000042";
  m.payload["mobiles"] = json::array();
  if (actionable) {
    m.payload["actions"] = {{{"action", "approve"}, {"label", "通过"}},
                            {{"action", "return"}, {"label", "退回"}, {"needs_comment", true}}};
  }
  return m;
}

CallbackRequest ToRequest(const FakeCallback& cb) {
  CallbackRequest r;
  r.method = cb.method;
  r.query = dixian::testing::QueryParams(cb.query);
  for (const auto& [name, value] : cb.headers) {
    std::string lower = name;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers[lower] = value;
  }
  r.body = cb.body;
  return r;
}

class AppTest : public ::testing::Test {
 protected:
  AppTest() {
    logger_ = std::make_shared<spdlog::logger>("delivery", std::make_shared<spdlog::sinks::null_sink_mt>());
  }
  DeliveryOptions Options() {
    DeliveryOptions o;
    o.templates = Templates::Shipped();
    o.templates.console_base_url = "https://dixian.example.gov.cn";
    o.logger = logger_;
    return o;
  }
  std::unique_ptr<FakeApp> Fake(const std::string& kind, std::set<std::string> users) {
    return std::make_unique<FakeApp>(kind, std::move(users), [this] { return clock_.NowMs(); });
  }
  engine::Channel AddApp(const std::string& id, const std::string& kind, const FakeApp& fake) {
    engine::Channel c{id, "c1", kind, fake.BaseUrl(), "", -1, -1, {}};
    const json app = fake.AppJson();
    for (const auto& [k, v] : app.items()) c.app[k] = v.get<std::string>();
    store_.AddChannel(c);
    return c;
  }
  void StepAndWait(DeliveryWorker& w) {
    w.Step();
    w.Quiesce();
  }
  // A desk whose "engine" answers every press with `outcome` and records what it was asked.
  struct Desk {
    std::vector<Press> presses;
    PressOutcome outcome{PressResult::kDone, "张三同志"};
  };
  CallbackReply Call(CallbackDesk& desk, const std::string& channel, const FakeCallback& cb) {
    CallbackReply out{0, "", ""};
    desk.Handle(channel, ToRequest(cb), [&](CallbackReply r) { out = std::move(r); });
    return out;
  }

  ManualWallClock clock_{kAppStartMs};
  MemoryOutboxStore store_;
  std::shared_ptr<spdlog::logger> logger_;
};

TEST_F(AppTest, WeComCardToOnePersonWithButtonsAndAnExpiredTokenRefreshedOnce) {
  auto fake = Fake("wecom_app", {"zhangsan"});
  AddApp("w1", "wecom_app", *fake);
  store_.Add(PersonMessage("w1", "zhangsan", "王建国"));
  DeliveryWorker w(store_, clock_, Options());
  StepAndWait(w);
  ASSERT_EQ(fake->Messages().size(), 1u);
  const auto messages = fake->Messages();
  const auto& m = messages[0];
  EXPECT_EQ(m.to, "zhangsan");
  EXPECT_EQ(m.body["msgtype"], "template_card");
  EXPECT_EQ(m.body["agentid"], 1000002);
  EXPECT_EQ(m.card["card_type"], "button_interaction");
  const auto buttons = dixian::testing::CardButtons("wecom_app", m);
  EXPECT_EQ(buttons.at("通过"), "dx1|C00000042|3|approve|通过");
  EXPECT_EQ(buttons.at("退回"), "url:https://dixian.example.gov.cn/#/cases/C00000042");  // needs a reason
  EXPECT_EQ(buttons.at("查看"), "url:https://dixian.example.gov.cn/#/cases/C00000042");
  EXPECT_EQ(fake->token_fetches(), 1);

  store_.Add(PersonMessage("w1", "zhangsan", "李秀英"));
  StepAndWait(w);
  EXPECT_EQ(fake->token_fetches(), 1);  // cached
  fake->ExpireTokens();
  store_.Add(PersonMessage("w1", "zhangsan", "赵大海"));
  StepAndWait(w);
  EXPECT_EQ(fake->token_fetches(), 2);  // 42001, fetched again, sent again
  EXPECT_EQ(fake->SendCodes(), (std::vector<long long>{0, 0, 42001, 0}));
  EXPECT_EQ(store_.Count(State::kDelivered), 3);
}

TEST_F(AppTest, UnknownRecipientAndRefusedCredentialsAreDeadWithAReasonToAct) {
  auto fake = Fake("wecom_app", {"zhangsan"});
  AddApp("w1", "wecom_app", *fake);
  const auto id = store_.Add(PersonMessage("w1", "lisi", "王建国"));
  DeliveryWorker w(store_, clock_, Options());
  StepAndWait(w);
  EXPECT_EQ(store_.Get(id).state, State::kDead);
  EXPECT_NE(store_.Get(id).dead_reason.find("81013"), std::string::npos);
  EXPECT_NE(store_.Get(id).dead_reason.find("im.wecom"), std::string::npos);

  auto feishu = Fake("feishu_app", {"ou_1"});
  engine::Channel c = AddApp("f1", "feishu_app", *feishu);
  c.app["app_secret"] = "wrong";
  store_.AddChannel(c);
  const auto refused = store_.Add(PersonMessage("f1", "ou_1", "李秀英"));
  StepAndWait(w);
  EXPECT_EQ(store_.Get(refused).state, State::kDead);
  EXPECT_NE(store_.Get(refused).dead_reason.find("app_secret"), std::string::npos);
}

// WeCom drops, without an error, what goes over 30 a minute to one member: our window for that
// person holds the 31st, also across a restart.
TEST_F(AppTest, PerPersonWindowHoldsAcrossARestart) {
  auto fake = Fake("wecom_app", {"zhangsan", "lisi"});
  AddApp("w1", "wecom_app", *fake);
  for (int i = 0; i < 25; ++i) store_.Add(PersonMessage("w1", "zhangsan", "户" + std::to_string(i), false));
  {
    DeliveryWorker first(store_, clock_, Options());
    StepAndWait(first);
  }
  ASSERT_EQ(fake->Messages().size(), 25u);
  for (int i = 25; i < 35; ++i) store_.Add(PersonMessage("w1", "zhangsan", "户" + std::to_string(i), false));
  store_.Add(PersonMessage("w1", "lisi", "另一人", false));
  clock_.AdvanceMs(10'000);
  DeliveryWorker second(store_, clock_, Options());
  StepAndWait(second);
  EXPECT_EQ(fake->Messages().size(), 31u);  // zhangsan's 30 in the minute, and lisi's one
  EXPECT_EQ(fake->Received().size(), 31u);  // nothing dropped by the platform
  EXPECT_EQ(store_.Count(State::kPending), 5);
  clock_.AdvanceMs(52'000);  // the first 25 are a minute old (our window is 61 s)
  StepAndWait(second);
  EXPECT_EQ(fake->Messages().size(), 36u);
  EXPECT_EQ(fake->Received().size(), 36u);
}

TEST_F(AppTest, FeishuInteractiveCardWithCallbackAndLinkButtons) {
  auto fake = Fake("feishu_app", {"ou_zhangsan"});
  AddApp("f1", "feishu_app", *fake);
  store_.Add(PersonMessage("f1", "ou_zhangsan", "[核验](https://evil)"));
  DeliveryWorker w(store_, clock_, Options());
  StepAndWait(w);
  ASSERT_EQ(fake->Messages().size(), 1u);
  const auto messages = fake->Messages();
  const auto& m = messages[0];
  EXPECT_EQ(m.body["msg_type"], "interactive");
  EXPECT_EQ(m.card["elements"][0]["text"]["tag"], "plain_text");  // literal: the name stays inert
  const auto buttons = dixian::testing::CardButtons("feishu_app", m);
  EXPECT_EQ(buttons.at("通过"), "dx1|C00000042|3|approve|通过");
  EXPECT_EQ(buttons.at("退回"), "url:https://dixian.example.gov.cn/#/cases/C00000042");
}

TEST_F(AppTest, DingTalkWorkNoticeLinksToTheConsoleAndIsNeverTheSameTwice) {
  auto fake = Fake("dingtalk_app", {"manager01"});
  AddApp("d1", "dingtalk_app", *fake);
  store_.Add(PersonMessage("d1", "manager01", "王建国"));
  store_.Add(PersonMessage("d1", "manager01", "王建国"));
  DeliveryWorker w(store_, clock_, Options());
  StepAndWait(w);
  ASSERT_EQ(fake->Messages().size(), 2u);
  const auto messages = fake->Messages();
  const auto& card = messages[0].card;
  EXPECT_EQ(card["msgtype"], "action_card");
  const auto buttons = dixian::testing::CardButtons("dingtalk_app", messages[0]);
  EXPECT_EQ(buttons.at("通过"), "url:https://dixian.example.gov.cn/#/cases/C00000042");
  EXPECT_NE(card["action_card"]["markdown"], messages[1].card["action_card"]["markdown"]);
}

TEST_F(AppTest, WeComPressIsVerifiedDecryptedAndTheCardUpdated) {
  auto fake = Fake("wecom_app", {"zhangsan"});
  AddApp("w1", "wecom_app", *fake);
  store_.Add(PersonMessage("w1", "zhangsan", "王建国"));
  AppClient apps(clock_, {}, logger_);
  DeliveryWorker w(store_, clock_, Options(), &apps);
  StepAndWait(w);
  ASSERT_EQ(fake->Messages().size(), 1u);
  std::vector<Press> presses;
  CallbackDesk desk(store_, apps, [&](const Press& p, std::function<void(PressOutcome)> done) {
    presses.push_back(p);
    done({PressResult::kDone, "张三同志"});
  }, logger_);
  const auto message = fake->Messages()[0];
  const auto key = dixian::testing::CardButtons("wecom_app", message).at("通过");

  auto reply = Call(desk, "w1", fake->Press(message, "zhangsan", key));
  EXPECT_EQ(reply.status, 200);
  ASSERT_EQ(presses.size(), 1u);
  EXPECT_EQ(presses[0].platform, "wecom");
  EXPECT_EQ(presses[0].user, "zhangsan");
  EXPECT_EQ(presses[0].case_id, "C00000042");
  EXPECT_EQ(presses[0].expected_version, 3);
  EXPECT_EQ(presses[0].action, "approve");
  EXPECT_EQ(presses[0].idempotency_key, "wecom:w1:" + message.task_id + ":zhangsan");
  ASSERT_TRUE(fake->WaitForCardUpdates(1, 10s));
  EXPECT_EQ(fake->CardUpdates()[0]["button"]["replace_name"], "已通过（张三同志）");
  EXPECT_EQ(fake->CardUpdates()[0]["userids"], json::array({"zhangsan"}));

  // A replay outside five minutes, a forged signature and a URL check.
  clock_.AdvanceMs(1000);
  auto old = fake->Press(message, "zhangsan", key, clock_.NowMs() - 301'000);
  EXPECT_EQ(Call(desk, "w1", old).status, 403);
  auto forged = fake->Press(message, "zhangsan", key);
  forged.query.replace(forged.query.find("msg_signature=") + 14, 4, "0000");
  EXPECT_EQ(Call(desk, "w1", forged).status, 401);
  EXPECT_EQ(presses.size(), 1u);
  EXPECT_EQ(desk.refused(), 2);
  auto check = fake->UrlCheck();
  auto echo = Call(desk, "w1", check);
  EXPECT_EQ(echo.status, 200);
  EXPECT_EQ(echo.body, check.expected_echo);
  EXPECT_EQ(Call(desk, "nope", check).status, 404);
}

TEST_F(AppTest, FeishuPressAnsweredWithTheCardReplaced) {
  auto fake = Fake("feishu_app", {"ou_zhangsan", "ou_lisi"});
  AddApp("f1", "feishu_app", *fake);
  store_.Add(PersonMessage("f1", "ou_lisi", "王建国"));
  AppClient apps(clock_, {}, logger_);
  DeliveryWorker w(store_, clock_, Options(), &apps);
  StepAndWait(w);
  ASSERT_EQ(fake->Messages().size(), 1u);
  std::vector<Press> presses;
  CallbackDesk desk(store_, apps, [&](const Press& p, std::function<void(PressOutcome)> done) {
    presses.push_back(p);
    done({PressResult::kForbidden, ""});
  }, logger_);
  const auto message = fake->Messages()[0];
  const auto key = dixian::testing::CardButtons("feishu_app", message).at("通过");
  auto reply = Call(desk, "f1", fake->Press(message, "ou_lisi", key));
  ASSERT_EQ(reply.status, 200);
  const json answer = json::parse(reply.body);
  EXPECT_EQ(answer["toast"]["content"], "无权限");
  EXPECT_EQ(answer["card"]["type"], "raw");
  EXPECT_EQ(answer["card"]["data"]["elements"][0]["text"]["content"], "无权限");
  ASSERT_EQ(presses.size(), 1u);
  EXPECT_EQ(presses[0].platform, "feishu");
  EXPECT_EQ(presses[0].user, "ou_lisi");
  EXPECT_EQ(presses[0].idempotency_key, "feishu:f1:" + message.message_id + ":ou_lisi");

  auto forged = fake->Press(message, "ou_lisi", key);
  forged.body[forged.body.size() - 3] = forged.body[forged.body.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_EQ(Call(desk, "f1", forged).status, 401);
  auto old = fake->Press(message, "ou_lisi", key, clock_.NowMs() - 400'000);
  EXPECT_EQ(Call(desk, "f1", old).status, 403);
  EXPECT_EQ(presses.size(), 1u);
  auto challenge = fake->UrlCheck();
  auto echo = Call(desk, "f1", challenge);
  EXPECT_EQ(echo.status, 200);
  EXPECT_EQ(json::parse(echo.body)["challenge"], challenge.expected_echo);
}

TEST_F(AppTest, SignInCodesBecomePlatformIdsOnEachApp) {
  AppClient apps(clock_, {}, logger_);
  for (const char* kind : {"wecom_app", "feishu_app", "dingtalk_app"}) {
    auto fake = Fake(kind, {"u1"});
    engine::Channel c = AddApp(std::string("x-") + kind, kind, *fake);
    fake->AddSignInCode("code-1", "u1");
    auto id = apps.ExchangeSignInCode(c, "code-1");
    ASSERT_TRUE(id.ok()) << kind << ": " << id.error().message;
    EXPECT_EQ(id.value(), "u1") << kind;
    auto again = apps.ExchangeSignInCode(c, "code-1");  // a code is good once
    ASSERT_FALSE(again.ok()) << kind;
    EXPECT_EQ(again.error().code, engine::ErrorCode::kUnauthenticated) << kind;
  }
  engine::Channel robot{"r", "c1", "dingtalk", "https://x", "", -1, -1, {}};
  EXPECT_EQ(apps.ExchangeSignInCode(robot, "c").error().slug, "not_an_app_channel");
}

}  // namespace
}  // namespace dixian::chat
