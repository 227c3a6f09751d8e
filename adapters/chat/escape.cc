#include "adapters/chat/escape.h"

namespace dixian::chat {

std::string FullWidth(char c) {
  // '!' (0x21) .. '~' (0x7E) map to U+FF01 .. U+FF5E: EF BC 81 .. EF BD 9E.
  const unsigned code = 0xFF01u + static_cast<unsigned>(static_cast<unsigned char>(c) - 0x21u);
  std::string out;
  out.push_back(static_cast<char>(0xE0 | (code >> 12)));
  out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
  out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  return out;
}

std::string Inert(std::string_view text, const InertRules& rules) {
  std::string out;
  out.reserve(text.size() + 8);
  bool at_line_start = true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r' || c == '\n') {
      if (!(c == '\n' && i > 0 && text[i - 1] == '\r')) out.push_back(' ');
      continue;  // the value stays on its line: at_line_start keeps its state
    }
    if (at_line_start && c == ' ') {
      out.push_back(c);
      continue;
    }
    if (at_line_start && rules.line_start.find(c) != std::string_view::npos) {
      out += FullWidth(c);
      at_line_start = false;
      continue;
    }
    if (at_line_start && c >= '0' && c <= '9' && !rules.line_start.empty()) {
      std::size_t j = i;
      while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++j;
      out.append(text.substr(i, j - i));
      if (j < text.size() && (text[j] == '.' || text[j] == ')')) out += FullWidth(text[j++]);
      i = j - 1;
      at_line_start = false;
      continue;
    }
    at_line_start = false;
    if (rules.break_urls && c == ':' && text.substr(i, 3) == "://") {
      out += FullWidth(':');
      continue;
    }
    if (rules.anywhere.find(c) != std::string_view::npos) {
      out += FullWidth(c);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string MarkupUrl(std::string_view url) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  static constexpr std::string_view kUnsafe = "()[]<>\"'` \\{}|^";
  std::string out;
  out.reserve(url.size());
  for (unsigned char c : url) {
    if (c < 0x20 || c == 0x7F || kUnsafe.find(static_cast<char>(c)) != std::string_view::npos) {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 0xF]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

}  // namespace dixian::chat
