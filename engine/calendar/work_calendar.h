#pragma once
// The working-day calendar (工作日): which China-time dates are working days, and deadline
// arithmetic in calendar days and working days.
//
// A date is a working day unless it is a holiday (休) of a loaded year, or a Saturday/Sunday that
// the year's official notice does not make a make-up working day (调休上班). Years without a
// loaded calendar fall back to the weekends-only rule (Monday to Friday work, no holidays); use
// Covers() to warn about that.
//
// One JSON file per year (config/calendar/2026.json):
//   {"year":2026,"source":"...","provisional":false,
//    "holidays":[{"name":"春节","dates":["2026-02-15",...]}],
//    "workdays":[{"name":"春节调休","dates":["2026-02-14",...]}]}
// Loading refuses a file whose dates do not parse or lie outside its year, a date that is both a
// holiday and a workday, and a make-up workday that is not a Saturday or Sunday; the error names
// the file and the field.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "engine/core/error.h"
#include "engine/core/time.h"

namespace dixian::engine {

class WorkCalendar {
 public:
  // An empty calendar: weekends-only for every year.
  WorkCalendar() = default;

  // Reads every *.json file in dir (in name order). Two files for the same year are refused.
  // A missing or unreadable dir, a file that is not JSON, or a bad field -> kUnprocessable
  // ("bad_calendar") with the file and the field in the message.
  static Result<WorkCalendar> LoadDirectory(const std::string& dir);

  // One year document; source_name is used in error messages (usually the file path).
  static Result<WorkCalendar> FromJson(const nlohmann::json& year_doc,
                                       const std::string& source_name);

  // Adds other's years; a year present in both is replaced by other's.
  void Merge(const WorkCalendar& other);

  // True when an official (or provisional) calendar is loaded for that year.
  bool Covers(int year) const;
  // True when the loaded calendar for that year is marked "provisional".
  bool IsProvisional(int year) const;
  // Years with a loaded calendar, ascending.
  std::vector<int> Years() const;

  // Weekend rule + holidays (休) + make-up working days (调休上班).
  bool IsWorkingDay(CivilDate d) const;
  // The holiday or make-up day name for that date ("春节", "国庆节调休"), if any.
  std::optional<std::string> DayName(CivilDate d) const;

  // The midnight (China time) ending the n-th day after t's day; n = 0 is the end of t's day.
  Instant EndOfCalendarDays(Instant t, int n) const;
  // n >= 1: the midnight ending the n-th working day strictly after t's day.
  // n <= 0: the end of t's day if it is a working day, else the end of the next working day.
  Instant EndOfWorkingDays(Instant t, int n) const;
  // The same China clock time, n working days after t's day (n <= 0 returns t unchanged).
  Instant AddWorkingDaysKeepTime(Instant t, int n) const;

 private:
  struct Year {
    std::string source;
    bool provisional = false;
    std::map<std::int64_t, std::string> holidays;  // days since epoch -> name
    std::map<std::int64_t, std::string> workdays;
  };

  // Days since epoch of the n-th working day strictly after `day` (n >= 1).
  std::int64_t NthWorkingDayAfter(std::int64_t day, int n) const;
  bool IsWorkingDayNumber(std::int64_t day) const;

  std::map<int, Year> years_;
};

}  // namespace dixian::engine
