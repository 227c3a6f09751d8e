#include "adapters/chat/render.h"

#include <algorithm>
#include <map>
#include <tuple>

#include <nlohmann/json.hpp>

#include "adapters/chat/mask.h"
#include "adapters/chat/signer.h"
#include "engine/core/time.h"

namespace dixian::chat {
namespace {

std::string Str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

std::vector<std::string> StrList(const nlohmann::json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

TaskRow RowFromJson(const nlohmann::json& p) {
  TaskRow r;
  r.head_name = Str(p, "head_name");
  r.village = Str(p, "village");
  r.step = Str(p, "step");
  r.step_label = Str(p, "step_label");
  if (r.step_label.empty()) r.step_label = r.step;
  r.org_name = Str(p, "org_name");
  if (r.org_name.empty()) r.org_name = Str(p, "org");
  r.link = Str(p, "link");
  if (auto due = engine::ParseRfc3339(Str(p, "due_at"))) {
    r.due_date = engine::FormatDate(engine::ChinaDate(*due));
  }
  if (auto it = p.find("days_left"); it != p.end() && it->is_number_integer()) {
    r.days_left = it->get<int>();
    r.has_days_left = true;
  }
  if (auto it = p.find("escalation_level"); it != p.end() && it->is_number_integer()) {
    r.escalation_level = it->get<int>();
  }
  r.mobiles = StrList(p, "mobiles");
  r.feishu_user_ids = StrList(p, "feishu_user_ids");
  return r;
}

std::map<std::string, std::string> VarsOf(const TaskRow& r, const Templates& t) {
  return {{"head_name", r.head_name},
          {"village", r.village},
          {"step", r.step},
          {"step_label", r.step_label},
          {"due_date", r.due_date},
          {"remaining", r.has_days_left ? t.Remaining(r.days_left) : ""},
          {"org_name", r.org_name},
          {"escalation_level", std::to_string(r.escalation_level)}};
}

void AddUnique(std::vector<std::string>& to, const std::vector<std::string>& from) {
  for (const auto& s : from) {
    if (std::find(to.begin(), to.end(), s) == to.end()) to.push_back(s);
  }
}

// Sort key: most late / soonest due first.
int Urgency(const TaskRow& r) { return r.has_days_left ? r.days_left : 1 << 20; }

}  // namespace

std::vector<TaskRow> RowsOf(const engine::OutboxMessage& m) {
  std::vector<TaskRow> rows;
  if (m.kind == "digest") {
    if (auto it = m.payload.find("rows"); it != m.payload.end() && it->is_array()) {
      for (const auto& r : *it) rows.push_back(RowFromJson(r));
    }
    return rows;
  }
  if (m.kind != "test") rows.push_back(RowFromJson(m.payload));
  return rows;
}

std::string AbsoluteLink(const Templates& t, const std::string& path) {
  if (path.empty()) return {};
  if (path.rfind("http://", 0) == 0 || path.rfind("https://", 0) == 0) return path;
  std::string base = t.console_base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + (path.front() == '/' ? "" : "/") + path;
}

Notice RenderNotice(const engine::OutboxMessage& m, const Templates& t) {
  const KindTemplate& kt = t.For(m.kind);
  Notice n;
  n.kind = m.kind;
  n.format = kt.format;
  n.message_id = m.message_id;
  n.urgent = m.urgent;
  if (m.kind == "test" || m.kind == "digest" || !m.payload.is_object()) {
    std::map<std::string, std::string> vars{{"text", Str(m.payload, "text")}};
    if (m.kind == "digest") {
      return RenderDigests({m}, t, static_cast<std::size_t>(-1)).notices.front();
    }
    n.title = MaskText(Substitute(kt.title, vars));
    n.lines.push_back(MaskText(Substitute(kt.line, vars)));
    return n;
  }
  const TaskRow row = RowFromJson(m.payload);
  const auto vars = VarsOf(row, t);
  n.title = MaskText(Substitute(kt.title, vars));
  n.lines.push_back(MaskText(Substitute(kt.line, vars)));
  if (auto text = Str(m.payload, "text"); !text.empty()) n.lines.push_back(MaskText(text));
  n.link = AbsoluteLink(t, row.link);
  n.mobiles = row.mobiles;
  n.feishu_user_ids = row.feishu_user_ids;
  n.to = Str(m.payload, "to");
  n.case_id = Str(m.payload, "case_id");
  if (auto it = m.payload.find("case_version"); it != m.payload.end() && it->is_number_integer()) {
    n.case_version = it->get<int>();
  }
  if (auto it = m.payload.find("actions"); it != m.payload.end() && it->is_array()) {
    for (const auto& a : *it) {
      if (!a.is_object()) continue;
      n.actions.push_back({Str(a, "action"), MaskText(Str(a, "label")),
                           a.value("needs_comment", false)});
    }
  }
  return n;
}

DigestPlan RenderDigests(const std::vector<engine::OutboxMessage>& messages, const Templates& t,
                         std::size_t max_content_bytes) {
  struct Item {
    TaskRow row;
    std::size_t source;
  };
  std::vector<Item> items;
  bool urgent = false;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    urgent = urgent || messages[i].urgent;
    for (auto& r : RowsOf(messages[i])) items.push_back({std::move(r), i});
  }
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return std::make_tuple(Urgency(a.row), a.row.due_date, a.row.step_label) <
           std::make_tuple(Urgency(b.row), b.row.due_date, b.row.step_label);
  });
  const KindTemplate& kt = t.For("digest");
  const std::size_t kReserve = 600;  // title, link and @mention tail
  const std::size_t budget = max_content_bytes > kReserve ? max_content_bytes - kReserve : 256;

  DigestPlan plan;
  std::size_t used = 0;
  std::string current_group;
  auto start_digest = [&] {
    Notice digest;
    digest.kind = "digest";
    digest.format = kt.format;
    digest.urgent = urgent;
    plan.notices.push_back(std::move(digest));
    plan.covers.emplace_back();
    used = 0;
    current_group.clear();
  };
  start_digest();
  std::vector<std::size_t> counts{0};
  for (const Item& item : items) {
    const auto vars = VarsOf(item.row, t);
    const std::string group = MaskText(Substitute(kt.group, vars));
    const std::string row = MaskText(Substitute(kt.row, vars));
    const std::size_t need = row.size() + 4 + (group != current_group ? group.size() + 4 : 0);
    if (counts.back() > 0 && used + need > budget) {
      start_digest();
      counts.push_back(0);
    }
    Notice& n = plan.notices.back();
    if (group != current_group) {
      n.lines.push_back("■ " + group);
      current_group = group;
      used += group.size() + 4;
    }
    n.lines.push_back("  · " + row);
    used += row.size() + 4;
    ++counts.back();
    AddUnique(n.mobiles, item.row.mobiles);
    AddUnique(n.feishu_user_ids, item.row.feishu_user_ids);
    auto& cover = plan.covers.back();
    if (std::find(cover.begin(), cover.end(), item.source) == cover.end()) {
      cover.push_back(item.source);
    }
  }
  // Messages without rows (e.g. an empty digest) ride along with the first notice.
  for (std::size_t i = 0; i < messages.size(); ++i) {
    bool covered = false;
    for (const auto& c : plan.covers) covered = covered || std::count(c.begin(), c.end(), i);
    if (!covered) plan.covers.front().push_back(i);
  }
  for (std::size_t d = 0; d < plan.notices.size(); ++d) {
    Notice& n = plan.notices[d];
    n.title = MaskText(Substitute(kt.title, {{"count", std::to_string(counts[d])}}));
    if (plan.notices.size() > 1) {
      n.title += "（" + std::to_string(d + 1) + "/" + std::to_string(plan.notices.size()) + "）";
    }
    n.link = AbsoluteLink(t, "/tasks");
    std::string ids;
    for (std::size_t i : plan.covers[d]) ids += messages[i].message_id + ",";
    n.message_id = "digest-" + HexLower(HmacSha256("digest", ids)).substr(0, 24);
  }
  return plan;
}

std::string CutUtf8(const std::string& text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  // Step back over continuation bytes (10xxxxxx) to the start of a character.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

}  // namespace dixian::chat
