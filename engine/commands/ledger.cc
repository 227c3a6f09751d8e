// The ledger (台账) of monitoring objects: filters in SQL, the page's rows looked up one by one.
#include <algorithm>
#include <map>

#include "engine/commands/reports.h"
#include "engine/core/fields.h"
#include "engine/core/id_number.h"
#include "engine/core/time.h"
#include "engine/engine.h"

namespace dixian::engine {

namespace {

Result<std::optional<bool>> OptionalFlag(const std::string& field, const std::string& v) {
  if (v.empty()) return std::optional<bool>();
  if (v == "true" || v == "1") return std::optional<bool>(true);
  if (v == "false" || v == "0") return std::optional<bool>(false);
  return InvalidField(field, "应为 true 或 false");
}

Result<std::optional<Instant>> OptionalDay(const std::string& field, const std::string& v,
                                           int add_days) {
  if (v.empty()) return std::optional<Instant>();
  auto d = ParseDate(v);
  if (!d) return InvalidField(field, "应为日期 YYYY-MM-DD");
  return std::optional<Instant>(ChinaMidnight(CivilFromDays(DaysFromCivil(*d) + add_days)));
}

Result<std::int64_t> Positive(const std::string& field, const std::string& v, std::int64_t dflt,
                              std::int64_t max) {
  if (v.empty()) return dflt;
  if (v.size() > 9 || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return InvalidField(field, "应为正整数");
  const std::int64_t n = std::stoll(v);
  if (n < 1 || n > max) return InvalidField(field, "应在 1 到 " + std::to_string(max) + " 之间");
  return n;
}

// The filter's org: `code` must lie in `path` (the report org's subtree), else it reads as absent.
Result<std::string> Narrow(ReadView& view, const std::string& path, const std::string& code,
                           OrgLevel level, const std::string& field) {
  if (code.empty()) return path;
  auto org = view.FindOrg(code);
  if (!org || org->path.rfind(path, 0) != 0)
    return Error::NotFound("org_not_found", "单位 " + code + " 不存在");
  if (org->level != level) return InvalidField(field, "单位 " + code + " 不是" + Label(level));
  return org->path;
}

Result<LedgerFilter> FilterOf(const LedgerQuery& q) {
  LedgerFilter f;
  auto type = OptionalEnum<MonitoringType>("type", q.type);
  if (!type.ok()) return type.error();
  auto status = OptionalEnum<MonitoringStatus>("status", q.status);
  if (!status.ok()) return status.error();
  auto eliminated = OptionalFlag("risk_eliminated", q.risk_eliminated);
  if (!eliminated.ok()) return eliminated.error();
  auto overdue = OptionalFlag("overdue", q.overdue);
  if (!overdue.ok()) return overdue.error();
  auto from = OptionalDay("identified_from", q.identified_from, 0);
  if (!from.ok()) return from.error();
  auto to = OptionalDay("identified_to", q.identified_to, 1);  // both days included
  if (!to.ok()) return to.error();
  if (from.value() && to.value() && *to.value() <= *from.value())
    return InvalidField("identified_to", "结束日期不能早于开始日期");
  f.type = type.value();
  f.status = status.value();
  f.risk_eliminated = eliminated.value();
  f.has_overdue = overdue.value();
  f.admitted_from = from.value();
  f.admitted_to = to.value();
  return f;
}

}  // namespace

Result<LedgerReport> ReportLedger(Engine& e, const Principal& who, const LedgerQuery& q) {
  auto filter = FilterOf(q);
  if (!filter.ok()) return filter.error();
  auto page = Positive("page", q.page, 1, 1000000);
  if (!page.ok()) return page.error();
  auto size = Positive("page_size", q.page_size, kLedgerPageSize, kLedgerMaxPageSize);
  if (!size.ok()) return size.error();
  auto view = e.store().Read();
  auto org = ReportOrg(*view, who, q.org, Capability::kReportMonitoring);
  if (!org.ok()) return Checked<LedgerReport>(*view, org.error());
  auto path = Narrow(*view, org->path, q.township, OrgLevel::kTownship, "township");
  if (path.ok()) path = Narrow(*view, path.value(), q.village, OrgLevel::kVillage, "village");
  if (!path.ok()) return Checked<LedgerReport>(*view, path.error());
  LedgerFilter& f = filter.value();
  f.org_path_prefix = path.value();
  f.now = e.clock().Now();
  LedgerReport out;
  out.org = org.value();
  out.generated_at = f.now;
  out.page = page.value();
  out.page_size = size.value();
  const auto slice = view->Ledger(f, (out.page - 1) * out.page_size, static_cast<int>(out.page_size));
  out.total = slice.total;
  std::map<std::string, std::pair<std::string, std::string>> places;  // village -> names
  for (const auto& id : slice.households) {
    auto h = view->FindHousehold(id);
    auto m = view->FindMonitoring(id);
    if (!h || !m) continue;
    LedgerRow row{*h, *m};
    auto [place, fresh] = places.try_emplace(h->village);
    if (fresh) {
      auto village = view->FindOrg(h->village);
      auto township = village ? view->FindOrg(village->parent) : std::nullopt;
      place->second = {village ? village->name : h->village, township ? township->name : ""};
    }
    row.village_name = place->second.first;
    row.township_name = place->second.second;
    const auto members = view->MembersOf(id);
    row.persons = PersonCount(*h, members);
    for (const auto& p : members)
      if (p.relation == Relation::kHead) row.head_id_number = MaskIdNumber(p.id_number);
    row.measures = static_cast<std::int64_t>(view->MeasuresOf(id).size());
    for (const auto& t : view->OpenTasksOfHousehold(id)) row.overdue_tasks += t.due_at <= f.now;
    if (!m->contact.empty())
      if (auto u = view->FindUser(m->contact)) row.contact_name = u->name;
    out.rows.push_back(std::move(row));
  }
  return Checked<LedgerReport>(*view, std::move(out));
}

}  // namespace dixian::engine
