#include "adapters/chat/mask.h"

namespace dixian::chat {
namespace {
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
}  // namespace

std::string MaskMobile(std::string_view mobile) {
  if (mobile.size() == 11) {
    return std::string(mobile.substr(0, 3)) + "****" + std::string(mobile.substr(7));
  }
  std::string out(mobile);
  for (std::size_t i = 0; i + 4 < out.size(); ++i) out[i] = '*';
  return out;
}

std::string MaskText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (!IsDigit(text[i])) {
      out.push_back(text[i++]);
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && IsDigit(text[j])) ++j;
    std::size_t run = j - i;
    // An ID number may end with X.
    if (run == 17 && j < text.size() && (text[j] == 'X' || text[j] == 'x')) {
      ++j;
      run = 18;
    }
    const std::string_view token = text.substr(i, j - i);
    if (run == 18) {
      out += std::string(token.substr(0, 6)) + "********" + std::string(token.substr(14));
    } else if (run == 11 && token[0] == '1') {
      out += MaskMobile(token);
    } else {
      out += token;
    }
    i = j;
  }
  return out;
}

}  // namespace dixian::chat
