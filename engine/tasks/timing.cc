#include "engine/tasks/timing.h"

#include <algorithm>
#include <cstdio>

namespace dixian::engine {

NoticeKind NoticeOf(FirePoint::Kind kind) {
  switch (kind) {
    case FirePoint::Kind::kReminder: return NoticeKind::kReminder;
    case FirePoint::Kind::kOverdue: return NoticeKind::kOverdue;
    case FirePoint::Kind::kEscalation: return NoticeKind::kEscalation;
    case FirePoint::Kind::kPeriodEnd: return NoticeKind::kNewTask;  // not a notice: the case moves on
  }
  return NoticeKind::kReminder;
}

Instant DueTime(const DurationSpec& d, Instant start, const WorkCalendar& calendar) {
  switch (d.unit) {
    case DurationSpec::Unit::kHours: return start + static_cast<Instant>(d.amount) * 3600;
    case DurationSpec::Unit::kDays: return calendar.EndOfCalendarDays(start, d.amount);
    case DurationSpec::Unit::kWorkingDays: return calendar.EndOfWorkingDays(start, d.amount);
    case DurationSpec::Unit::kPercent: return start;
  }
  return start;
}

static Instant Offset(const DurationSpec& d, Instant created, Instant due, const WorkCalendar& cal) {
  const int n = d.amount;
  switch (d.unit) {
    case DurationSpec::Unit::kPercent: return due + (due - created) * n / 100;
    case DurationSpec::Unit::kHours: return due + static_cast<Instant>(n) * 3600;
    case DurationSpec::Unit::kDays: return due + static_cast<Instant>(n) * kDaySeconds;
    case DurationSpec::Unit::kWorkingDays:
      return n >= 0 ? cal.AddWorkingDaysKeepTime(due, n) : due + static_cast<Instant>(n) * kDaySeconds;
  }
  return due;
}

std::vector<FirePoint> FirePoints(const Timing& timing, Instant created, Instant due,
                                  const WorkCalendar& calendar) {
  if (timing.ends_itself) return {{due, FirePoint::Kind::kPeriodEnd, 0}};
  std::vector<FirePoint> points;
  for (const auto& r : timing.reminders) {
    const Instant at = Offset(r, created, due, calendar);
    if (at <= created) continue;
    points.push_back({at, at >= due ? FirePoint::Kind::kOverdue : FirePoint::Kind::kReminder, 0});
  }
  for (const auto& rung : timing.escalation) {
    const Instant at = Offset(rung.after, created, due, calendar);
    points.push_back({at, rung.up == 0 ? FirePoint::Kind::kOverdue : FirePoint::Kind::kEscalation, rung.up});
  }
  std::stable_sort(points.begin(), points.end(), [](const FirePoint& a, const FirePoint& b) { return a.at < b.at; });
  // One overdue notice at the due time even if both a "0" reminder and a "0" rung ask for it.
  points.erase(std::unique(points.begin(), points.end(),
                           [](const FirePoint& a, const FirePoint& b) {
                             return a.at == b.at && a.kind == b.kind && a.up == b.up;
                           }),
               points.end());
  return points;
}

std::string PeriodOf(const std::string& recurrence, Instant t) {
  const CivilDate d = ChinaDate(t);
  char buf[32];
  if (recurrence == "quarterly") std::snprintf(buf, sizeof buf, "%04d-Q%d", d.year, (d.month - 1) / 3 + 1);
  else std::snprintf(buf, sizeof buf, "%04d-%02d", d.year, d.month);
  return buf;
}

static CivilDate PeriodStart(const std::string& recurrence, const std::string& period) {
  const int year = std::stoi(period.substr(0, 4));
  if (recurrence == "quarterly") return {year, (std::stoi(period.substr(6)) - 1) * 3 + 1, 1};
  return {year, std::stoi(period.substr(5, 2)), 1};
}

static CivilDate AddMonths(CivilDate d, int months) {
  const int index = d.year * 12 + (d.month - 1) + months;
  return {index / 12, index % 12 + 1, 1};
}

Instant PeriodEnd(const std::string& recurrence, const std::string& period) {
  const int months = recurrence == "quarterly" ? 3 : 1;
  return ChinaMidnight(AddMonths(PeriodStart(recurrence, period), months));
}

std::string NextPeriod(const std::string& recurrence, const std::string& period) {
  return PeriodOf(recurrence, PeriodEnd(recurrence, period));
}

}  // namespace dixian::engine
