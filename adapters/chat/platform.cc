#include "adapters/chat/platform.h"

#include <algorithm>

#include "adapters/chat/app.h"

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

namespace {
engine::Error Invalid(const std::string& field, const std::string& why) {
  return engine::Error::Unprocessable("invalid_field", "字段 " + field + " 不正确：" + why);
}
}  // namespace

engine::Status CheckChannel(engine::Channel& channel) {
  const Platform* platform = FindPlatform(channel.kind);
  if (!platform) {
    std::string kinds;
    for (const auto& k : PlatformKinds()) kinds += (kinds.empty() ? "" : "、") + k;
    return Invalid("kind", "不支持的通道类型 \"" + channel.kind + "\"，可用：" + kinds);
  }
  const AppApi* app = platform->app();
  if (!app) {
    if (!channel.app.empty())
      return Invalid("app", "群机器人通道不需要 app，应用通道的类型以 _app 结尾");
    return engine::OkStatus();
  }
  if (channel.app.empty()) return Invalid("app", "应用通道需要 app 对象（应用的凭证与回调设置）");
  const auto required = app->required_settings();
  for (const auto& [key, value] : channel.app) {
    if (std::find(required.begin(), required.end(), key) == required.end()) {
      return Invalid("app." + key, "不认识的设置项");
    }
    if (value.size() > 256) return Invalid("app." + key, "过长（最多 256 个字符）");
  }
  for (auto key : required) {
    auto it = channel.app.find(std::string(key));
    if (it == channel.app.end() || it->second.empty()) {
      return Invalid("app." + std::string(key), "缺少此项");
    }
  }
  if (auto st = app->CheckSettings(channel.app); !st.ok()) return st;
  if (channel.url.empty()) channel.url = std::string(app->default_api_base());
  return engine::OkStatus();
}

std::string PersonPlatform(std::string_view kind) {
  const Platform* platform = FindPlatform(kind);
  return platform && platform->app() ? std::string(platform->app()->im_platform()) : std::string();
}

std::vector<std::string> ImPlatforms() {
  std::vector<std::string> out;
  for (const auto& kind : PlatformKinds()) {
    const std::string p = PersonPlatform(kind);
    if (!p.empty() && std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
  }
  return out;
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
