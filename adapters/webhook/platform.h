#pragma once
// Each platform's payload shape, limits and signing: turns a Notice into one HTTP request.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/webhook/rate_limiter.h"
#include "adapters/webhook/render.h"
#include "engine/outbox/outbox.h"

namespace dixian::webhook {

struct PlatformLimits {
  std::vector<RateWindow> windows;     // per robot, as documented; empty = no limit
  std::int64_t rate_limited_pause_ms = 0;  // silence after the platform's rate-limit answer
  std::size_t max_text_bytes = 0;      // content of a text message
  std::size_t max_markdown_bytes = 0;  // content of a markdown / rich message
};

PlatformLimits LimitsFor(std::string_view kind);
bool IsKnownKind(std::string_view kind);

struct OutgoingRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // JSON
};

// Builds the request for `channel` (kind dingtalk | wecom | feishu | webhook). Signatures use
// wall time `wall_now_ms`. Over-long content is cut at a UTF-8 boundary to the platform limit.
OutgoingRequest BuildRequest(const engine::Channel& channel, const Notice& notice,
                             std::int64_t wall_now_ms);

// The byte budget the digest renderer may fill for this channel kind and format.
std::size_t ContentBudget(std::string_view kind, std::string_view format);

}  // namespace dixian::webhook
