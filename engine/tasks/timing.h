#pragma once
// Deadlines, reminders and escalation rungs of one task, computed from its definition. The task
// row stores only the next point to fire (next_fire_at, fire_index): firing a point and moving to
// the next commit together, so no point fires twice.
#include <optional>
#include <string>
#include <vector>

#include "engine/calendar/work_calendar.h"
#include "engine/workflow/definition.h"

namespace dixian::engine {

struct FirePoint {
  enum class Kind { kReminder, kOverdue, kEscalation, kPeriodEnd /* a notice state ends */ };
  Instant at = 0;
  Kind kind = Kind::kReminder;
  int up = 0;  // escalation: levels above the acting org
};

NoticeKind NoticeOf(FirePoint::Kind kind);  // reminder | overdue | escalation

// The due time of a step entered at `start`. Days count to the end of the China day.
Instant DueTime(const DurationSpec& deadline, Instant start, const WorkCalendar& calendar);

// Visits: the period ("2026-03" / "2026-Q1") containing t, and the instant that period ends.
std::string PeriodOf(const std::string& recurrence, Instant t);
Instant PeriodEnd(const std::string& recurrence, const std::string& period);
std::string NextPeriod(const std::string& recurrence, const std::string& period);

// Every point in time order. Reminders already past at `created` are dropped. A state that ends
// by itself (a notice) has one point: its end, at the due time.
std::vector<FirePoint> FirePoints(const Timing& timing, Instant created, Instant due,
                                  const WorkCalendar& calendar);

}  // namespace dixian::engine
