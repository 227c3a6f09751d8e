// Fuzzes request bodies: http::ParseJsonBody, then the field readers the API calls use and the
// engine's checks of what they read, on the field names and limits of the real commands.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "adapters/http/json_input.h"
#include "engine/core/fields.h"

using namespace dixian;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)engine::IsValidUtf8(text);
  auto body = http::ParseJsonBody(text);
  if (!body.ok()) return 0;
  const nlohmann::json& b = body.value();
  (void)b.dump();  // responses echo values back: must serialize
  if (!b.is_object()) return 0;
  if (auto id = http::TextField(b, "id"); id.ok()) (void)engine::RequireSafeId("id", id.value());
  if (auto v = http::TextField(b, "village"); v.ok())
    (void)engine::RequireText("village", v.value(), 32);
  if (auto h = http::TextField(b, "head_name"); h.ok())
    (void)engine::RequireText("head_name", h.value(), 100);
  (void)http::IntField(b, "members");
  (void)http::NumberField(b, "income_per_capita");
  (void)http::IntField(b, "expected_version");
  (void)http::IntField(b, "advance_seconds");
  if (auto c = http::TextField(b, "comment"); c.ok())
    (void)engine::LimitText("comment", c.value(), 2000);
  if (auto m = http::TextField(b, "mode"); m.ok())
    (void)engine::RequireEnum<engine::VisitMode>("mode", m.value());
  if (auto l = http::TextField(b, "level"); l.ok())
    (void)engine::RequireEnum<engine::OrgLevel>("level", l.value());
  (void)http::IntListField(b, "quiet_hours", "");
  if (auto d = http::ObjectField(b, "data"); d.ok()) {
    if (auto t = http::TextField(d.value(), "type", "data."); t.ok())
      (void)engine::RequireEnum<engine::MonitoringType>("data.type", t.value());
    (void)d.value().value("income_per_capita",
                          -1.0);  // the threshold warning reads numbers like this
  }
  return 0;
}
