#pragma once
// The outbox as the delivery worker reads it: rows carry the compact facts the engine wrote at
// commit; Ready() looks up what each shows (names, labels, mobiles) through a read snapshot and
// hands the worker the payload its templates render (engine/outbox/outbox.h documents it).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/outbox/notices.h"
#include "engine/outbox/outbox.h"
#include "engine/store/store.h"
#include "engine/workflow/loader.h"

namespace dixian::runtime {

// The payload of a resolved notice, as the templates read it.
nlohmann::json NoticePayload(const engine::NoticeView& view, const engine::OutboxMessage& message);

// Fills `payload` of every message that carries facts.
void ResolvePayloads(engine::ReadView& view, const engine::WorkflowRegistry& workflows,
                     const std::string& console_base_url,
                     std::vector<engine::OutboxMessage>& messages);

class ResolvingOutbox final : public engine::OutboxStore {
 public:
  ResolvingOutbox(engine::OutboxStore& outbox, engine::Store& store,
                  const engine::WorkflowRegistry& workflows, std::string console_base_url)
      : outbox_(outbox), store_(store), workflows_(workflows), base_(std::move(console_base_url)) {}

  engine::Result<std::vector<engine::OutboxMessage>> Ready(
      engine::Instant wall_now, int limit, const std::vector<std::string>& skip,
      const std::string& after_channel) override;
  engine::Result<std::optional<engine::Channel>> FindChannel(const std::string& id) override {
    return outbox_.FindChannel(id);
  }
  engine::Status RecordOutcomes(const engine::DeliveryOutcomes& outcomes,
                                engine::Instant wall_now) override {
    return outbox_.RecordOutcomes(outcomes, wall_now);
  }
  engine::Result<engine::PacingWindow> RecentPacing(std::int64_t since_ms,
                                                    const std::string& channel = "") override {
    return outbox_.RecentPacing(since_ms, channel);
  }
  std::vector<std::string> TakenOver() override { return outbox_.TakenOver(); }
  std::vector<engine::OutboxMessage> Dead(int limit) override { return outbox_.Dead(limit); }
  int Redrive(const std::vector<std::int64_t>& ids, engine::Instant wall_now) override {
    return outbox_.Redrive(ids, wall_now);
  }
  std::int64_t PendingCount() override { return outbox_.PendingCount(); }

 private:
  engine::OutboxStore& outbox_;
  engine::Store& store_;
  const engine::WorkflowRegistry& workflows_;
  std::string base_;
};

}  // namespace dixian::runtime
