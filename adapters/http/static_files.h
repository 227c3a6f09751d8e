#pragma once
// Serves the web console for GET and HEAD. "/" is index.html. Paths with "..", "." or backslash
// segments (also percent-encoded ones, which arrive decoded), NUL bytes, or that resolve outside
// the root answer 404.
//
// Transfer cost: every file carries a strong ETag (a hash of its bytes) and answers
// If-None-Match with 304; a precompressed sibling FILE.gz (scripts/build-web.sh writes them) is
// sent with Content-Encoding: gzip to clients that accept it. Files under /v/ (the app, in a
// directory named by its release hash) and /vendor/ (versioned libraries) are cached for a
// year; everything else (index.html) is revalidated on each use, so a new release is picked up
// at the next page load. Files are read once and kept in memory until they change on disk.
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "adapters/http/http_types.h"

namespace dixian::http {

class StaticFiles {
 public:
  explicit StaticFiles(std::string root);
  ~StaticFiles();

  // The file for req.path (already decoded), a 304, or a 404/405 JSON error.
  Response Serve(const Request& req) const;

  // "text/html; charset=utf-8" etc. by extension; "application/octet-stream" when unknown.
  static std::string_view ContentType(std::string_view path);
  // False for paths that could escape the root ("..", ".", "\\", NUL, empty segments).
  static bool IsSafePath(std::string_view path);
  // True when an Accept-Encoding value allows gzip (a "gzip" or "*" coding without q=0).
  static bool AcceptsGzip(std::string_view accept_encoding);
  // True when an If-None-Match value lists `etag` (weak comparison) or is "*".
  static bool NoneMatch(std::string_view if_none_match, std::string_view etag);

 private:
  struct Asset;
  std::shared_ptr<const Asset> Load(const std::filesystem::path& file) const;

  std::filesystem::path root_;  // canonical; empty if the directory does not exist
  mutable std::mutex mu_;       // guards cache_ (sessions run on several threads)
  mutable std::unordered_map<std::string, std::shared_ptr<const Asset>> cache_;
};

}  // namespace dixian::http
