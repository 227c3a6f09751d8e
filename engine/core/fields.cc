#include "engine/core/fields.h"

#include <algorithm>

namespace dixian::engine {

Error MissingField(const std::string& field) {
  return Error::Unprocessable("missing_field", "缺少必填字段 " + field);
}

Error InvalidField(const std::string& field, const std::string& why) {
  return Error::Unprocessable("invalid_field", "字段 " + field + " 不正确：" + why);
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    int n = 0;
    if (c < 0x80)
      n = 0;
    else if (c >= 0xC2 && c <= 0xDF)
      n = 1;
    else if ((c & 0xF0) == 0xE0)
      n = 2;
    else if (c >= 0xF0 && c <= 0xF4)
      n = 3;
    else
      return false;
    for (int k = 1; k <= n; ++k) {
      if (i + k >= s.size() || (static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += static_cast<size_t>(n) + 1;
  }
  return true;
}

std::size_t CharCount(std::string_view utf8) {
  return static_cast<std::size_t>(std::count_if(utf8.begin(), utf8.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;  // every byte but continuation bytes
  }));
}

Status LimitText(const std::string& field, const std::string& value, std::size_t max_chars) {
  if (value.size() <= max_chars) return OkStatus();  // bytes >= characters: the common case
  const std::size_t n = CharCount(value);
  if (n > max_chars)
    return InvalidField(field, "过长，最多 " + std::to_string(max_chars) + " 个字，现有 " +
                                   std::to_string(n) + " 个字");
  return OkStatus();
}

Status RequireText(const std::string& field, const std::string& value, std::size_t max_chars) {
  if (value.empty()) return MissingField(field);
  return LimitText(field, value, max_chars);
}

bool IsOneOf(const std::string& value, const std::vector<std::string>& allowed) {
  return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

Status RequireOneOf(const std::string& field, const std::string& value,
                    const std::vector<std::string>& allowed) {
  if (IsOneOf(value, allowed)) return OkStatus();
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  return InvalidField(field, "取值 \"" + value + "\" 不在允许范围内：" + list);
}

bool IsSafeId(const std::string& id) {
  if (id.empty() || id.size() > 64 || id == "." || id == "..") return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

Status RequireSafeId(const std::string& field, const std::string& id) {
  if (id.empty()) return MissingField(field);
  if (!IsSafeId(id)) return InvalidField(field, "只能包含字母、数字和 - _ .，最多 64 个字符");
  return OkStatus();
}

}  // namespace dixian::engine
