#include "adapters/chat/signer.h"
#include "adapters/http/http_types.h"

#include <gtest/gtest.h>

namespace dixian::chat {
namespace {

TEST(Signer, DingTalkWorkedExample) {
  EXPECT_EQ(DingTalkSign(1601187240000, "this is a secret"),
            "7gmCSzcAc2XzfB14K9+cRSM1hqBng7kT+N5k61qXXz0=");
}

TEST(Signer, FeishuWorkedExample) {
  EXPECT_EQ(FeishuSign(1599360473, "demo"), "l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8=");
}

TEST(Signer, FeishuIsNotDingTalkAlgorithm) {
  // The two platforms put "timestamp\nsecret" on opposite sides of the HMAC.
  EXPECT_NE(FeishuSign(1599360473, "demo"), DingTalkSign(1599360473, "demo"));
}

TEST(Signer, UrlEncodesBase64Characters) {
  EXPECT_EQ(UrlEncode("7gm+cRS/z0="), "7gm%2BcRS%2Fz0%3D");
  std::string decoded;
  ASSERT_TRUE(http::PercentDecode(UrlEncode("7gm+cRS/z0="), false, &decoded));
  EXPECT_EQ(decoded, "7gm+cRS/z0=");
}

TEST(Signer, GenericSignatureIsHexHmacOfBody) {
  // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
  EXPECT_EQ(GenericSignature("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Signer, Base64Padding) {
  EXPECT_EQ(Base64(""), "");
  EXPECT_EQ(Base64("f"), "Zg==");
  EXPECT_EQ(Base64("fo"), "Zm8=");
  EXPECT_EQ(Base64("foo"), "Zm9v");
}

}  // namespace
}  // namespace dixian::chat
