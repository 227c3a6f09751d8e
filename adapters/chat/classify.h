#pragma once
// Turns a platform's answer into what the delivery worker does next. The platforms answer
// HTTP 200 with an error code in the body, so the body decides, not the HTTP status alone. Each
// platform's descriptor holds its own code table and calls these helpers.
#include <span>
#include <string>
#include <string_view>

namespace dixian::chat {

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

// One of a platform's documented codes.
struct CodeRule {
  long long code;
  Verdict verdict;
  std::string_view reason;  // Chinese, for the dead-letter list
};

// For platforms whose body carries a numeric code under one of `code_keys` (0 = success):
// a listed code takes its rule, an unlisted one is dead (5xx: retry); no code at all is judged
// by the HTTP status (2xx without a code: retry, the answer is unreadable).
Outcome ClassifyByCode(int http_status, std::string_view body,
                       std::span<const std::string_view> code_keys,
                       std::span<const CodeRule> rules);

// For receivers that answer with the HTTP status only: 2xx delivered, 429 rate limited, 5xx
// retry, other 4xx dead.
Outcome ClassifyByStatus(int http_status, std::string_view body);

// The client failed before an answer arrived (timeout, refused, reset, TLS failure).
Outcome TransportFailure(std::string_view what);

std::string_view VerdictName(Verdict v);

}  // namespace dixian::chat
