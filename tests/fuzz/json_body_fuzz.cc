// Fuzzes request bodies: engine::ParseJsonBody, then every field reader the commands use, on the
// field names and limits of the real commands.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/core/json_fields.h"

using namespace dixian::engine;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)IsValidUtf8(text);
  auto body = ParseJsonBody(text);
  if (!body.ok()) return 0;
  const nlohmann::json& b = body.value();
  (void)b.dump();  // responses echo values back: must serialize
  if (!b.is_object()) return 0;
  if (auto id = RequiredString(b, "id", 64); id.ok()) (void)IsSafeId(id.value());
  (void)RequiredString(b, "village", 32);
  (void)RequiredString(b, "head_name", 100);
  (void)RequiredInt(b, "members", 1, 50);
  (void)RequiredNumber(b, "income_per_capita", 0, 10'000'000);
  (void)RequiredInt(b, "expected_version", 0, INT64_MAX);
  (void)RequiredInt(b, "advance_seconds", 0, 10LL * 365 * 86400);
  (void)OptionalString(b, "comment", 2000);
  (void)OptionalString(b, "parent", 32);
  (void)RequiredEnum(b, "mode", {"home", "phone", "wechat"});
  (void)RequiredEnum(b, "level", {"province", "city", "county", "township", "village"});
  if (b.contains("data") && b["data"].is_object()) {
    const auto& d = b["data"];
    (void)RequiredEnum(d, "type", {"unstable_former_poor", "marginal", "sudden_hardship"}, "data.");
    (void)d.value("income_per_capita", -1.0);  // ThresholdWarning reads numbers like this
  }
  return 0;
}
