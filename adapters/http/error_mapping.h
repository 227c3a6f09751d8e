#pragma once
// The one place that maps engine error codes to HTTP status codes.
#include <string_view>

#include "engine/core/error.h"

namespace dixian::http {

// kBadInput 400, kUnauthenticated 401, kForbidden 403, kNotFound 404, kConflict 409,
// kTooLarge 413, kUnprocessable 422, kUnavailable 503, kInternal 500.
int HttpStatus(engine::ErrorCode code);

// The snake_case code used when an error has no slug of its own, e.g. "not_found".
std::string_view DefaultSlug(engine::ErrorCode code);

}  // namespace dixian::http
