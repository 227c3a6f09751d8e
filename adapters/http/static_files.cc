#include "adapters/http/static_files.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>
#include <utility>
#include <vector>

#include "adapters/http/router.h"
#include "engine/core/sha256.h"

namespace dixian::http {
namespace {

constexpr std::uintmax_t kMaxFileSize = 32u << 20;  // the console has no file this big

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool ReadFile(const std::filesystem::path& file, std::string* out) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return false;
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

// A strong validator from the bytes: the same file gives the same tag on every server.
std::string Tag(std::string_view bytes, std::string_view suffix) {
  return "\"" + engine::Sha256Hex(bytes).substr(0, 20) + std::string(suffix) + "\"";
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  for (std::size_t pos = 0; pos <= s.size();) {
    std::size_t next = s.find(sep, pos);
    if (next == std::string_view::npos) next = s.size();
    parts.push_back(s.substr(pos, next - pos));
    pos = next + 1;
  }
  return parts;
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
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

struct StaticFiles::Asset {
  std::filesystem::file_time_type mtime;
  std::uintmax_t size = 0;
  std::string content_type;
  std::string body;
  std::string etag;
  std::string gzip;  // empty when there is no usable FILE.gz
  std::string gzip_etag;
};

StaticFiles::~StaticFiles() = default;

std::shared_ptr<const StaticFiles::Asset> StaticFiles::Load(const std::filesystem::path& file) const {
  std::error_code ec;
  auto mtime = std::filesystem::last_write_time(file, ec);
  if (ec) return nullptr;
  auto size = std::filesystem::file_size(file, ec);
  if (ec || size > kMaxFileSize) return nullptr;
  const std::string key = file.string();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end() && it->second->mtime == mtime && it->second->size == size) return it->second;
  }
  auto asset = std::make_shared<Asset>();
  asset->mtime = mtime;
  asset->size = size;
  asset->content_type = std::string(ContentType(key));
  if (!ReadFile(file, &asset->body) || asset->body.size() != size) return nullptr;
  asset->etag = Tag(asset->body, "");
  // FILE.gz is used when it is a plain file (not a link out of the root) no older than FILE
  // (else FILE was edited after the build) and smaller.
  auto gz = file;
  gz += ".gz";
  auto gz_mtime = std::filesystem::last_write_time(gz, ec);
  if (!ec && gz_mtime >= mtime && std::filesystem::symlink_status(gz, ec).type() == std::filesystem::file_type::regular &&
      std::filesystem::file_size(gz, ec) < size && !ec && ReadFile(gz, &asset->gzip)) {
    asset->gzip_etag = Tag(asset->body, "-gz");
  } else {
    asset->gzip.clear();
  }
  std::lock_guard lock(mu_);
  cache_[key] = asset;
  return asset;
}

bool StaticFiles::AcceptsGzip(std::string_view accept_encoding) {
  // An explicit gzip (or x-gzip) decides; else "*" does; q=0 (0.0, 0.000) refuses a coding.
  int gzip = -1, any = -1;  // -1 not listed, 0 refused, 1 accepted
  for (std::string_view item : Split(accept_encoding, ',')) {
    auto semi = item.find(';');
    std::string_view coding = TrimOws(item.substr(0, semi));
    int accepted = 1;
    if (semi != std::string_view::npos) {
      std::string_view param = TrimOws(item.substr(semi + 1));
      if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=')
        accepted = TrimOws(param.substr(2)).find_first_not_of("0.") != std::string_view::npos;
    }
    if (EqualsNoCase(coding, "gzip") || EqualsNoCase(coding, "x-gzip")) gzip = std::max(gzip, accepted);
    else if (coding == "*") any = std::max(any, accepted);
  }
  return gzip >= 0 ? gzip == 1 : any == 1;
}

bool StaticFiles::NoneMatch(std::string_view if_none_match, std::string_view etag) {
  for (std::string_view item : Split(if_none_match, ',')) {
    std::string_view tag = TrimOws(item);
    if (tag == "*") return true;
    if (tag.substr(0, 2) == "W/") tag = tag.substr(2);
    if (tag == etag) return true;
  }
  return false;
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
  auto asset = Load(file);
  if (!asset) return NotFoundResponse(req.path);

  const bool gzip = !asset->gzip.empty() && AcceptsGzip(req.Header("accept-encoding"));
  const std::string& etag = gzip ? asset->gzip_etag : asset->etag;
  Response r;
  bool immutable = req.path.rfind("/v/", 0) == 0 || req.path.rfind("/vendor/", 0) == 0;
  r.headers.emplace_back("Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
  r.headers.emplace_back("ETag", etag);
  if (!asset->gzip.empty()) r.headers.emplace_back("Vary", "Accept-Encoding");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  const std::string if_none_match = req.Header("if-none-match");
  if (!if_none_match.empty() && (NoneMatch(if_none_match, asset->etag) ||
                                 (!asset->gzip.empty() && NoneMatch(if_none_match, asset->gzip_etag)))) {
    r.status = 304;
    r.content_type.clear();
    return r;
  }
  r.status = 200;
  r.content_type = asset->content_type;
  if (gzip) r.headers.emplace_back("Content-Encoding", "gzip");
  r.body = gzip ? asset->gzip : asset->body;
  return r;
}

}  // namespace dixian::http
