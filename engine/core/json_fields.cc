#include "engine/core/json_fields.h"

#include <algorithm>

namespace dixian::engine {

using nlohmann::json;

namespace {

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    int n = 0;
    if (c < 0x80) n = 0;
    else if (c >= 0xC2 && c <= 0xDF) n = 1;
    else if ((c & 0xF0) == 0xE0) n = 2;
    else if (c >= 0xF0 && c <= 0xF4) n = 3;
    else return false;
    for (int k = 1; k <= n; ++k) {
      if (i + k >= s.size() || (static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += static_cast<size_t>(n) + 1;
  }
  return true;
}

}  // namespace

bool IsValidUtf8(std::string_view s) { return ValidUtf8(s); }

namespace {

int NestingDepth(std::string_view s) {
  int depth = 0, max_depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      max_depth = std::max(max_depth, ++depth);
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return max_depth;
}

}  // namespace

Error MissingField(const std::string& field) {
  return Error::Unprocessable("missing_field", "缺少必填字段 " + field + " (missing required field: " + field + ")");
}

Error InvalidField(const std::string& field, const std::string& why) {
  return Error::Unprocessable("invalid_field", "字段 " + field + " 不正确：" + why + " (invalid field: " + field + ")");
}

Result<json> ParseJsonBody(std::string_view text, int max_depth) {
  if (!ValidUtf8(text)) return Error::BadInput("invalid_utf8", "请求内容不是有效的 UTF-8 编码 (body is not valid UTF-8)");
  if (NestingDepth(text) > max_depth)
    return Error::BadInput("too_deep", "JSON 嵌套层数过多 (JSON nested deeper than " + std::to_string(max_depth) + ")");
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return Error::BadInput("malformed_json", "请求内容不是有效的 JSON (malformed JSON body)");
  return doc;
}

Result<std::string> OptionalString(const json& obj, const std::string& field, std::size_t max_len,
                                   const std::string& where) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::string();
  if (!it->is_string()) return InvalidField(where + field, "应为字符串 (must be a string)");
  const auto& s = it->get_ref<const std::string&>();
  if (s.size() > max_len) return InvalidField(where + field, "过长，最多 " + std::to_string(max_len) + " 字节 (too long)");
  return s;
}

Result<std::string> RequiredString(const json& obj, const std::string& field, std::size_t max_len,
                                   const std::string& where) {
  if (!obj.is_object() || !obj.contains(field) || obj.at(field).is_null()) return MissingField(where + field);
  auto s = OptionalString(obj, field, max_len, where);
  if (s.ok() && s.value().empty()) return MissingField(where + field);
  return s;
}

Result<std::int64_t> RequiredInt(const json& obj, const std::string& field, std::int64_t min,
                                 std::int64_t max, const std::string& where) {
  if (!obj.is_object() || !obj.contains(field)) return MissingField(where + field);
  const auto& v = obj.at(field);
  if (!v.is_number_integer()) return InvalidField(where + field, "应为整数 (must be an integer)");
  const auto n = v.get<std::int64_t>();
  if (n < min || n > max)
    return InvalidField(where + field, "应在 " + std::to_string(min) + " 到 " + std::to_string(max) + " 之间 (out of range)");
  return n;
}

Result<double> RequiredNumber(const json& obj, const std::string& field, double min, double max,
                              const std::string& where) {
  if (!obj.is_object() || !obj.contains(field)) return MissingField(where + field);
  const auto& v = obj.at(field);
  if (!v.is_number()) return InvalidField(where + field, "应为数字 (must be a number)");
  const double n = v.get<double>();
  if (!(n >= min && n <= max)) return InvalidField(where + field, "超出允许范围 (out of range)");
  return n;
}

bool IsOneOf(const std::string& value, const std::vector<std::string>& allowed) {
  return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

Result<std::string> RequiredEnum(const json& obj, const std::string& field,
                                 const std::vector<std::string>& allowed, const std::string& where) {
  auto s = RequiredString(obj, field, 64, where);
  if (!s.ok()) return s;
  if (!IsOneOf(s.value(), allowed)) {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    return InvalidField(where + field, "取值 \"" + s.value() + "\" 不在允许范围内：" + list);
  }
  return s;
}

bool IsSafeId(const std::string& id) {
  if (id.empty() || id.size() > 64 || id == "." || id == "..") return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

}  // namespace dixian::engine
