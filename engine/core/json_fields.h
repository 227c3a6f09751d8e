#pragma once
// Reading request bodies and definitions: each failure names the field.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/core/error.h"

namespace dixian::engine {

// Parses text as JSON, refusing invalid UTF-8 and nesting deeper than `max_depth`.
Result<nlohmann::json> ParseJsonBody(std::string_view text, int max_depth = 32);

bool IsValidUtf8(std::string_view text);

// Field readers for objects. `where` prefixes the field name in messages (e.g. "data.").
Result<std::string> RequiredString(const nlohmann::json& obj, const std::string& field,
                                   std::size_t max_len = 200, const std::string& where = "");
Result<std::string> OptionalString(const nlohmann::json& obj, const std::string& field,
                                   std::size_t max_len = 2000, const std::string& where = "");
Result<std::int64_t> RequiredInt(const nlohmann::json& obj, const std::string& field,
                                 std::int64_t min, std::int64_t max, const std::string& where = "");
Result<double> RequiredNumber(const nlohmann::json& obj, const std::string& field, double min,
                              double max, const std::string& where = "");
// A string that must be one of `allowed`.
Result<std::string> RequiredEnum(const nlohmann::json& obj, const std::string& field,
                                 const std::vector<std::string>& allowed,
                                 const std::string& where = "");
bool IsOneOf(const std::string& value, const std::vector<std::string>& allowed);
// Ids: letters, digits, '-', '_', '.', 1..64 chars; never path tricks.
bool IsSafeId(const std::string& id);

Error MissingField(const std::string& field);
Error InvalidField(const std::string& field, const std::string& why);

}  // namespace dixian::engine
