#pragma once
// Serves the web console (web/) for GET and HEAD. "/" is index.html. Paths with "..", "." or
// backslash segments (also percent-encoded ones, which arrive decoded), NUL bytes, or that resolve
// outside the root answer 404. Files under /vendor/ are cached for a year; the rest revalidate.
#include <filesystem>
#include <string>
#include <string_view>

#include "adapters/http/http_types.h"

namespace dixian::http {

class StaticFiles {
 public:
  explicit StaticFiles(std::string root);

  // The file for req.path (already decoded) or a 404/405 JSON error.
  Response Serve(const Request& req) const;

  // "text/html; charset=utf-8" etc. by extension; "application/octet-stream" when unknown.
  static std::string_view ContentType(std::string_view path);
  // False for paths that could escape the root ("..", ".", "\\", NUL, empty segments).
  static bool IsSafePath(std::string_view path);

 private:
  std::filesystem::path root_;  // canonical; empty if the directory does not exist
};

}  // namespace dixian::http
