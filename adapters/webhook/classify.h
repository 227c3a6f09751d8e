#pragma once
// Turns a platform's answer into what the delivery worker does next. The platforms answer
// HTTP 200 with an error code in the body, so the body decides, not the HTTP status alone.
#include <string>
#include <string_view>

namespace dixian::webhook {

enum class Verdict {
  kDelivered,
  kRateLimited,  // retry after the platform's window has passed
  kRetry,        // transient: 5xx, timeout, connection error, unreadable answer
  kDead,         // permanent: signature, keyword, token, other 4xx; needs a person
};

struct Outcome {
  Verdict verdict = Verdict::kRetry;
  std::string reason;  // Chinese sentence for dead letters; short English for retries
};

// kind: dingtalk | wecom | feishu | webhook.
Outcome Classify(std::string_view kind, int http_status, std::string_view body);

// The client failed before an answer arrived (timeout, refused, reset, TLS failure).
Outcome TransportFailure(std::string_view what);

std::string_view VerdictName(Verdict v);

}  // namespace dixian::webhook
