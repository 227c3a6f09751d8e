#pragma once
// Engine time: whole seconds since the Unix epoch (UTC). Calendars and output use China time
// (UTC+08:00, no daylight saving), because deadlines are counted in Chinese days.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dixian::engine {

using Instant = std::int64_t;
constexpr Instant kChinaOffsetSeconds = 8 * 3600;
constexpr Instant kDaySeconds = 86400;

struct CivilDate {
  int year = 1970;
  int month = 1;
  int day = 1;
  auto operator<=>(const CivilDate&) const = default;
};

std::int64_t DaysFromCivil(CivilDate d);  // days since 1970-01-01
CivilDate CivilFromDays(std::int64_t days);
int Weekday(CivilDate d);  // 0 = Sunday ... 6 = Saturday

CivilDate ChinaDate(Instant t);
Instant ChinaMidnight(CivilDate d);  // 00:00 China time of that date
Instant EndOfChinaDay(Instant t);    // the midnight that ends t's China day

std::string FormatDate(CivilDate d);  // 2026-02-14
std::optional<CivilDate> ParseDate(std::string_view s);
std::string FormatRfc3339(Instant t);  // 2026-02-14T09:30:00+08:00
std::optional<Instant> ParseRfc3339(std::string_view s);  // accepts Z or ±hh:mm offsets

}  // namespace dixian::engine
