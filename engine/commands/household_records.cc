// Households as living records: PATCH with expected_version, the change history, member import.
#include <map>
#include <unordered_map>

#include "engine/commands/households.h"
#include "engine/commands/members.h"
#include "engine/core/csv.h"
#include "engine/core/fields.h"
#include "engine/engine_tx.h"

namespace dixian::engine {

namespace {

using nlohmann::json;

// Records one field's change (from -> to) when the values differ.
template <class T>
void Change(json& changes, const char* field, T& current, const std::optional<T>& given) {
  if (!given || *given == current) return;
  changes.push_back({{"field", field}, {"from", current}, {"to", *given}});
  current = *given;
}

Status CheckFigures(const HouseholdPatch& p) {
  if (p.head_name)
    if (auto st = RequireText("head_name", *p.head_name, 100); !st.ok()) return st;
  if (p.income_per_capita && !(*p.income_per_capita >= 0 && *p.income_per_capita <= 10'000'000))
    return InvalidField("income_per_capita", "应在 0 到 10000000 之间");
  if (p.rigid_spending && !(*p.rigid_spending >= 0 && *p.rigid_spending <= 100'000'000))
    return InvalidField("rigid_spending", "应在 0 到 100000000 之间");
  if (auto st = LimitText("comment", p.comment, 500); !st.ok()) return st;
  return OkStatus();
}

}  // namespace

void UpdateHousehold(Engine& e, Write<HouseholdView> w, HouseholdPatch p) {
  if (auto st = RequireRole(w.who, Capability::kWriteHouseholds); !st.ok())
    return w.done(st.error());
  if (!p.expected_version) return w.done(MissingField("expected_version"));
  if (auto st = CheckFigures(p); !st.ok()) return w.done(st.error());
  const Principal who = w.who;
  e.Submit<HouseholdView>(std::move(w), [who, p = std::move(p)](
                                            EngineTx& etx) -> Result<HouseholdView> {
    auto& tx = etx.tx();
    auto found = PermittedHousehold(tx, who, p.id, Capability::kWriteHouseholds);
    if (!found.ok()) return found.error();
    Household hh = found.value();
    if (*p.expected_version != hh.version)
      return Error::Conflict("version_conflict", "该户信息已被他人修改（当前版本 " +
                                                     std::to_string(hh.version) +
                                                     "），请刷新后重试");
    std::vector<Member> members = tx.MembersOf(hh.id);
    json changes = json::array();
    Change(changes, "head_name", hh.head_name, p.head_name);
    Change(changes, "income_per_capita", hh.income_per_capita, p.income_per_capita);
    Change(changes, "rigid_spending", hh.rigid_spending, p.rigid_spending);
    Change(changes, "registered_poor", hh.registered_poor, p.registered_poor);
    Change(changes, "away_long_term", hh.away_long_term, p.away_long_term);
    if (p.persons) {
      auto list = MembersFrom(*p.persons, hh.id, etx.now());
      if (!list.ok()) return list.error();
      json before = MaskedMembers(members), after = MaskedMembers(list.value());
      if (before != after || hh.members != static_cast<int>(list->size())) {
        if (auto st = RequireOwnIdNumbers(tx, who, hh.id, list.value()); !st.ok())
          return st.error();
        if (auto st = tx.ReplaceMembers(hh.id, list.value()); !st.ok()) return st.error();
        changes.push_back({{"field", "members"}, {"from", before}, {"to", after}});
        members = std::move(list.value());
        hh.members = static_cast<int>(members.size());
      }
    }
    if (!changes.empty()) {
      hh.version += 1;
      hh.updated_at = etx.now();
      tx.UpdateHousehold(hh);
      AuditEvent ev = EventBy(who, hh.id, "update_household");
      ev.data = {{"changes", changes}, {"version", hh.version}};
      ev.comment = p.comment;
      etx.Audit(ev);
    }
    HouseholdView out;
    out.household = hh;
    out.members = std::move(members);
    if (auto village = etx.FindOrg(hh.village)) out.village_name = village->name;
    return out;
  });
}

Result<std::vector<HouseholdChange>> HouseholdChanges(Engine& e, const Principal& who,
                                                      const std::string& id) {
  using Changes = std::vector<HouseholdChange>;
  auto view = e.store().Read();
  auto hh = PermittedHousehold(*view, who, id, Capability::kReadHouseholds);
  if (!hh.ok()) return Checked<Changes>(*view, hh.error());
  std::map<std::string, std::string> names;
  auto name_of = [&](const std::string& user) -> std::string {
    auto it = names.find(user);
    if (it != names.end()) return it->second;
    auto u = user.empty() ? std::nullopt : view->FindUser(user);
    return names[user] = u ? u->name : "";
  };
  Changes out;
  out.push_back({hh->created_at, hh->created_by, name_of(hh->created_by), "created", nullptr,
                 json{{"head_name", hh->head_name}, {"village", hh->village}}});
  for (const auto& ev : view->HouseholdChanges(id)) {
    if (!ev.data.contains("changes") || !ev.data["changes"].is_array()) continue;
    for (const auto& c : ev.data["changes"])
      out.push_back({ev.at, ev.actor, name_of(ev.actor), c.value("field", ""),
                     c.value("from", json()), c.value("to", json())});
  }
  return Checked<Changes>(*view, std::move(out));
}

void ImportMembers(Engine& e, Write<ImportCount> w, CsvInput in) {
  auto rows = ParseCsv(in.csv);
  if (!rows.ok()) return w.done(rows.error());
  const std::vector<std::string> header = {"household", "name",       "relation",
                                           "id_number", "sex",        "birth_year",
                                           "labour",    "health",     "schooling"};
  if (auto st = CheckCsvHeader(rows.value(), header); !st.ok()) return w.done(st.error());
  if (auto st = RequireRole(w.who, Capability::kWriteHouseholds); !st.ok())
    return w.done(st.error());
  const Principal who = w.who;
  e.Submit<ImportCount>(std::move(w), [rows = std::move(rows.value()), who, n = header.size()](
                                          EngineTx& etx) -> Result<ImportCount> {
    auto& tx = etx.tx();
    std::vector<std::string> order;  // households in first-seen order
    std::unordered_map<std::string, std::vector<std::pair<int, MemberInput>>> lists;
    std::string errors;
    int bad = 0;
    auto fail = [&](int line, const std::string& why) {
      errors += "第 " + std::to_string(line) + " 行：" + why + "\n";
      ++bad;
    };
    for (size_t i = 1; i < rows.size() && bad < 50; ++i) {
      const auto& f = rows[i].fields;
      if (f.size() != n) {
        fail(rows[i].line, "应有 " + std::to_string(n) + " 列，实际 " +
                               std::to_string(f.size()) + " 列");
        continue;
      }
      MemberInput m{f[1], f[2], f[3], f[4], f[6], f[7], f[8], std::nullopt};
      if (!f[5].empty()) {
        char* end = nullptr;
        const long long y = std::strtoll(f[5].c_str(), &end, 10);
        if (end == f[5].c_str() || *end != '\0') {
          fail(rows[i].line, "字段 birth_year 不正确：应为整数");
          continue;
        }
        m.birth_year = y;
      }
      if (!lists.count(f[0])) order.push_back(f[0]);
      lists[f[0]].push_back({rows[i].line, std::move(m)});
    }
    std::int64_t imported = 0;
    for (const auto& id : order) {
      const auto& rows_of = lists[id];
      const int first_line = rows_of.front().first;
      auto hh = PermittedHousehold(tx, who, id, Capability::kWriteHouseholds);
      if (!hh.ok()) {
        fail(first_line, "household：" + hh.error().message);
        continue;
      }
      std::vector<MemberInput> inputs;
      for (const auto& [line, m] : rows_of) inputs.push_back(m);
      auto list = MembersFrom(inputs, id, etx.now(), "members");
      if (list.ok()) {
        if (auto st = RequireOwnIdNumbers(tx, who, id, list.value()); !st.ok())
          list = st.error();
      }
      if (!list.ok()) {
        // members[i] is the i-th row of this household: name its line.
        std::string msg = list.error().message;
        int line = first_line;
        if (auto at = msg.find("members["); at != std::string::npos) {
          const size_t k = std::strtoul(msg.c_str() + at + 8, nullptr, 10);
          if (k < rows_of.size()) line = rows_of[k].first;
        }
        fail(line, "户 " + id + "：" + msg);
        continue;
      }
      const json before = MaskedMembers(tx.MembersOf(id));
      if (auto st = tx.ReplaceMembers(id, list.value()); !st.ok()) {
        if (st.error().code != ErrorCode::kConflict) return st.error();
        fail(first_line, "户 " + id + "：" + st.error().message);
        continue;
      }
      Household h = hh.value();
      json changes = json::array(
          {{{"field", "members"}, {"from", before}, {"to", MaskedMembers(list.value())}}});
      h.members = static_cast<int>(list->size());
      h.version += 1;
      h.updated_at = etx.now();
      tx.UpdateHousehold(h);
      AuditEvent ev = EventBy(who, id, "update_household");
      ev.data = {{"changes", changes}, {"version", h.version}};
      ev.comment = "导入家庭成员";
      etx.Audit(ev);
      imported += static_cast<std::int64_t>(list->size());
    }
    if (bad)
      return Error::Unprocessable("csv_rows_invalid", "导入失败，未写入任何数据：\n" + errors);
    return ImportCount{imported};
  });
}

}  // namespace dixian::engine
