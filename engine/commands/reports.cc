// Reports and audit verification. Each answers from one snapshot.
#include "engine/commands/reports.h"

#include <algorithm>
#include <limits>
#include <map>

#include "engine/core/fields.h"
#include "engine/core/time.h"
#include "engine/engine_tx.h"

namespace dixian::engine {

namespace {

std::string OrgName(ReadView& view, const std::string& code) {
  auto org = view.FindOrg(code);
  return org ? org->name : code;
}

Result<Org> ReportOrg(ReadView& view, const Principal& who, const std::string& code,
                      Capability cap) {
  std::string target = code.empty() ? who.user.org : code;
  if (target.empty()) return Error::Unprocessable("missing_field", "缺少查询参数 org");
  if (auto st = RequireRole(who, cap); !st.ok()) return st.error();
  auto org = view.FindOrg(target);
  if (!org || !OnPath(who, org->path))  // an org elsewhere reads as absent
    return Error::NotFound("org_not_found", "单位 " + target + " 不存在");
  if (auto st = Require(who, cap, org->path); !st.ok()) return st.error();
  return *org;
}

void Count(OverdueRow& row, const TaskGroupCount& g, Instant now) {
  row.open += g.open;
  if (g.overdue == 0) return;
  row.overdue += g.overdue;
  row.max_days_late = std::max<std::int64_t>(row.max_days_late,
                                             (now - g.oldest_due + kDaySeconds - 1) / kDaySeconds);
}

}  // namespace

Result<MonitoringReport> ReportMonitoring(Engine& e, const Principal& who,
                                          const std::string& code) {
  auto view = e.store().Read();
  auto org = ReportOrg(*view, who, code, Capability::kReportMonitoring);
  if (!org.ok()) return Checked<MonitoringReport>(*view, org.error());
  MonitoringReport out;
  out.org = org.value();
  out.generated_at = e.clock().Now();
  out.by_type = view->CountByType(org->path);
  for (const auto& r : out.by_type) out.households += r.households, out.persons += r.persons;
  out.by_status = view->CountByStatus(org->path);
  out.by_type_cause = view->CountByTypeAndCause(org->path);
  out.by_type_status = view->CountByTypeAndStatus(org->path);
  std::map<std::string, MeasureCount> measures;
  for (const auto& r : view->MeasureCoverage(org->path)) {
    auto& m = measures[r.kind];
    m.kind = r.kind;
    m.households += r.households;
    m.count += r.measures;
    m.by_type[r.type] = r.households;
  }
  for (auto& [_, m] : measures) out.measures.push_back(std::move(m));
  return Checked<MonitoringReport>(*view, std::move(out));
}

Result<MovementsReport> ReportMovements(Engine& e, const Principal& who, const std::string& code,
                                        const std::string& from, const std::string& to) {
  const auto first = ParseDate(from), last = ParseDate(to);
  if (!first) return InvalidField("from", "应为日期 YYYY-MM-DD");
  if (!last) return InvalidField("to", "应为日期 YYYY-MM-DD");
  if (DaysFromCivil(*last) < DaysFromCivil(*first)) return InvalidField("to", "结束日期不能早于开始日期");
  if (DaysFromCivil(*last) - DaysFromCivil(*first) > 3660) return InvalidField("to", "统计期间不能超过10年");
  auto view = e.store().Read();
  auto org = ReportOrg(*view, who, code, Capability::kReportMonitoring);
  if (!org.ok()) return Checked<MovementsReport>(*view, org.error());
  MovementsReport out;
  out.org = org.value();
  out.generated_at = e.clock().Now();
  out.from = *first;
  out.to = *last;
  const Instant end = ChinaMidnight(CivilFromDays(DaysFromCivil(*last) + 1));
  const auto counts = view->CountMovements(org->path, ChinaMidnight(*first), end);
  for (const auto& entry : EnumEntries(std::type_identity<MovementKind>{})) {
    MovementTotal total;
    total.kind = entry.value;
    for (const auto& c : counts) {
      if (c.kind != entry.value) continue;
      total.households += c.households;
      total.persons += c.persons;
      if (!c.detail.empty()) total.by.push_back({c.detail, c.detail_label, c.households, c.persons});
    }
    out.kinds.push_back(std::move(total));
  }
  return Checked<MovementsReport>(*view, std::move(out));
}

// Measures are due within 10 days of admission (000, 003: 10日内落实帮扶措施): by the end of the
// 10th day, like the `10d` follow-up.
constexpr Instant kMeasuresWindow = 10 * kDaySeconds;

Result<TimelinessReport> ReportTimeliness(Engine& e, const Principal& who, const std::string& code,
                                          const std::string& month) {
  const Instant now = e.clock().Now();
  std::string m = month.empty() ? FormatDate(ChinaDate(now)).substr(0, 7) : month;
  const auto first = ParseDate(m + "-01");
  if (m.size() != 7 || !first) return InvalidField("month", "应为月份 YYYY-MM");
  CivilDate next = *first;
  next.month = next.month == 12 ? 1 : next.month + 1;
  if (next.month == 1) next.year += 1;
  auto view = e.store().Read();
  auto org = ReportOrg(*view, who, code, Capability::kReportMonitoring);
  if (!org.ok()) return Checked<TimelinessReport>(*view, org.error());
  TimelinessReport out;
  out.org = org.value();
  out.generated_at = now;
  out.month = m;
  out.total.org = org->code;
  out.total.org_name = org->name;
  std::vector<std::pair<std::string, TimelinessRow>> children;
  for (const auto& child : view->ChildOrgs(org->code))
    children.push_back({child.path, TimelinessRow{child.code, child.name}});
  for (const auto& v : view->Timeliness(org->path, now, kMeasuresWindow, ChinaMidnight(*first), ChinaMidnight(next))) {
    auto add = [&v](TimelinessRow& row) {
      row.admitted += v.admitted, row.measured_in_time += v.measured_in_time;
      row.active += v.active, row.visited += v.visited;
    };
    add(out.total);
    for (auto& [path, row] : children)
      if (v.village_path.rfind(path, 0) == 0) add(row);
  }
  for (auto& [_, row] : children) out.rows.push_back(std::move(row));
  return Checked<TimelinessReport>(*view, std::move(out));
}

Result<OverdueReport> ReportOverdue(Engine& e, const Principal& who, const std::string& code) {
  auto view = e.store().Read();
  auto org = ReportOrg(*view, who, code, Capability::kReportOverdue);
  if (!org.ok()) return Checked<OverdueReport>(*view, org.error());
  const Instant now = e.clock().Now();
  OverdueReport out;
  out.org = org.value();
  out.generated_at = now;
  // Counted in SQL per (assignee, org, role); only the oldest 500 overdue tasks are loaded.
  const auto groups = view->OpenTaskGroups(org->path, now);
  std::map<std::string, OverdueRow> by_org, by_assignee;
  for (const auto& child : view->ChildOrgs(org->code)) {
    OverdueRow row;
    row.org = child.code;
    row.org_name = child.name;
    by_org[child.path] = row;
  }
  auto person_of = [](const TaskGroupCount& g) {
    return g.assignee.empty() ? g.org + "/" + Name(g.role) : g.assignee;
  };
  std::map<std::string, int> groups_of;  // a person with tasks at several orgs or roles
  for (const auto& g : groups) ++groups_of[person_of(g)];
  for (const auto& g : groups) {
    out.open += g.open;
    out.overdue += g.overdue;
    for (auto& [path, row] : by_org)
      if (g.org_path.rfind(path, 0) == 0) Count(row, g, now);
    const std::string person = person_of(g);
    auto [it, fresh] = by_assignee.try_emplace(person);
    OverdueRow& row = it->second;
    if (fresh) {
      // The org and role shown are those of the person's oldest open task (due_at, id).
      std::string task_org = g.org;
      Role task_role = g.role;
      if (groups_of[person] > 1)
        for (const auto& first :
             view->OpenTasksDueBy(org->path, g.assignee, std::numeric_limits<Instant>::max(), 1))
          task_org = first.org, task_role = first.role;
      if (!g.assignee.empty()) row.user = g.assignee;
      row.org = task_org;
      row.org_name = OrgName(*view, task_org);
      row.role = task_role;
      auto u = g.assignee.empty() ? std::nullopt : view->FindUser(g.assignee);
      row.name = u ? u->name : row.org_name + "（" + Label(task_role) + "）";
    }
    Count(row, g, now);
  }
  for (const auto& t : view->OpenTasksDueBy(org->path, "", now, 500)) {
    auto hh = view->FindHousehold(t.household);
    out.tasks.push_back({t, hh ? hh->head_name : "", StepLabel(e.workflows(), t),
                         OrgName(*view, t.org), (now - t.due_at + kDaySeconds - 1) / kDaySeconds});
  }
  for (auto& [_, row] : by_org) out.by_org.push_back(std::move(row));
  for (auto& [_, row] : by_assignee) out.by_assignee.push_back(std::move(row));
  auto by_late = [](const OverdueRow& a, const OverdueRow& b) {
    return a.max_days_late > b.max_days_late;
  };
  std::stable_sort(out.by_org.begin(), out.by_org.end(), by_late);
  std::stable_sort(out.by_assignee.begin(), out.by_assignee.end(), by_late);
  return Checked<OverdueReport>(*view, std::move(out));
}

}  // namespace dixian::engine
