// The callback crypto against the platforms' own published vectors (not vectors we made).
#include <gtest/gtest.h>

#include "adapters/chat/crypto/ciphers.h"
#include "adapters/chat/crypto/feishu.h"
#include "adapters/chat/crypto/wecom.h"

namespace dixian::chat::crypto {
namespace {

// WeCom's official sample (github.com/sbzhu/weworkapi_python, callback/Sample.py): the settings,
// the URL check and an encrypted message the platform sent.
constexpr const char* kToken = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo";
constexpr const char* kAesKey = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt";
constexpr const char* kCorpId = "ww1436e0e65a779aee";

TEST(WeComCrypt, OfficialUrlCheckVector) {
  auto crypt = WeComCrypt::Make(kToken, kAesKey, kCorpId);
  ASSERT_TRUE(crypt.ok());
  const std::string echostr =
      "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==";
  EXPECT_EQ(crypt->Signature("1476416373", "47744683", echostr),
            "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb");
  EXPECT_TRUE(crypt->SignatureMatches("012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb", "1476416373",
                                      "47744683", echostr));
  auto plain = crypt->Decrypt(echostr);
  ASSERT_TRUE(plain.has_value());
  EXPECT_FALSE(plain->empty());
}

TEST(WeComCrypt, OfficialMessageVector) {
  auto crypt = WeComCrypt::Make(kToken, kAesKey, kCorpId);
  ASSERT_TRUE(crypt.ok());
  const std::string body =
      "<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName>\n<Encrypt><![CDATA["
      "Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGz"
      "BhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3J"
      "WcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQH"
      "E7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPD"
      "GOCI8jmnKiypE+]]></Encrypt>\n<AgentID><![CDATA[1000002]]></AgentID>\n</xml>";
  auto encrypted = XmlField(body, "Encrypt");
  ASSERT_TRUE(encrypted.has_value());
  EXPECT_TRUE(crypt->SignatureMatches("0c3914025cb4b4d68103f6bfc8db550f79dcf48e", "1476422779",
                                      "1597212914", *encrypted));
  EXPECT_FALSE(crypt->SignatureMatches("0c3914025cb4b4d68103f6bfc8db550f79dcf48f", "1476422779",
                                       "1597212914", *encrypted));
  auto xml = crypt->Decrypt(*encrypted);
  ASSERT_TRUE(xml.has_value());
  EXPECT_EQ(XmlField(*xml, "ToUserName"), "ww1436e0e65a779aee");
  EXPECT_TRUE(XmlField(*xml, "Content").has_value());
  EXPECT_EQ(XmlField(*xml, "AgentID"), "1000002");
  // Another corp's id in the plaintext is refused.
  auto other = WeComCrypt::Make(kToken, kAesKey, "ww0000000000000000");
  EXPECT_FALSE(other->Decrypt(*encrypted).has_value());
}

TEST(WeComCrypt, RoundTripAndTamperingRefused) {
  auto crypt = WeComCrypt::Make(kToken, kAesKey, kCorpId);
  const std::string message = "<xml><EventKey><![CDATA[dx|C1|2|approve]]></EventKey></xml>";
  const std::string sealed = crypt->EncryptWith("0123456789abcdef", message);
  EXPECT_EQ(crypt->Decrypt(sealed), message);
  std::string tampered = sealed;
  tampered[10] = tampered[10] == 'A' ? 'B' : 'A';
  EXPECT_NE(crypt->Decrypt(tampered), message);
  EXPECT_FALSE(crypt->Decrypt("not base64!").has_value());
  EXPECT_FALSE(WeComCrypt::Make(kToken, "short", kCorpId).ok());
}

TEST(FeishuCrypt, DocumentedVectorAndSignature) {
  EXPECT_EQ(FeishuDecrypt("test key", "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk="), "hello world");
  EXPECT_FALSE(FeishuDecrypt("other key", "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=").has_value());
  EXPECT_FALSE(FeishuDecrypt("test key", "AAAA").has_value());
  const std::string sealed = FeishuEncryptWith("k", "iv-iv-iv-iv-iv-i", "{\"a\":1}");
  EXPECT_EQ(FeishuDecrypt("k", sealed), "{\"a\":1}");
  // hex(SHA-256(timestamp + nonce + key + body)), as the official Go SDK's event.Signature.
  EXPECT_EQ(FeishuSignature("1", "n", "k", "{}"), Sha256Hex("1nk{}"));
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Xml, FieldsAndCdata) {
  EXPECT_EQ(XmlField("<xml><A>1</A><B><![CDATA[x</B>y]]></B></xml>", "B"), "x</B>y");
  EXPECT_EQ(XmlField("<xml><A>1</A></xml>", "A"), "1");
  EXPECT_FALSE(XmlField("<xml><A>1</xml>", "A").has_value());
  EXPECT_EQ(XmlCdata("T", "v"), "<T><![CDATA[v]]></T>");
}

TEST(Pkcs7, EveryPaddingByteIsChecked) {
  EXPECT_EQ(Pkcs7Pad("", 16).size(), 16u);
  EXPECT_EQ(Pkcs7Unpad(Pkcs7Pad("abc", 32), 32), "abc");
  std::string bad = Pkcs7Pad("abc", 16);
  bad[5] = 'x';
  EXPECT_FALSE(Pkcs7Unpad(bad, 16).has_value());
}

}  // namespace
}  // namespace dixian::chat::crypto
