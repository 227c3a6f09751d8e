#include "adapters/chat/platform.h"

namespace dixian::chat {

void RegisterAllPlatforms(PlatformRegistry& registry);  // generated from platforms/*.cc

namespace {
const PlatformRegistry& Registry() {
  static const PlatformRegistry* registry = [] {
    auto* r = new PlatformRegistry;  // lives as long as the process: descriptors are stateless
    RegisterAllPlatforms(*r);
    return r;
  }();
  return *registry;
}
}  // namespace

const Platform* PlatformRegistry::Find(std::string_view kind) const {
  for (const auto& p : platforms_) {
    if (p->kind() == kind) return p.get();
  }
  return nullptr;
}

const Platform* FindPlatform(std::string_view kind) { return Registry().Find(kind); }

std::vector<std::string> PlatformKinds() {
  std::vector<std::string> kinds;
  for (const auto& p : Registry().all()) kinds.emplace_back(p->kind());
  return kinds;
}

std::size_t Platform::ContentBudget(std::string_view format) const {
  return format == "text" ? limits().max_text_bytes : limits().max_markdown_bytes;
}

std::string JoinLines(const Notice& n, std::string_view separator) {
  std::string out;
  for (const auto& line : n.lines) {
    if (!out.empty()) out += separator;
    out += line;
  }
  return out;
}

std::string PlainText(const Notice& n) {
  std::string out = n.title + "\n" + JoinLines(n, "\n");
  if (!n.link.empty()) out += "\n" + n.link;
  return out;
}

std::string WithQuery(std::string url, std::string_view query) {
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += query;
  return url;
}

}  // namespace dixian::chat
