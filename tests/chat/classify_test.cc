#include "adapters/chat/classify.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "adapters/chat/platform.h"

namespace dixian::chat {
namespace {

Outcome Classify(std::string_view kind, int status, std::string_view body) {
  return FindPlatform(kind)->Classify(status, body);
}

struct Case {
  const char* kind;
  int status;
  const char* body;
  Verdict want;
};

TEST(Classify, Table) {
  const Case cases[] = {
      {"dingtalk", 200, R"({"errcode":0,"errmsg":"ok"})", Verdict::kDelivered},
      {"dingtalk", 200, R"({"errcode":130101,"errmsg":"send too fast"})", Verdict::kRateLimited},
      {"dingtalk", 200, R"({"errcode":310000,"errmsg":"sign not match"})", Verdict::kDead},
      {"dingtalk", 200, R"({"errcode":300001,"errmsg":"token is not exist"})", Verdict::kDead},
      {"dingtalk", 200, R"({"errcode":12345})", Verdict::kDead},
      {"dingtalk", 502, "<html>bad gateway</html>", Verdict::kRetry},
      {"dingtalk", 200, "not json", Verdict::kRetry},
      {"dingtalk", 404, "", Verdict::kDead},
      {"wecom", 200, R"({"errcode":0,"errmsg":"ok"})", Verdict::kDelivered},
      {"wecom", 200, R"({"errcode":45009,"errmsg":"api freq out of limit"})", Verdict::kRateLimited},
      {"wecom", 200, R"({"errcode":93000,"errmsg":"invalid webhook url"})", Verdict::kDead},
      {"feishu", 200, R"({"code":0,"msg":"success","data":{}})", Verdict::kDelivered},
      {"feishu", 200, R"({"StatusCode":0,"StatusMessage":"success"})", Verdict::kDelivered},
      {"feishu", 200, R"({"code":11232,"msg":"frequency limited"})", Verdict::kRateLimited},
      {"feishu", 200, R"({"code":19021,"msg":"sign match fail"})", Verdict::kDead},
      {"feishu", 200, R"({"code":19022,"msg":"ip not allowed"})", Verdict::kDead},
      {"feishu", 200, R"({"code":19024,"msg":"keywords"})", Verdict::kDead},
      {"feishu", 503, "", Verdict::kRetry},
      {"webhook", 200, "", Verdict::kDelivered},
      {"webhook", 204, "", Verdict::kDelivered},
      {"webhook", 429, "", Verdict::kRateLimited},
      {"webhook", 500, "", Verdict::kRetry},
      {"webhook", 401, "bad signature", Verdict::kDead},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Classify(c.kind, c.status, c.body).verdict, c.want)
        << c.kind << " " << c.status << " " << c.body;
  }
}

TEST(Classify, DeadReasonIsClearChinese) {
  Outcome o = Classify("dingtalk", 200, R"({"errcode":310000,"errmsg":"sign not match"})");
  EXPECT_NE(o.reason.find("签名"), std::string::npos);
  EXPECT_NE(o.reason.find("310000"), std::string::npos);
}

TEST(Classify, EveryKindHasOneDescriptor) {
  const auto kinds = PlatformKinds();
  for (const char* kind : {"dingtalk", "wecom", "feishu", "webhook"}) {
    EXPECT_NE(std::find(kinds.begin(), kinds.end(), kind), kinds.end()) << kind;
    ASSERT_NE(FindPlatform(kind), nullptr) << kind;
    EXPECT_EQ(FindPlatform(kind)->kind(), kind);
  }
  EXPECT_EQ(FindPlatform("telegram"), nullptr);
}

TEST(Classify, TransportFailuresAreRetried) {
  EXPECT_EQ(TransportFailure("timeout").verdict, Verdict::kRetry);
}

}  // namespace
}  // namespace dixian::chat
