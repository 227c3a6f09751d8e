// A generic HTTPS webhook of the county's own: kind "webhook". JSON body, optional HMAC header.
#include <nlohmann/json.hpp>

#include "adapters/chat/mask.h"
#include "adapters/chat/platform.h"
#include "adapters/chat/signer.h"

namespace dixian::chat::webhook {
namespace {

using nlohmann::json;

constexpr CodeRule kNoRules[] = {{0, Verdict::kDelivered, ""}};

class GenericWebhook final : public Platform {
 public:
  std::string_view kind() const override { return "webhook"; }
  const PlatformLimits& limits() const override {
    static const PlatformLimits limits{{}, RateLimiter::Widened(60000), 60000, 60000};
    return limits;
  }

  // The receiver gets plain values (mentions masked) and renders them itself; it can
  // de-duplicate on message_id.
  OutgoingRequest Build(const engine::Channel& channel, const Notice& n,
                        const SendContext& /*context*/) const override {
    json masked = json::array();
    for (const auto& m : n.mobiles) masked.push_back(MaskMobile(m));
    const json body = {{"message_id", n.message_id}, {"kind", n.kind},   {"title", n.title},
                       {"lines", n.lines},           {"link", n.link},   {"mentions", masked},
                       {"urgent", n.urgent}};
    OutgoingRequest req{channel.url, {{"Content-Type", "application/json; charset=utf-8"}},
                        body.dump(), "POST"};
    req.headers.emplace_back(std::string(kMessageIdHeader), n.message_id);
    if (!channel.secret.empty()) {
      req.headers.emplace_back(std::string(kSignatureHeader),
                               GenericSignature(channel.secret, req.body));
    }
    return req;
  }

  // A body with "errcode" or "code" decides; otherwise the HTTP status.
  Outcome Classify(int http_status, std::string_view body) const override {
    static constexpr std::string_view kCodeKeys[] = {"errcode", "code"};
    const auto j = json::parse(body, nullptr, false);
    const bool has_code = j.is_object() && ((j.contains("errcode") && j["errcode"].is_number_integer()) ||
                                            (j.contains("code") && j["code"].is_number_integer()));
    if (!has_code) return ClassifyByStatus(http_status, body);
    return ClassifyByCode(http_status, body, kCodeKeys, std::span<const CodeRule>(kNoRules, 0));
  }
};

}  // namespace
}  // namespace dixian::chat::webhook

namespace dixian::chat {

void RegisterPlatforms_webhook(PlatformRegistry& registry) {
  registry.Add(std::make_unique<webhook::GenericWebhook>());
}

}  // namespace dixian::chat
