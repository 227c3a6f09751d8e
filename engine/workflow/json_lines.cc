#include "engine/workflow/json_lines.h"

namespace dixian::engine {

JsonLineIndex::JsonLineIndex(std::string_view text) : text_(text) {
  SkipSpace();
  if (pos_ < text_.size()) Value("");
}

int JsonLineIndex::LineOf(const std::string& pointer) const {
  std::string p = pointer;
  while (true) {
    auto it = lines_.find(p);
    if (it != lines_.end()) return it->second;
    const auto slash = p.rfind('/');
    if (slash == std::string::npos || p.empty()) return 1;
    p.resize(slash);
  }
}

void JsonLineIndex::SkipSpace() {
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c == '\n') ++line_;
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') break;
    ++pos_;
  }
}

std::string JsonLineIndex::String() {
  std::string out;
  ++pos_;  // opening quote
  while (pos_ < text_.size() && text_[pos_] != '"') {
    if (text_[pos_] == '\\') out += text_[pos_++];
    out += text_[pos_++];
  }
  ++pos_;
  return out;
}

static std::string Escape(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

void JsonLineIndex::Value(const std::string& pointer) {
  lines_[pointer] = line_;
  if (pos_ >= text_.size()) return;
  const char c = text_[pos_];
  if (c == '{' || c == '[') {
    const bool object = c == '{';
    const char close = object ? '}' : ']';
    ++pos_;
    for (int index = 0;; ++index) {
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] == close) break;
      std::string child = pointer + "/" + std::to_string(index);
      if (object) {
        child = pointer + "/" + Escape(String());
        SkipSpace();
        ++pos_;  // ':'
        SkipSpace();
      }
      Value(child);
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == ',') ++pos_;
    }
    ++pos_;
  } else if (c == '"') {
    String();
  } else {
    while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '}' && text_[pos_] != ']' &&
           text_[pos_] != '\n' && text_[pos_] != ' ')
      ++pos_;
  }
}

}  // namespace dixian::engine
