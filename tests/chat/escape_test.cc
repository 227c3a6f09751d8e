// Text users typed cannot become a link, a mention or a heading in any platform's markup
// (issue 17 item 7, the chat half; issue 15 item 5).
#include "adapters/chat/escape.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "adapters/chat/platform.h"
#include "tests/chat/memory_outbox_store.h"

namespace dixian::chat {
namespace {

using nlohmann::json;
using testing::TaskMessage;

constexpr InertRules kMarkdownLike{"[]()<>*_`~|\\", "#>-+*", true};

TEST(Inert, LinksMentionsAndHeadingsBecomeFullWidthText) {
  EXPECT_EQ(Inert("[核验](https://evil)", kMarkdownLike), "［核验］（https：//evil）");
  EXPECT_EQ(Inert("# 标题", kMarkdownLike), "＃ 标题");
  EXPECT_EQ(Inert("  > 引用", kMarkdownLike), "  ＞ 引用");
  EXPECT_EQ(Inert("1. 列表", kMarkdownLike), "1． 列表");
  EXPECT_EQ(Inert("王#建国 1.5亩 a-b", kMarkdownLike), "王#建国 1.5亩 a-b");  // inside a line
  EXPECT_EQ(Inert("<@zhangsan> <at user_id=\"all\"></at>", kMarkdownLike),
            "＜@zhangsan＞ ＜at user＿id=\"all\"＞＜/at＞");
  EXPECT_EQ(Inert("**粗** `码` ~~删~~", kMarkdownLike), "＊＊粗＊＊ ｀码｀ ～～删～～");
  EXPECT_EQ(Inert("第一行\n# 第二行\r\n第三行", kMarkdownLike), "第一行 # 第二行 第三行");
  EXPECT_EQ(Inert("王建国", kMarkdownLike), "王建国");
  EXPECT_EQ(FullWidth('!'), "！");
  EXPECT_EQ(FullWidth('~'), "～");
}

TEST(Inert, OurOwnLinksArePercentEncodedWhereMarkupCouldBreakOut) {
  EXPECT_EQ(MarkupUrl("https://x.gov.cn/#/cases/C1"), "https://x.gov.cn/#/cases/C1");
  EXPECT_EQ(MarkupUrl("https://x/#/households/H1)](https://evil"),
            "https://x/#/households/H1%29%5D%28https://evil");
}

// Every platform and format, with a head name, a village name and a note that try each trick.
class HostileText : public ::testing::Test {
 protected:
  Notice Hostile(const std::string& format) {
    auto m = TaskMessage("c1", "reminder", "[核验](https://evil)", 2);
    m.payload["village"] = "# 上寨村";
    m.payload["text"] = "<at user_id=\"all\"></at><@all> **紧急** <font color=\"red\">红</font>";
    m.payload["mobiles"] = json::array();
    m.payload["link"] = "/#/cases/C00000001";
    Templates t = Templates::Shipped();
    t.kinds["reminder"].format = format;
    return RenderNotice(m, t);
  }
  static std::string Body(const std::string& kind, const Notice& n) {
    const engine::Channel c{"c1", "v1", kind, "https://example.invalid/hook", "", -1, -1, {}};
    return FindPlatform(kind)->Build(c, n, SendContext{0, ""}).body;
  }
  static void ExpectInert(const std::string& text) {
    EXPECT_EQ(text.find("[核验]"), std::string::npos) << text;
    EXPECT_EQ(text.find("https://evil"), std::string::npos) << text;
    EXPECT_EQ(text.find("\n#"), std::string::npos) << text;
    EXPECT_EQ(text.find("<at"), std::string::npos) << text;
    EXPECT_EQ(text.find("<@"), std::string::npos) << text;
    EXPECT_EQ(text.find("**紧急"), std::string::npos) << text;
    EXPECT_EQ(text.find("<font"), std::string::npos) << text;
    EXPECT_NE(text.find("［核验］（https：//evil）"), std::string::npos) << text;
  }
};

TEST_F(HostileText, DingTalkMarkdownAndActionCard) {
  json md = json::parse(Body("dingtalk", Hostile("markdown")));
  ExpectInert(md["markdown"]["text"]);
  EXPECT_NE(md["markdown"]["text"].get<std::string>().find("\n\n＃ 上寨村"), std::string::npos);
  json card = json::parse(Body("dingtalk", Hostile("card")));
  ASSERT_EQ(card["msgtype"], "actionCard");
  ExpectInert(card["actionCard"]["text"]);
}

TEST_F(HostileText, WeComMarkdown) {
  json md = json::parse(Body("wecom", Hostile("markdown")));
  ASSERT_EQ(md["msgtype"], "markdown");
  ExpectInert(md["markdown"]["content"]);
  EXPECT_NE(md["markdown"]["content"].get<std::string>().find("\n＃ 上寨村"), std::string::npos);
}

TEST_F(HostileText, FeishuTextMessageCannotFormAnAtTag) {
  json text = json::parse(Body("feishu", Hostile("text")));
  const std::string content = text["content"]["text"];
  EXPECT_EQ(content.find("<at"), std::string::npos) << content;
  EXPECT_NE(content.find("＜at user_id=\"all\"＞＜/at＞"), std::string::npos) << content;
}

// Rich text and cards carry the text in elements Feishu shows literally: the structure is the
// escape, so the value arrives exactly as typed, in a text element, never in a link or md one.
TEST_F(HostileText, FeishuPostAndCardKeepTheTextInLiteralElements) {
  json post = json::parse(Body("feishu", Hostile("markdown")));
  for (const auto& paragraph : post["content"]["post"]["zh_cn"]["content"]) {
    for (const auto& element : paragraph) {
      if (element["tag"] == "a") {
        EXPECT_EQ(element["text"], "去处理");
        EXPECT_EQ(element["href"].get<std::string>().find("evil"), std::string::npos);
      }
      EXPECT_TRUE(element["tag"] == "text" || element["tag"] == "a") << element.dump();
    }
  }
  json card = json::parse(Body("feishu", Hostile("card")));
  const json& div = card["card"]["elements"][0];
  EXPECT_EQ(div["text"]["tag"], "plain_text");
  EXPECT_NE(div["text"]["content"].get<std::string>().find("[核验](https://evil)"), std::string::npos);
  EXPECT_EQ(card.dump().find("lark_md"), std::string::npos);
}

}  // namespace
}  // namespace dixian::chat
