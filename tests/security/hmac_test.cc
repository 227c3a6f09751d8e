// The audit chain's HMAC keyed once (engine/core/keys.h): the same bytes as the one-shot HMAC, the
// RFC 4231 values, and the same answers from several threads sharing one key.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "engine/core/keys.h"

namespace dixian::engine {
namespace {

std::string Hex(const std::string& raw) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

TEST(HmacSha256Key, MatchesRfc4231) {
  EXPECT_EQ(Hex(HmacSha256Key(std::string(20, '\x0b')).Mac("Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(Hex(HmacSha256Key("Jefe").Mac("what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a key longer than the block, hashed first.
  EXPECT_EQ(Hex(HmacSha256Key(std::string(131, '\xaa'))
                    .Mac("Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256Key, MatchesRfc4231ForMessagesLongerThanOneBlock) {
  // Test case 4: 50 bytes of 0xcd under a 25-byte key (the inner hash spans two blocks with its pad).
  std::string key4;
  for (char c = 1; c <= 25; ++c) key4 += c;
  EXPECT_EQ(Hex(HmacSha256Key(key4).Mac(std::string(50, '\xcd'))),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
  // Test case 7: 152 bytes of data (three blocks) under a 131-byte key.
  EXPECT_EQ(Hex(HmacSha256Key(std::string(131, '\xaa'))
                    .Mac("This is a test using a larger than block-size key and a larger than "
                         "block-size data. The key needs to be hashed before being used by the "
                         "HMAC algorithm.")),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST(HmacSha256Key, SameBytesAsTheOneShotHmacForEveryCall) {
  const std::string key(32, '\x5a');
  const HmacSha256Key keyed(key);
  for (std::size_t n : {0u, 1u, 63u, 64u, 65u, 300u, 5000u}) {
    const std::string data(n, static_cast<char>('a' + n % 26));
    EXPECT_EQ(keyed.Mac(data), HmacSha256(key, data)) << n;
    EXPECT_EQ(keyed.Mac(data), keyed.Mac(data)) << n;  // the keyed state is not consumed
  }
}

TEST(HmacSha256Key, ThreadsSharingOneKeyGetTheSameAnswers) {
  const std::string key = "audit key of the ring";
  const HmacSha256Key keyed(key);
  const std::string expected = HmacSha256(key, "event 42");
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i)
        if (keyed.Mac("event 42") != expected) ++wrong[static_cast<std::size_t>(t)];
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

TEST(HmacSha256Key, TheRingKeysItsAuditKeyOnceAndKnowsNoOtherId) {
  const KeyRing ring({{"k1", std::string(32, '\x01')}, {"k2", std::string(32, '\x02')}});
  for (const char* id : {"k1", "k2"}) {
    ASSERT_NE(ring.AuditMac(id), nullptr) << id;
    EXPECT_EQ(ring.AuditMac(id)->Mac("seq=1"), HmacSha256(ring.AuditKey(id), "seq=1")) << id;
  }
  EXPECT_NE(ring.AuditMac("k1")->Mac("seq=1"), ring.AuditMac("k2")->Mac("seq=1"));
  EXPECT_EQ(ring.AuditMac("k3"), nullptr);
  const KeyRing copy = ring;  // copies share the keyed state
  EXPECT_EQ(copy.AuditMac("k2"), ring.AuditMac("k2"));
}

}  // namespace
}  // namespace dixian::engine
