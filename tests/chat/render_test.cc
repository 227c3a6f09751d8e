#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "adapters/chat/mask.h"
#include "adapters/chat/platform.h"
#include "adapters/chat/render.h"
#include "adapters/chat/signer.h"
#include "tests/chat/memory_outbox_store.h"

namespace dixian::chat {
namespace {

using nlohmann::json;
using testing::TaskMessage;

engine::Channel Chan(const std::string& kind, const std::string& secret = "") {
  return {"c1", "v001", kind, "https://example.invalid/hook?access_token=abc", secret, -1, -1, {}};
}

OutgoingRequest BuildRequest(const engine::Channel& c, const Notice& n, std::int64_t now_ms) {
  return FindPlatform(c.kind)->Build(c, n, SendContext{now_ms, ""});
}

Templates T() {
  Templates t = Templates::Shipped();
  t.console_base_url = "https://dixian.example.gov.cn/";
  return t;
}

TEST(Mask, MobilesAndIdNumbers) {
  EXPECT_EQ(MaskMobile("13812341234"), "138****1234");
  EXPECT_EQ(MaskText("电话13812341234，身份证11010519491231002X。"),
            "电话138****1234，身份证110105********002X。");
  EXPECT_EQ(MaskText("编号123456"), "编号123456");
  EXPECT_EQ(MaskText("20260310"), "20260310");
}

TEST(Render, NoticeHasHeadVillageStepDueAndRemaining) {
  Notice n = RenderNotice(TaskMessage("c1", "reminder", "王建国", 3), T());
  ASSERT_EQ(n.lines.size(), 1u);
  EXPECT_NE(n.title.find("入户核实"), std::string::npos);
  EXPECT_NE(n.lines[0].find("王建国"), std::string::npos);
  EXPECT_NE(n.lines[0].find("石桥村"), std::string::npos);
  EXPECT_NE(n.lines[0].find("2026-03-10"), std::string::npos);
  EXPECT_NE(n.lines[0].find("还剩3天"), std::string::npos);
  EXPECT_EQ(n.link, "https://dixian.example.gov.cn/tasks/t-王建国");
  Notice late = RenderNotice(TaskMessage("c1", "overdue", "李秀英", -2), T());
  EXPECT_NE(late.lines[0].find("已逾期2天"), std::string::npos);
}

TEST(Render, PrintedNumbersAreMasked) {
  auto m = TaskMessage("c1", "new_task", "张三", 1);
  m.payload["head_name"] = "张三 13812341234 身份证110105194912310021";
  Notice n = RenderNotice(m, T());
  EXPECT_EQ(n.lines[0].find("13812341234"), std::string::npos);
  EXPECT_EQ(n.lines[0].find("110105194912310021"), std::string::npos);
  EXPECT_NE(n.lines[0].find("138****1234"), std::string::npos);
}

TEST(Platform, DingTalkMarkdownMentionsAndSignedUrl) {
  Notice n = RenderNotice(TaskMessage("c1", "reminder", "王建国", 3), T());
  auto req = BuildRequest(Chan("dingtalk", "this is a secret"), n, 1601187240000);
  EXPECT_NE(req.url.find("&timestamp=1601187240000&sign=7gmCSzcAc2XzfB14K9%2BcRSM1hqBng7kT%2BN5k61qXXz0%3D"),
            std::string::npos);
  json b = json::parse(req.body);
  EXPECT_EQ(b["msgtype"], "markdown");
  EXPECT_EQ(b["at"]["atMobiles"], json::array({"13812341234"}));
  const std::string text = b["markdown"]["text"];
  EXPECT_NE(text.find("@13812341234"), std::string::npos);  // DingTalk needs it in the text
  EXPECT_NE(text.find("[去处理](https://dixian.example.gov.cn/tasks/"), std::string::npos);
}

TEST(Platform, DingTalkTextAndActionCard) {
  Notice n = RenderNotice(TaskMessage("c1", "new_task", "王建国", 3), T());
  n.format = "text";
  json text = json::parse(BuildRequest(Chan("dingtalk"), n, 0).body);
  EXPECT_EQ(text["msgtype"], "text");
  EXPECT_NE(text["text"]["content"].get<std::string>().find("@13812341234"), std::string::npos);
  n.format = "card";
  n.mobiles.clear();
  json card = json::parse(BuildRequest(Chan("dingtalk"), n, 0).body);
  EXPECT_EQ(card["msgtype"], "actionCard");
  EXPECT_EQ(card["actionCard"]["singleURL"], n.link);
}

TEST(Platform, WeComTextMentionsAndMarkdown) {
  Notice n = RenderNotice(TaskMessage("c1", "reminder", "王建国", 3), T());
  json b = json::parse(BuildRequest(Chan("wecom"), n, 0).body);
  EXPECT_EQ(b["msgtype"], "text");
  EXPECT_EQ(b["text"]["mentioned_mobile_list"], json::array({"13812341234"}));
  n.mobiles.clear();
  json md = json::parse(BuildRequest(Chan("wecom"), n, 0).body);
  EXPECT_EQ(md["msgtype"], "markdown");
}

TEST(Platform, WeComCutsAtUtf8Boundary) {
  Notice n = RenderNotice(TaskMessage("c1", "reminder", "王建国", 3), T());
  n.lines.assign(1, std::string(3000, 'a') + "测试中文");
  n.lines[0] = "中" + n.lines[0];  // 3-byte characters make the cut land inside one
  json b = json::parse(BuildRequest(Chan("wecom"), n, 0).body);  // throws on broken UTF-8
  const std::string content = b["text"]["content"];
  EXPECT_LE(content.size(), 2048u);
  n.mobiles.clear();
  n.lines.assign(1, std::string(5000, '\xe4'));  // not valid, but cut must still be bounded
  n.lines[0] = std::string();
  for (int i = 0; i < 2000; ++i) n.lines[0] += "村";
  json md = json::parse(BuildRequest(Chan("wecom"), n, 0).body);
  EXPECT_LE(md["markdown"]["content"].get<std::string>().size(), 4096u);
}

TEST(Platform, CutUtf8NeverSplitsACharacter) {
  const std::string s = "村村村";  // 9 bytes
  EXPECT_EQ(CutUtf8(s, 8), "村村");
  EXPECT_EQ(CutUtf8(s, 6), "村村");
  EXPECT_EQ(CutUtf8(s, 9), s);
}

TEST(Platform, FeishuPostSignedInBodyWithAtTags) {
  auto m = TaskMessage("c1", "reminder", "王建国", 3);
  m.payload["feishu_user_ids"] = {"ou_123"};
  Notice n = RenderNotice(m, T());
  json b = json::parse(BuildRequest(Chan("feishu", "demo"), n, 1599360473123).body);
  EXPECT_EQ(b["timestamp"], "1599360473");
  EXPECT_EQ(b["sign"], "l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8=");
  EXPECT_EQ(b["msg_type"], "post");
  const json& content = b["content"]["post"]["zh_cn"]["content"];
  EXPECT_EQ(content.back()[0]["tag"], "at");
  EXPECT_EQ(content.back()[0]["user_id"], "ou_123");
  n.format = "card";
  json card = json::parse(BuildRequest(Chan("feishu"), n, 0).body);
  EXPECT_EQ(card["msg_type"], "interactive");
  n.format = "text";
  json text = json::parse(BuildRequest(Chan("feishu"), n, 0).body);
  EXPECT_EQ(text["msg_type"], "text");
}

TEST(Platform, GenericWebhookSignsBodyAndCarriesMessageId) {
  auto m = TaskMessage("c1", "new_task", "王建国", 3);
  m.message_id = "msg-42";
  auto req = BuildRequest(Chan("webhook", "s3cret"), RenderNotice(m, T()), 0);
  json b = json::parse(req.body);
  EXPECT_EQ(b["message_id"], "msg-42");
  EXPECT_EQ(b["mentions"], json::array({"138****1234"}));
  bool sig = false, id = false;
  for (auto& [k, v] : req.headers) {
    if (k == kSignatureHeader) sig = v == GenericSignature("s3cret", req.body);
    if (k == kMessageIdHeader) id = v == "msg-42";
  }
  EXPECT_TRUE(sig);
  EXPECT_TRUE(id);
}

TEST(Digest, GroupsByStepAndDueMostUrgentFirst) {
  std::vector<engine::OutboxMessage> ms;
  ms.push_back(TaskMessage("c1", "reminder", "甲", 5, "入户核实", "2026-03-15T18:00:00+08:00"));
  ms.push_back(TaskMessage("c1", "overdue", "乙", -3, "民主评议", "2026-03-07T18:00:00+08:00"));
  ms.push_back(TaskMessage("c1", "reminder", "丙", 5, "入户核实", "2026-03-15T18:00:00+08:00"));
  DigestPlan plan = RenderDigests(ms, T(), 20000);
  ASSERT_EQ(plan.notices.size(), 1u);
  const auto& lines = plan.notices[0].lines;
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_NE(lines[0].find("民主评议"), std::string::npos);
  EXPECT_NE(lines[0].find("已逾期3天"), std::string::npos);
  EXPECT_NE(lines[2].find("入户核实"), std::string::npos);
  EXPECT_NE(plan.notices[0].title.find("共3项"), std::string::npos);
  EXPECT_EQ(plan.covers[0].size(), 3u);
}

TEST(Digest, SplitsOnlyWhereTheLimitForces) {
  std::vector<engine::OutboxMessage> ms;
  for (int i = 0; i < 200; ++i) ms.push_back(TaskMessage("c1", "reminder", "户主" + std::to_string(i), 2));
  DigestPlan plan = RenderDigests(ms, T(), 4096);
  ASSERT_GT(plan.notices.size(), 1u);
  std::size_t rows = 0;
  for (const auto& n : plan.notices) {
    std::size_t bytes = 0;
    for (const auto& l : n.lines) bytes += l.size() + 1;
    EXPECT_LE(bytes, 4096u);
    rows += n.lines.size() - 1;  // one group header per digest here
  }
  EXPECT_EQ(rows, 200u);
  EXPECT_EQ(RenderDigests(ms, T(), 200000).notices.size(), 1u);
}

}  // namespace
}  // namespace dixian::chat
