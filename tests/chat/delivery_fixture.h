#pragma once
// What the delivery worker's tests share: shipped templates, short timeouts, a silent logger, a
// fake platform on the test's manual clock, channels in an in-memory outbox.
#include <gtest/gtest.h>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>
#include <string>

#include "adapters/chat/delivery_worker.h"
#include "tests/chat/memory_outbox_store.h"
#include "tests/support/fake_platform.h"

namespace dixian::chat::testing {

class DeliveryFixture : public ::testing::Test {
 protected:
  static constexpr std::int64_t kStartMs = 1767225600000;  // 2026-01-01 08:00 China time

  DeliveryOptions Options() {
    using namespace std::chrono_literals;
    DeliveryOptions o;
    o.templates = Templates::Shipped();
    o.timeouts = {2000ms, 2000ms, 5000ms};
    o.logger = std::make_shared<spdlog::logger>("delivery",
                                                std::make_shared<spdlog::sinks::null_sink_mt>());
    return o;
  }
  std::unique_ptr<dixian::testing::FakePlatform> Fake(const std::string& kind,
                                                      const std::string& secret) {
    return std::make_unique<dixian::testing::FakePlatform>(kind, secret,
                                                           [this] { return clock_.NowMs(); });
  }
  void AddChannel(const std::string& id, const std::string& kind, const std::string& url,
                  const std::string& secret) {
    store_.AddChannel({id, "v001", kind, url, secret, -1, -1, {}});
  }
  void StepAndWait(DeliveryWorker& w) {
    w.Step();
    w.Quiesce();
  }

  ManualWallClock clock_{kStartMs};
  MemoryOutboxStore store_;
};

}  // namespace dixian::chat::testing
