#include "adapters/http/static_files.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>
#include <utility>

#include "adapters/http/router.h"

namespace dixian::http {
namespace {

constexpr std::uintmax_t kMaxFileSize = 32u << 20;  // the console has no file this big

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

StaticFiles::StaticFiles(std::string root) {
  std::error_code ec;
  auto canonical = std::filesystem::canonical(root, ec);
  if (!ec) root_ = std::move(canonical);
}

std::string_view StaticFiles::ContentType(std::string_view path) {
  struct Entry {
    std::string_view ext;
    std::string_view type;
  };
  static constexpr Entry kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".json", "application/json; charset=utf-8"},
      {".map", "application/json; charset=utf-8"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (const auto& e : kTypes) {
    if (EndsWith(path, e.ext)) return e.type;
  }
  return "application/octet-stream";
}

bool StaticFiles::IsSafePath(std::string_view path) {
  if (path.empty() || path.front() != '/') return false;
  if (path.find('\0') != std::string_view::npos) return false;
  if (path.find('\\') != std::string_view::npos) return false;
  std::size_t pos = 1;
  while (pos <= path.size()) {
    std::size_t next = path.find('/', pos);
    if (next == std::string_view::npos) next = path.size();
    std::string_view seg = path.substr(pos, next - pos);
    if (seg == "." || seg == "..") return false;
    if (seg.empty() && next != path.size()) return false;  // "//"
    // A '%' left after decoding means double encoding (%252e%252e): refuse it outright.
    if (seg.find('%') != std::string_view::npos) return false;
    pos = next + 1;
  }
  return true;
}

Response StaticFiles::Serve(const Request& req) const {
  if (req.method != "GET" && req.method != "HEAD") {
    return MethodNotAllowedResponse(req.method, "GET, HEAD");
  }
  if (root_.empty() || !IsSafePath(req.path)) return NotFoundResponse(req.path);
  std::string rel = req.path.substr(1);
  if (rel.empty() || rel.back() == '/') rel += "index.html";
  std::error_code ec;
  auto file = std::filesystem::weakly_canonical(root_ / rel, ec);
  if (ec) return NotFoundResponse(req.path);
  // The canonical file must stay inside the canonical root (also against symlinks leading out).
  auto [root_end, file_it] = std::mismatch(root_.begin(), root_.end(), file.begin(), file.end());
  if (root_end != root_.end()) return NotFoundResponse(req.path);
  if (!std::filesystem::is_regular_file(file, ec)) return NotFoundResponse(req.path);
  auto size = std::filesystem::file_size(file, ec);
  if (ec || size > kMaxFileSize) return NotFoundResponse(req.path);
  std::ifstream in(file, std::ios::binary);
  if (!in) return NotFoundResponse(req.path);
  Response r;
  r.status = 200;
  r.content_type = std::string(ContentType(file.string()));
  r.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  bool vendor = req.path.rfind("/vendor/", 0) == 0;
  r.headers.emplace_back("Cache-Control",
                         vendor ? "public, max-age=31536000, immutable" : "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

}  // namespace dixian::http
