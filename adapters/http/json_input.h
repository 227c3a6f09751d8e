#pragma once
// Request JSON to command fields. Only the JSON shape is checked here (is it a string, an
// integer, an object); what the values mean is the engine's to check. Every failure names the
// field as the API names it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/core/error.h"

namespace dixian::http {

// Parses a request body, refusing invalid UTF-8 and nesting deeper than `max_depth`.
engine::Result<nlohmann::json> ParseJsonBody(std::string_view text, int max_depth = 32);

// Readers of one field of an object; `where` prefixes the field in messages ("data.").
// Absent or null reads as empty / nullopt.
engine::Result<std::string> TextField(const nlohmann::json& obj, const std::string& field,
                                      const std::string& where = "");
engine::Result<std::optional<std::int64_t>> IntField(const nlohmann::json& obj,
                                                     const std::string& field,
                                                     const std::string& where = "");
engine::Result<std::optional<double>> NumberField(const nlohmann::json& obj,
                                                  const std::string& field,
                                                  const std::string& where = "");
engine::Result<std::optional<bool>> BoolField(const nlohmann::json& obj, const std::string& field,
                                             const std::string& where = "");
// An object (absent: an empty object).
engine::Result<nlohmann::json> ObjectField(const nlohmann::json& obj, const std::string& field);
// A list of integers (absent or null: nullopt).
engine::Result<std::optional<std::vector<std::int64_t>>> IntListField(const nlohmann::json& obj,
                                                                      const std::string& field,
                                                                      const std::string& why);

}  // namespace dixian::http
