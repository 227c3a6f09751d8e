#pragma once
// Checking what a command was given: each failure is a value that names the field as the API
// names it ("data.type", "members[2].id_number") in a Chinese sentence an official can act on.
// Lengths are counted in characters (UTF-8 code points), as a person counts them.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/error.h"
#include "engine/model/enums.h"

namespace dixian::engine {

Error MissingField(const std::string& field);
Error InvalidField(const std::string& field, const std::string& why);

bool IsValidUtf8(std::string_view text);
// Characters (code points) of valid UTF-8 text.
std::size_t CharCount(std::string_view utf8);

// A text that must be given (not empty) and at most `max_chars` characters long.
Status RequireText(const std::string& field, const std::string& value, std::size_t max_chars);
// A text that may be empty, at most `max_chars` characters long.
Status LimitText(const std::string& field, const std::string& value, std::size_t max_chars);

// A value that must be one of `allowed`; the message lists them.
Status RequireOneOf(const std::string& field, const std::string& value,
                    const std::vector<std::string>& allowed);
bool IsOneOf(const std::string& value, const std::vector<std::string>& allowed);

// An enum value by its API name: missing when empty, else one of the allowed names.
template <class E>
Result<E> RequireEnum(const std::string& field, const std::string& name) {
  if (name.empty()) return MissingField(field);
  if (auto v = Parse<E>(name)) return *v;
  if (auto st = RequireOneOf(field, name, Names<E>()); !st.ok()) return st.error();
  return MissingField(field);  // unreachable
}

// An optional enum value: empty gives nullopt.
template <class E>
Result<std::optional<E>> OptionalEnum(const std::string& field, const std::string& name) {
  if (name.empty()) return std::optional<E>();
  auto v = RequireEnum<E>(field, name);
  if (!v.ok()) return v.error();
  return std::optional<E>(v.value());
}

// Ids: letters, digits, '-', '_', '.', 1..64 chars; never path tricks.
bool IsSafeId(const std::string& id);
// Refuses an id that is not IsSafeId, naming the field.
Status RequireSafeId(const std::string& field, const std::string& id);

}  // namespace dixian::engine
