#include "adapters/chat/templates.h"

#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace dixian::chat {

namespace {
std::string StringOr(const nlohmann::json& j, const char* key, const std::string& fallback) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : fallback;
}
}  // namespace

Templates Templates::FromJson(const nlohmann::json& j) {
  Templates t;
  t.console_base_url = StringOr(j, "console_base_url", t.console_base_url);
  t.link_label = StringOr(j, "link_label", t.link_label);
  if (auto r = j.find("remaining"); r != j.end() && r->is_object()) {
    t.remaining_left = StringOr(*r, "left", t.remaining_left);
    t.remaining_today = StringOr(*r, "today", t.remaining_today);
    t.remaining_late = StringOr(*r, "late", t.remaining_late);
  }
  const nlohmann::json& kinds = j.at("kinds");
  for (const char* kind : {"new_task", "reminder", "overdue", "escalation", "digest", "test"}) {
    if (!kinds.contains(kind)) {
      throw std::runtime_error(std::string("templates: kind missing: ") + kind);
    }
  }
  for (const auto& [name, k] : kinds.items()) {
    KindTemplate kt;
    kt.format = StringOr(k, "format", kt.format);
    if (kt.format != "text" && kt.format != "markdown" && kt.format != "card") {
      throw std::runtime_error("templates: " + name + ".format must be text, markdown or card");
    }
    kt.title = k.at("title").get<std::string>();
    kt.line = StringOr(k, "line", "");
    kt.group = StringOr(k, "group", "");
    kt.row = StringOr(k, "row", "");
    t.kinds[name] = std::move(kt);
  }
  return t;
}

Templates Templates::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("templates: cannot open " + path);
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw std::runtime_error("templates: not valid JSON: " + path);
  return FromJson(j);
}

Templates Templates::Shipped() {
  return Load(std::string(DIXIAN_SOURCE_DIR) + "/config/templates.json");
}

const KindTemplate& Templates::For(std::string_view kind) const {
  auto it = kinds.find(std::string(kind));
  if (it != kinds.end()) return it->second;
  static const KindTemplate kFallback{"text", "【防返贫监测】", "{text}", "", ""};
  auto test = kinds.find("test");
  return test != kinds.end() ? test->second : kFallback;
}

std::string Templates::Remaining(int days_left) const {
  if (days_left == 0) return remaining_today;
  const int n = days_left > 0 ? days_left : -days_left;
  return Substitute(days_left > 0 ? remaining_left : remaining_late, {{"n", std::to_string(n)}});
}

std::string Substitute(std::string_view tmpl, const std::map<std::string, std::string>& vars) {
  std::string out;
  std::size_t i = 0;
  while (i < tmpl.size()) {
    if (tmpl[i] == '{') {
      const std::size_t close = tmpl.find('}', i);
      if (close != std::string_view::npos) {
        auto it = vars.find(std::string(tmpl.substr(i + 1, close - i - 1)));
        if (it != vars.end()) {
          out += it->second;
          i = close + 1;
          continue;
        }
      }
    }
    out.push_back(tmpl[i++]);
  }
  return out;
}

}  // namespace dixian::chat
