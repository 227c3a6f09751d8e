#pragma once
// A fresh directory under /tmp (dixian-test-XXXXXX), removed with everything in it on destruction.
#include <string>

namespace dixian::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace dixian::testing
