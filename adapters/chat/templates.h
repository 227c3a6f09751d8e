#pragma once
// Chinese message templates (config/templates.json). Placeholders are written {name}.
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace dixian::chat {

struct KindTemplate {
  std::string format = "markdown";  // text | markdown | card
  std::string title;
  std::string line;   // one task (all kinds but digest)
  std::string group;  // digest: header of one step + due date group
  std::string row;    // digest: one household under a group
};

struct Templates {
  std::string console_base_url = "http://127.0.0.1:8080";
  std::string link_label = "去处理";
  std::string remaining_left = "还剩{n}天";
  std::string remaining_today = "今天到期";
  std::string remaining_late = "已逾期{n}天";
  std::map<std::string, KindTemplate> kinds;

  // Throws std::runtime_error on a missing file or a bad shape (start-up only).
  static Templates Load(const std::string& path);
  static Templates FromJson(const nlohmann::json& j);
  // The shipped config/templates.json of the source tree.
  static Templates Shipped();

  const KindTemplate& For(std::string_view kind) const;  // falls back to "test"
  std::string Remaining(int days_left) const;
};

// Replaces every {name} found in vars; unknown placeholders are left as written.
std::string Substitute(std::string_view tmpl, const std::map<std::string, std::string>& vars);

}  // namespace dixian::chat
