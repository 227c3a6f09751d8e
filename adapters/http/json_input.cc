#include "adapters/http/json_input.h"

#include <algorithm>

#include "engine/core/fields.h"

namespace dixian::http {

using engine::InvalidField;
using nlohmann::json;

namespace {

int NestingDepth(std::string_view s) {
  int depth = 0, max_depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
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

const json* Find(const json& obj, const std::string& field) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(field);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

}  // namespace

engine::Result<json> ParseJsonBody(std::string_view text, int max_depth) {
  if (!engine::IsValidUtf8(text))
    return engine::Error::BadInput("invalid_utf8", "请求内容不是有效的 UTF-8 编码");
  if (NestingDepth(text) > max_depth)
    return engine::Error::BadInput(
        "too_deep", "JSON 嵌套层数过多（最多 " + std::to_string(max_depth) + " 层）");
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded())
    return engine::Error::BadInput("malformed_json", "请求内容不是有效的 JSON");
  return doc;
}

engine::Result<std::string> TextField(const json& obj, const std::string& field,
                                      const std::string& where) {
  const json* v = Find(obj, field);
  if (!v) return std::string();
  if (!v->is_string()) return InvalidField(where + field, "应为字符串");
  return v->get<std::string>();
}

engine::Result<std::optional<std::int64_t>> IntField(const json& obj, const std::string& field,
                                                     const std::string& where) {
  const json* v = Find(obj, field);
  if (!v) return std::optional<std::int64_t>();
  if (!v->is_number_integer()) return InvalidField(where + field, "应为整数");
  if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
    return InvalidField(where + field, "超出允许范围");
  return std::optional<std::int64_t>(v->get<std::int64_t>());
}

engine::Result<std::optional<double>> NumberField(const json& obj, const std::string& field,
                                                  const std::string& where) {
  const json* v = Find(obj, field);
  if (!v) return std::optional<double>();
  if (!v->is_number()) return InvalidField(where + field, "应为数字");
  return std::optional<double>(v->get<double>());
}

engine::Result<std::optional<bool>> BoolField(const json& obj, const std::string& field,
                                             const std::string& where) {
  const json* v = Find(obj, field);
  if (!v) return std::optional<bool>();
  if (!v->is_boolean()) return InvalidField(where + field, "应为 true 或 false");
  return std::optional<bool>(v->get<bool>());
}

engine::Result<json> ObjectField(const json& obj, const std::string& field) {
  auto it = obj.find(field);
  if (it == obj.end()) return json::object();
  if (!it->is_object()) return InvalidField(field, "应为对象");
  return *it;
}

engine::Result<std::optional<std::vector<std::int64_t>>> IntListField(const json& obj,
                                                                      const std::string& field,
                                                                      const std::string& why) {
  const json* v = Find(obj, field);
  if (!v) return std::optional<std::vector<std::int64_t>>();
  if (!v->is_array()) return InvalidField(field, why);
  std::vector<std::int64_t> out;
  for (const auto& x : *v) {
    if (!x.is_number_integer()) return InvalidField(field, why);
    out.push_back(x.get<std::int64_t>());
  }
  return std::optional(out);
}

}  // namespace dixian::http
