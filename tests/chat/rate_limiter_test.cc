// The rate limiter's memory seeded from the store: at start, and again when this process takes a
// channel over from another (several processes on one database). A send it already remembers is
// not counted twice; sends it never saw are.
#include <gtest/gtest.h>

#include <vector>

#include "adapters/chat/rate_limiter.h"

namespace dixian::chat {
namespace {

TEST(RateLimiterSeed, ReadingAChannelsWindowAgainAddsOnlyWhatThisProcessDidNotSee) {
  ManualWallClock clock(10'000'000);
  RateLimiter limiter(clock);
  const std::vector<RateWindow> minute = {{20, 60'000}};
  // This process sent 3 (remembered), then another process sent 12 more; the store has all 15.
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(limiter.TryAcquire("robot", minute));
  EXPECT_EQ(limiter.Available("robot", minute), 17);
  engine::PacingWindow stored;
  for (int i = 0; i < 3; ++i) stored.sends.push_back({"robot", 10'000'000});
  for (int i = 0; i < 12; ++i) stored.sends.push_back({"robot", 9'990'000 + i});
  limiter.Seed(stored);
  EXPECT_EQ(limiter.Available("robot", minute), 5);
  limiter.Seed(stored);  // read again: nothing new
  EXPECT_EQ(limiter.Available("robot", minute), 5);
  stored.sends.push_back({"robot", 10'000'000});  // a fourth send in the same millisecond
  limiter.Seed(stored);
  EXPECT_EQ(limiter.Available("robot", minute), 4);
}

}  // namespace
}  // namespace dixian::chat
