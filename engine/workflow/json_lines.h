#pragma once
// Maps JSON pointers ("/states/township_review/deadline") to the line where that value starts,
// so definition errors can point to the line. Assumes the text already parsed as valid JSON.
#include <map>
#include <string>
#include <string_view>

namespace dixian::engine {

class JsonLineIndex {
 public:
  explicit JsonLineIndex(std::string_view text);
  // The line of the value at `pointer`, or of its nearest indexed ancestor; 1 if none.
  int LineOf(const std::string& pointer) const;

 private:
  void Value(const std::string& pointer);
  void SkipSpace();
  std::string String();

  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
  std::map<std::string, int> lines_;
};

}  // namespace dixian::engine
