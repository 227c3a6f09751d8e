// Issue 15: approvals from the chat, end to end. The real server with app channels pointed at the
// local fakes of WeCom, Feishu and DingTalk (tests/support/fake_app.h): a step waiting for the
// township reviewers goes to each of them who has an `im` id, as a card with buttons; a press
// comes back to /callbacks/{channel_id} signed and encrypted as the platform does and approves
// the real case as the mapped user; forged, replayed and unauthorised presses change nothing.
#include <chrono>

#include "tests/e2e/e2e_world.h"
#include "tests/support/fake_app.h"

namespace dixian::e2e {
namespace {

using namespace std::chrono_literals;
using testing::CardButtons;
using testing::FakeApp;
using testing::FakeAppMessage;
using testing::FakeCallback;

class ChatAppsTest : public E2eTest {
 protected:
  // A user with ids on chat platforms.
  void ImUser(const std::string& id, const std::string& name, const std::string& role,
              const std::string& org, const json& im) {
    auto r = Post("admin", "/api/v1/users",
                  {{"id", id},
                   {"name", name},
                   {"role", role},
                   {"org", org},
                   {"mobile", "13812345678"},
                   {"im", im}});
    ASSERT_EQ(r.status, 201) << Show(r);
    EXPECT_EQ(r.Json()["im"], im);
    tokens_[id] = r.Json()["token"].get<std::string>();
  }

  std::string AppChannel(const std::string& org, const std::string& kind, const FakeApp& fake) {
    auto r =
        Post("admin", "/api/v1/channels",
             {{"org", org}, {"kind", kind}, {"app", fake.AppJson()}, {"api_base", fake.BaseUrl()}});
    EXPECT_EQ(r.status, 201) << Show(r);
    return r.Json().value("id", "");
  }

  // The callback as the platform sends it, to the server.
  HttpResult Send(const std::string& channel, const FakeCallback& cb) {
    test_support::Headers headers(cb.headers.begin(), cb.headers.end());
    const std::string target = "/callbacks/" + channel + (cb.query.empty() ? "" : "?" + cb.query);
    return server_->Client("")->Request(cb.method, target, cb.body, headers);
  }

  // The case H1 submitted by clerk1: waiting at township_review. Returns its id.
  std::string SubmittedCase() {
    const std::string id = NewCase().value("id", "");
    auto r = Act("clerk1", id, "submit");
    EXPECT_EQ(r.status, 200) << Show(r);
    return id;
  }

  // The message the fake received for `to`, once it arrives.
  FakeAppMessage MessageTo(const FakeApp& fake, const std::string& to, std::size_t expected) {
    EXPECT_TRUE(fake.WaitForMessages(expected, 20s));
    for (const auto& m : fake.Messages())
      if (m.to == to) return m;
    ADD_FAILURE() << "no message to " << to << "\n" << server_->Log();
    return {};
  }

  json Case(const std::string& id) { return GetJson("admin", "/api/v1/cases/" + id); }
  json LastEvent(const std::string& id) {
    const json h = GetJson("admin", "/api/v1/cases/" + id + "/history");
    const json& events = h.is_array() ? h : h.value("events", json::array());
    return events.empty() ? json() : events.back();
  }
};

TEST_F(ChatAppsTest, WeComCardPressApprovesTheCaseAndEveryOtherPressChangesNothing) {
  FakeApp wecom("wecom_app", {"zhangsan", "wangwu", "lisi", "zhaoliu"});
  BuildWorld();
  ImUser("rev_zhang", "张三", "township_reviewer", "t1", {{"wecom", "zhangsan"}});
  ImUser("rev_wang", "王五", "township_reviewer", "t1", {{"wecom", "wangwu"}});
  ImUser("rev_li", "李四", "township_reviewer", "t2", {{"wecom", "lisi"}});
  const std::string channel = AppChannel("c1", "wecom_app", wecom);
  ASSERT_FALSE(channel.empty());

  const std::string id = SubmittedCase();
  const json before = Case(id);
  ASSERT_EQ(before["state"], "township_review");
  // One card to each reviewer of 青山镇 with a WeCom id (reviewer1 has none); none to 李四.
  const auto zhang = MessageTo(wecom, "zhangsan", 2);
  const auto wang = MessageTo(wecom, "wangwu", 2);
  ASSERT_EQ(wecom.Messages().size(), 2u);
  auto buttons = CardButtons("wecom_app", zhang);
  ASSERT_TRUE(buttons.count("通过")) << zhang.card.dump();
  ASSERT_TRUE(buttons.count("退回")) << zhang.card.dump();
  EXPECT_EQ(buttons.at("退回").rfind("url:http://", 0), 0u) << "退回 needs a reason: the console";
  EXPECT_NE(buttons.at("退回").find("/#/cases/" + id), std::string::npos);
  const std::string approve = buttons.at("通过");

  // 李四 (石桥乡) presses a card that reached him: no right on 青山镇's case.
  auto r = Send(channel, wecom.Press(zhang, "lisi", approve));
  ASSERT_EQ(r.status, 200) << Show(r);
  ASSERT_TRUE(wecom.WaitForCardUpdates(1, 20s));
  EXPECT_EQ(wecom.CardUpdates()[0]["button"]["replace_name"], "无权限");
  EXPECT_EQ(wecom.CardUpdates()[0]["userids"], json::array({"lisi"}));
  // A platform user nobody is mapped to: 无权限 too.
  r = Send(channel, wecom.Press(zhang, "zhaoliu", approve));
  ASSERT_EQ(r.status, 200) << Show(r);
  ASSERT_TRUE(wecom.WaitForCardUpdates(2, 20s));
  EXPECT_EQ(wecom.CardUpdates()[1]["button"]["replace_name"], "无权限");
  // A forged signature, and a press replayed after the five minutes: refused before the engine.
  auto forged = wecom.Press(zhang, "zhangsan", approve);
  forged.query.replace(forged.query.find("msg_signature=") + 14, 4, "0000");
  EXPECT_EQ(Send(channel, forged).status, 401);
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  EXPECT_EQ(Send(channel, wecom.Press(zhang, "zhangsan", approve, now_ms - 301'000)).status, 403);
  EXPECT_EQ(Case(id)["version"], before["version"]);
  EXPECT_EQ(Case(id)["state"], "township_review");

  // 张三 presses 通过: the same approve as the API, as 张三.
  const auto press = wecom.Press(zhang, "zhangsan", approve);
  r = Send(channel, press);
  ASSERT_EQ(r.status, 200) << Show(r);
  ASSERT_TRUE(wecom.WaitForCardUpdates(3, 20s));
  EXPECT_EQ(wecom.CardUpdates()[2]["button"]["replace_name"], "已通过（张三）");
  const json after = Case(id);
  EXPECT_EQ(after["state"], "county_decision");
  EXPECT_EQ(after["version"], before["version"].get<int>() + 1);
  EXPECT_EQ(LastEvent(id)["actor"], "rev_zhang");
  EXPECT_EQ(LastEvent(id)["action"], "approve");

  // The platform retries the same callback: it does not act twice (and the card update that
  // follows is refused by WeCom: its response_code was used).
  r = Send(channel, press);
  ASSERT_EQ(r.status, 200) << Show(r);
  EXPECT_EQ(Case(id)["version"], after["version"]);
  // 王五's card carries the version he saw: the step has moved on.
  r = Send(channel, wecom.Press(wang, "wangwu", CardButtons("wecom_app", wang).at("通过")));
  ASSERT_EQ(r.status, 200) << Show(r);
  ASSERT_TRUE(wecom.WaitForCardUpdates(4, 20s));
  EXPECT_EQ(wecom.CardUpdates()[3]["button"]["replace_name"], "已被他人处理");
  EXPECT_EQ(wecom.CardUpdates().size(), 4u);
  EXPECT_EQ(Case(id)["version"], after["version"]);
  EXPECT_EQ(Case(id)["state"], "county_decision");

  // WeCom's URL check when the callback is set up; an unknown channel has no callback address.
  auto check = wecom.UrlCheck();
  r = Send(channel, check);
  EXPECT_EQ(r.status, 200) << Show(r);
  EXPECT_EQ(r.body, check.expected_echo);
  EXPECT_EQ(Send("nope", check).status, 404);
}

TEST_F(ChatAppsTest, FeishuCardPressApprovesTheCaseAndAnswersWithTheCardReplaced) {
  FakeApp feishu("feishu_app", {"ou_zhang", "ou_clerk"});
  BuildWorld();
  ImUser("rev_zhang", "张三", "township_reviewer", "t1",
         {{"feishu", "ou_zhang"}, {"wecom", "zhangsan"}});
  ImUser("clerk_f", "赵六", "village_clerk", "v1", {{"feishu", "ou_clerk"}});
  const std::string channel = AppChannel("t1", "feishu_app", feishu);

  const std::string id = SubmittedCase();
  const json before = Case(id);
  // 赵六 got the village step's task; 张三 the township review.
  const auto card = MessageTo(feishu, "ou_zhang", 2);
  const auto buttons = CardButtons("feishu_app", card);
  ASSERT_TRUE(buttons.count("通过")) << card.card.dump();
  const std::string approve = buttons.at("通过");

  // A village clerk presses it: 无权限, and nothing changes.
  auto r = Send(channel, feishu.Press(card, "ou_clerk", approve));
  ASSERT_EQ(r.status, 200) << Show(r);
  EXPECT_EQ(r.Json()["toast"]["content"], "无权限");
  EXPECT_EQ(r.Json()["card"]["data"]["elements"][0]["text"]["content"], "无权限");
  // A tampered body and a replay after five minutes are refused.
  auto forged = feishu.Press(card, "ou_zhang", approve);
  forged.body[forged.body.size() - 3] = forged.body[forged.body.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_EQ(Send(channel, forged).status, 401);
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  EXPECT_EQ(Send(channel, feishu.Press(card, "ou_zhang", approve, now_ms - 400'000)).status, 403);
  EXPECT_EQ(Case(id)["version"], before["version"]);

  r = Send(channel, feishu.Press(card, "ou_zhang", approve));
  ASSERT_EQ(r.status, 200) << Show(r);
  EXPECT_EQ(r.Json()["card"]["data"]["elements"][0]["text"]["content"], "已通过（张三）") << r.body;
  const json after = Case(id);
  EXPECT_EQ(after["state"], "county_decision");
  EXPECT_EQ(after["version"], before["version"].get<int>() + 1);
  EXPECT_EQ(LastEvent(id)["actor"], "rev_zhang");
}

TEST_F(ChatAppsTest, DingTalkWorkNoticeToThePersonLinksToTheConsole) {
  FakeApp dingtalk("dingtalk_app", {"manager01"});
  BuildWorld();
  ImUser("rev_zhang", "张三", "township_reviewer", "t1", {{"dingtalk", "manager01"}});
  AppChannel("p1", "dingtalk_app", dingtalk);

  const std::string id = SubmittedCase();
  const auto notice = MessageTo(dingtalk, "manager01", 1);
  ASSERT_EQ(dingtalk.Messages().size(), 1u);
  EXPECT_EQ(notice.card["msgtype"], "action_card");
  const auto buttons = CardButtons("dingtalk_app", notice);
  ASSERT_TRUE(buttons.count("通过")) << notice.card.dump();
  EXPECT_EQ(buttons.at("通过").rfind("url:http://", 0), 0u);
  EXPECT_NE(buttons.at("通过").find("/#/cases/" + id), std::string::npos);
  EXPECT_NE(notice.card["action_card"]["markdown"].get<std::string>().find("王建国"),
            std::string::npos);
}

TEST_F(ChatAppsTest, SignInFromTheWeComAppWithItsCodeGivesTheMappedPersonASession) {
  FakeApp wecom("wecom_app", {"zhangsan"});
  BuildWorld();
  ImUser("rev_zhang", "张三", "township_reviewer", "t1", {{"wecom", "zhangsan"}});
  const std::string channel = AppChannel("p1", "wecom_app", wecom);
  wecom.AddSignInCode("CODE-ZS-1", "zhangsan");
  wecom.AddSignInCode("CODE-NOBODY", "lisi");  // a platform user nobody here is mapped to
  auto sign_in = [&](const std::string& code) {
    return server_->Client("")->Request("POST", "/api/v1/sessions",
                                        json{{"channel", channel}, {"code", code}}.dump());
  };
  auto r = sign_in("CODE-ZS-1");
  ASSERT_EQ(r.status, 201) << Show(r);
  EXPECT_EQ(r.Json()["me"]["id"], "rev_zhang");
  const std::string session = r.Json()["session"];
  auto me = server_->Client(session)->Request("GET", "/api/v1/me");
  ASSERT_EQ(me.status, 200) << Show(me);
  EXPECT_EQ(me.Json()["id"], "rev_zhang");
  // A code used once already, one the platform does not know, one for a person nobody here is.
  for (const char* code : {"CODE-ZS-1", "CODE-FORGED", "CODE-NOBODY"}) {
    auto refused = sign_in(code);
    EXPECT_TRUE(IsErrorBody(refused, 401)) << code << " " << Show(refused);
    EXPECT_EQ(refused.Json()["error"]["code"], "sign_in_failed") << code;
  }
  // Guessing codes counts against the address's sign-in limit (10 refusals a minute) like
  // guessing tokens: the 11th refusal is a 429 before the platform is even asked.
  for (int i = 0; i < 7; ++i) EXPECT_EQ(sign_in("CODE-GUESS-" + std::to_string(i)).status, 401) << i;
  auto throttled = sign_in("CODE-ZS-2");
  EXPECT_EQ(throttled.status, 429) << Show(throttled);
  EXPECT_EQ(throttled.Json()["error"]["code"], "too_many_failed_logins");
}

TEST_F(ChatAppsTest, ImIdsAreCheckedAndOneBelongsToOnePerson) {
  BuildWorld();
  ImUser("rev_zhang", "张三", "township_reviewer", "t1", {{"wecom", "zhangsan"}});
  auto body = [](const std::string& id, const json& im) {
    return json{{"id", id},    {"name", "某人"},          {"role", "township_reviewer"},
                {"org", "t1"}, {"mobile", "13812345678"}, {"im", im}};
  };
  EXPECT_TRUE(IsErrorBody(Post("admin", "/api/v1/users", body("u1", {{"qq", "1"}})), 422));
  EXPECT_TRUE(IsErrorBody(Post("admin", "/api/v1/users", body("u2", {{"wecom", "<a>"}})), 422));
  EXPECT_TRUE(IsErrorBody(Post("admin", "/api/v1/users", body("u3", {{"wecom", 7}})), 422));
  auto dup = Post("admin", "/api/v1/users", body("u4", {{"wecom", "zhangsan"}}));
  EXPECT_TRUE(IsErrorBody(dup, 409));
  EXPECT_EQ(dup.Json()["error"]["code"], "duplicate_im");
  // Nothing half-written: u4 does not exist.
  EXPECT_EQ(Post("admin", "/api/v1/users", body("u4", {{"wecom", "u4"}})).status, 201);
  // The person's own record shows their ids.
  EXPECT_EQ(GetJson("rev_zhang", "/api/v1/me")["im"], json({{"wecom", "zhangsan"}}));
}

}  // namespace
}  // namespace dixian::e2e
