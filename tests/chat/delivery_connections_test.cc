// Delivery reuses keep-alive connections per robot host (adapters/chat/http_client.cc): one TCP
// connection for many notices, never a notice twice when the server closed an idle connection,
// and no reuse after `Connection: close`. The fakes verify each request's signature.
#include <gtest/gtest.h>

#include "tests/chat/delivery_fixture.h"

namespace dixian::chat {
namespace {

using dixian::testing::FakeFaults;
using dixian::testing::FakePlatform;
using testing::MemoryOutboxStore;
using testing::TaskMessage;
using State = MemoryOutboxStore::State;

class DeliveryConnectionsTest : public testing::DeliveryFixture {
 protected:
  // One notice per step (a step apart in time, so each goes as its own request).
  std::vector<std::int64_t> SendOneByOne(DeliveryWorker& w, const std::string& channel, int n) {
    std::vector<std::int64_t> ids;
    for (int i = 0; i < n; ++i) {
      ids.push_back(store_.Add(TaskMessage(channel, "reminder", "王建国", 3)));
      StepAndWait(w);
      clock_.AdvanceMs(5'000);
    }
    return ids;
  }
};

TEST_F(DeliveryConnectionsTest, NoticesToOneRobotGoOverOneConnection) {
  auto fake = Fake("dingtalk", "SEC-demo");
  fake->SetKeepAlive(true);
  AddChannel("c1", "dingtalk", fake->Url(), "SEC-demo");
  DeliveryWorker w(store_, clock_, Options());
  const auto ids = SendOneByOne(w, "c1", 5);
  for (const auto id : ids) EXPECT_EQ(store_.Get(id).state, State::kDelivered);
  EXPECT_EQ(fake->Received().size(), 5u);
  EXPECT_EQ(fake->Accepted().size(), 5u);  // each signed correctly
  EXPECT_EQ(fake->Connections(), 1u);
}

TEST_F(DeliveryConnectionsTest, AnIdleConnectionTheServerClosedDoesNotSendANoticeTwice) {
  auto fake = Fake("wecom", "key-1");
  fake->SetKeepAlive(true);
  fake->SetFaults(FakeFaults{.close_after_answer = 1});
  AddChannel("c1", "wecom", fake->Url(), "");
  DeliveryWorker w(store_, clock_, Options());
  const auto ids = SendOneByOne(w, "c1", 2);
  // Whether the worker saw the closed connection before sending (usual) or only when reading
  // (then the worker's back-off sends it again later), the platform gets the notice once.
  if (store_.Get(ids[1]).state != State::kDelivered) {
    clock_.AdvanceMs(3600'000);
    StepAndWait(w);
  }
  EXPECT_EQ(store_.Get(ids[0]).state, State::kDelivered);
  EXPECT_EQ(store_.Get(ids[1]).state, State::kDelivered);
  EXPECT_EQ(fake->Received().size(), 2u);
  EXPECT_EQ(fake->Accepted().size(), 2u);
  EXPECT_EQ(fake->Connections(), 2u);
  // The new connection stays in use.
  const auto more = SendOneByOne(w, "c1", 2);
  for (const auto id : more) EXPECT_EQ(store_.Get(id).state, State::kDelivered);
  EXPECT_EQ(fake->Received().size(), 4u);
  EXPECT_EQ(fake->Connections(), 2u);
}

TEST_F(DeliveryConnectionsTest, AnAnswerWithConnectionCloseIsNotReused) {
  auto fake = Fake("feishu", "demo");  // answers with Connection: close
  AddChannel("c1", "feishu", fake->Url(), "demo");
  DeliveryWorker w(store_, clock_, Options());
  const auto ids = SendOneByOne(w, "c1", 3);
  for (const auto id : ids) EXPECT_EQ(store_.Get(id).state, State::kDelivered);
  EXPECT_EQ(fake->Accepted().size(), 3u);
  EXPECT_EQ(fake->Connections(), 3u);
}

}  // namespace
}  // namespace dixian::chat
