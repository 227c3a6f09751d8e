#pragma once
// One descriptor per chat platform (channel kind): how to build and sign a request, its limits,
// and what its answers mean. Each lives in its own file under adapters/chat/platforms/ and is
// found by kind; nothing else in the code lists platform kinds.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/chat/classify.h"
#include "adapters/chat/http_client.h"
#include "adapters/chat/rate_limiter.h"
#include "adapters/chat/render.h"
#include "engine/outbox/outbox.h"

namespace dixian::chat {

struct PlatformLimits {
  std::vector<RateWindow> windows;         // per channel (robot), as documented; empty = none
  std::int64_t rate_limited_pause_ms = 0;  // silence after the platform's rate-limit answer
  std::size_t max_text_bytes = 0;          // content of a text message
  std::size_t max_markdown_bytes = 0;      // content of a markdown / rich message
};

using OutgoingRequest = HttpRequest;

struct SendContext {
  std::int64_t wall_now_ms = 0;  // signatures and timestamps
  std::string access_token;      // app channels: the cached token
};

class AppApi;

class Platform {
 public:
  virtual ~Platform() = default;
  // The channel kind served (`kind` in POST /api/v1/channels).
  virtual std::string_view kind() const = 0;
  virtual const PlatformLimits& limits() const = 0;
  // The byte budget one message of `format` (text | markdown | card) may fill.
  virtual std::size_t ContentBudget(std::string_view format) const;
  // The request that posts `notice` to `channel`; signatures use the context's wall time.
  // Over-long content is cut at a UTF-8 boundary; text users typed is made inert in the
  // platform's markup (it cannot become a link, a mention or a heading).
  virtual OutgoingRequest Build(const engine::Channel& channel, const Notice& notice,
                                const SendContext& context) const = 0;
  // What the platform's answer means for the message.
  virtual Outcome Classify(int http_status, std::string_view body) const = 0;
  // App channels: tokens, people, callbacks (adapters/chat/app.h); nullptr for a robot.
  virtual const AppApi* app() const { return nullptr; }
};

// Where each platforms/<name>.cc adds its descriptors, from RegisterPlatforms_<name>.
class PlatformRegistry {
 public:
  void Add(std::unique_ptr<Platform> platform) { platforms_.push_back(std::move(platform)); }
  const Platform* Find(std::string_view kind) const;
  const std::vector<std::unique_ptr<Platform>>& all() const { return platforms_; }

 private:
  std::vector<std::unique_ptr<Platform>> platforms_;
};

// The descriptor for `kind`, or nullptr when no platform serves it.
const Platform* FindPlatform(std::string_view kind);
// Every kind served, in registration order.
std::vector<std::string> PlatformKinds();

// What the engine asks of channel kinds (EngineOptions::channel_kinds, wired by runtime/):
// checks a channel before it is stored (kind, url, an app's settings) and completes it (an app
// channel's API base); an error names the field.
engine::Status CheckChannel(engine::Channel& channel);
// The platform whose user ids an app channel kind addresses ("" for robots and unknown kinds).
std::string PersonPlatform(std::string_view kind);
// Every platform users' `im` may name.
std::vector<std::string> ImPlatforms();

// Helpers the descriptors share.
std::string JoinLines(const Notice& n, std::string_view separator);
// Title, lines and link as plain text (text messages).
std::string PlainText(const Notice& n);
// `url` with `query` ("a=1&b=2") appended.
std::string WithQuery(std::string url, std::string_view query);

}  // namespace dixian::chat
