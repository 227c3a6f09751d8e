// Reports and audit verification. Each answers from one snapshot.
#include "engine/commands/reports.h"

#include <algorithm>
#include <cstdio>
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


void Count(OverdueRow& row, const TaskGroupCount& g, Instant now) {
  row.open += g.open;
  if (g.overdue == 0) return;
  row.overdue += g.overdue;
  row.max_days_late = std::max<std::int64_t>(row.max_days_late,
                                             (now - g.oldest_due + kDaySeconds - 1) / kDaySeconds);
}

}  // namespace

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

Result<MonitoringReport> ReportMonitoring(Engine& e, const Principal& who,
                                          const std::string& code) {
  auto view = e.store().Read();
  auto org = ReportOrg(*view, who, code, Capability::kReportMonitoring);
  if (!org.ok()) return Checked<MonitoringReport>(*view, org.error());
  MonitoringReport out;
  out.org = org.value();
  out.generated_at = e.clock().Now();
  // One pass over the objects (type x status x cause); removed objects (清退) count by status only.
  std::map<std::string, CountRow> by_type, by_status;
  std::map<std::pair<std::string, std::string>, CountRow> by_type_cause, by_type_status;
  auto add = [](CountRow& to, const CountRow& r, std::string key, std::string key2 = "") {
    to.key = std::move(key), to.key2 = std::move(key2);
    to.households += r.households, to.persons += r.persons;
  };
  for (const auto& r : view->CountMonitoring(org->path)) {
    add(by_status[r.key2], r, r.key2);
    if (r.key2 == Name(MonitoringStatus::kRemoved)) continue;
    add(by_type[r.key], r, r.key);
    add(by_type_cause[{r.key, r.key3}], r, r.key, r.key3);
    add(by_type_status[{r.key, r.key2}], r, r.key, r.key2);
    out.households += r.households, out.persons += r.persons;
  }
  for (auto& [_, r] : by_type) out.by_type.push_back(std::move(r));
  for (auto& [_, r] : by_status) out.by_status.push_back(std::move(r));
  for (auto& [_, r] : by_type_cause) out.by_type_cause.push_back(std::move(r));
  for (auto& [_, r] : by_type_status) out.by_type_status.push_back(std::move(r));
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

namespace dixian::engine {

CivilDate WeekEnding(CivilDate day) {
  const int days_to_friday = (5 - Weekday(day) + 7) % 7;
  return CivilFromDays(DaysFromCivil(day) + days_to_friday);
}

WeeklyFigures CountWeek(ReadView& view, const Org& org, CivilDate friday, Instant now) {
  WeeklyFigures f;
  f.to = friday;
  f.from = CivilFromDays(DaysFromCivil(friday) - 6);
  const Instant end = std::min(now + 1, ChinaMidnight(CivilFromDays(DaysFromCivil(friday) + 1)));
  for (const auto& c : view.CountMovements(org.path, ChinaMidnight(f.from), end)) {
    if (c.kind == MovementKind::kAdmitted) f.admitted += c.households, f.admitted_persons += c.persons;
    if (c.kind == MovementKind::kRiskEliminated)
      f.eliminated += c.households, f.eliminated_persons += c.persons;
  }
  for (const auto& g : view.OpenTaskGroups(org.path, now))
    f.open_tasks += g.open, f.overdue_tasks += g.overdue;
  const Instant month = ChinaMidnight({friday.year, friday.month, 1});
  for (const auto& v : view.Timeliness(org.path, now, kMeasuresWindow, month, month))
    f.measures.admitted += v.admitted, f.measures.measured_in_time += v.measured_in_time;
  return f;
}

namespace {

std::string Percent(double share) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", share * 100);
  return buf;
}

std::string ShortDate(CivilDate d) {
  return std::to_string(d.month) + "月" + std::to_string(d.day) + "日";
}

}  // namespace

std::string WeeklyText(const Org& org, const WeeklyFigures& f) {
  const auto n = [](std::int64_t v) { return std::to_string(v); };
  std::string text = org.name + "本周（" + ShortDate(f.from) + "至" + ShortDate(f.to) + "）：新识别监测对象" +
                     n(f.admitted) + "户" + n(f.admitted_persons) + "人，标注风险消除" + n(f.eliminated) +
                     "户" + n(f.eliminated_persons) + "人；在办事项" + n(f.open_tasks) + "项，其中逾期" +
                     n(f.overdue_tasks) + "项；";
  if (f.measures.admitted == 0) return text + "暂无纳入满10日的监测对象。";
  return text + "纳入10日内落实帮扶措施率" + Percent(f.measures.measures_rate()) + "（" +
         n(f.measures.measured_in_time) + "/" + n(f.measures.admitted) + "户）。";
}

Result<WeeklyReport> ReportWeekly(Engine& e, const Principal& who, const std::string& code,
                                  const std::string& week) {
  const Instant now = e.clock().Now();
  const auto day = week.empty() ? std::optional<CivilDate>(ChinaDate(now)) : ParseDate(week);
  if (!day) return InvalidField("week", "应为日期 YYYY-MM-DD");
  const CivilDate friday = WeekEnding(*day);
  WeeklyReport out;
  {
    auto view = e.store().Read();
    auto org = ReportOrg(*view, who, code, Capability::kReportMonitoring);
    if (!org.ok()) return Checked<WeeklyReport>(*view, org.error());
    out.org = org.value();
    out.generated_at = now;
    out.figures = CountWeek(*view, out.org, friday, now);
    if (auto failed = view->failure()) return *failed;
  }
  auto movements = ReportMovements(e, who, out.org.code, FormatDate(out.figures.from), FormatDate(friday));
  if (!movements.ok()) return movements.error();
  auto timeliness = ReportTimeliness(e, who, out.org.code, FormatDate(friday).substr(0, 7));
  if (!timeliness.ok()) return timeliness.error();
  auto overdue = ReportOverdue(e, who, out.org.code);
  if (!overdue.ok()) return overdue.error();
  out.movements = std::move(movements.value());
  out.timeliness = std::move(timeliness.value());
  out.overdue = std::move(overdue.value());
  return out;
}

}  // namespace dixian::engine
