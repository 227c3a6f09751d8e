#pragma once
// Errors are values inside the engine. One place (adapters/http/error_mapping) maps codes to HTTP.
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace dixian::engine {

enum class ErrorCode {
  kBadInput,        // 400: malformed input (not JSON, not CSV)
  kUnauthenticated, // 401
  kForbidden,       // 403: not allowed for this user's role or org
  kNotFound,        // 404
  kConflict,        // 409: version conflict or duplicate
  kTooLarge,        // 413
  kUnprocessable,   // 422: valid syntax, not acceptable; the message names the field
  kUnavailable,     // 503: e.g. the database refuses writes (disk full, read-only)
  kInternal,        // 500
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string slug;     // snake_case code for the API error body, e.g. "version_conflict"
  std::string message;  // a sentence a person can act on (Chinese for officials)

  static Error BadInput(std::string slug, std::string msg) { return {ErrorCode::kBadInput, std::move(slug), std::move(msg)}; }
  static Error Unauthenticated(std::string msg) { return {ErrorCode::kUnauthenticated, "unauthenticated", std::move(msg)}; }
  static Error Forbidden(std::string msg) { return {ErrorCode::kForbidden, "forbidden", std::move(msg)}; }
  static Error NotFound(std::string slug, std::string msg) { return {ErrorCode::kNotFound, std::move(slug), std::move(msg)}; }
  static Error Conflict(std::string slug, std::string msg) { return {ErrorCode::kConflict, std::move(slug), std::move(msg)}; }
  static Error TooLarge(std::string msg) { return {ErrorCode::kTooLarge, "body_too_large", std::move(msg)}; }
  static Error Unprocessable(std::string slug, std::string msg) { return {ErrorCode::kUnprocessable, std::move(slug), std::move(msg)}; }
  static Error Unavailable(std::string slug, std::string msg) { return {ErrorCode::kUnavailable, std::move(slug), std::move(msg)}; }
  static Error Internal(std::string msg) { return {ErrorCode::kInternal, "internal", std::move(msg)}; }
};

// A value or an Error. Small on purpose: ok(), value(), error(), and -> for the value.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}      // NOLINT(google-explicit-constructor)
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const Error& error() const { return std::get<1>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }

 private:
  std::variant<T, Error> v_;
};

struct Ok {};
using Status = Result<Ok>;
inline Status OkStatus() { return Ok{}; }

}  // namespace dixian::engine
