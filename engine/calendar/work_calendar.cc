#include "engine/calendar/work_calendar.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace dixian::engine {
namespace {

constexpr int kMinYear = 2000;
constexpr int kMaxYear = 2100;

Error CalendarError(const std::string& source, const std::string& field, const std::string& why) {
  std::string msg = "工作日历文件 " + source;
  if (!field.empty()) msg += " 的字段 " + field;
  return Error::Unprocessable("bad_calendar", msg + ": " + why);
}

bool IsWeekend(CivilDate d) {
  const int w = Weekday(d);
  return w == 0 || w == 6;
}

// Reads "holidays" or "workdays": [{"name": "...", "dates": ["YYYY-MM-DD", ...]}, ...] into out.
Status ReadGroups(const nlohmann::json& doc, const char* key, int year, const std::string& source,
                  std::map<std::int64_t, std::string>& out) {
  if (!doc.contains(key)) return OkStatus();  // a year may have no make-up days
  const nlohmann::json& groups = doc.at(key);
  if (!groups.is_array()) return CalendarError(source, key, "应为数组");
  for (size_t i = 0; i < groups.size(); ++i) {
    const std::string field = std::string(key) + "[" + std::to_string(i) + "]";
    const nlohmann::json& g = groups[i];
    if (!g.is_object()) return CalendarError(source, field, "应为对象 {\"name\",\"dates\"}");
    if (!g.contains("name") || !g["name"].is_string() || g["name"].get<std::string>().empty()) {
      return CalendarError(source, field + ".name", "缺少名称或不是字符串");
    }
    if (!g.contains("dates") || !g["dates"].is_array()) {
      return CalendarError(source, field + ".dates", "缺少日期数组");
    }
    const std::string name = g["name"].get<std::string>();
    const nlohmann::json& dates = g["dates"];
    for (size_t j = 0; j < dates.size(); ++j) {
      const std::string dfield = field + ".dates[" + std::to_string(j) + "]";
      if (!dates[j].is_string()) return CalendarError(source, dfield, "日期应为字符串 YYYY-MM-DD");
      const std::string text = dates[j].get<std::string>();
      const std::optional<CivilDate> d = ParseDate(text);
      if (!d) return CalendarError(source, dfield, "\"" + text + "\" 不是有效日期 (YYYY-MM-DD)");
      if (d->year != year) {
        return CalendarError(source, dfield,
                             "日期 " + text + " 不属于 " + std::to_string(year) + " 年");
      }
      if (!out.emplace(DaysFromCivil(*d), name).second) {
        return CalendarError(source, dfield, "日期 " + text + " 重复");
      }
    }
  }
  return OkStatus();
}

Result<nlohmann::json> ReadJsonFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return CalendarError(path.string(), "", "无法读取");
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return CalendarError(path.string(), "", "不是有效的 JSON");
  return doc;
}

}  // namespace

Result<WorkCalendar> WorkCalendar::FromJson(const nlohmann::json& doc, const std::string& source) {
  if (!doc.is_object()) return CalendarError(source, "", "顶层应为 JSON 对象");
  if (!doc.contains("year") || !doc["year"].is_number_integer()) {
    return CalendarError(source, "year", "缺少年份或不是整数");
  }
  const int year = doc["year"].get<int>();
  if (year < kMinYear || year > kMaxYear) {
    return CalendarError(source, "year", "年份 " + std::to_string(year) + " 超出范围");
  }
  Year y;
  if (!doc.contains("source") || !doc["source"].is_string() ||
      doc["source"].get<std::string>().empty()) {
    return CalendarError(source, "source", "缺少出处（发布通知的名称）");
  }
  y.source = doc["source"].get<std::string>();
  if (doc.contains("provisional")) {
    if (!doc["provisional"].is_boolean())
      return CalendarError(source, "provisional", "应为 true 或 false");
    y.provisional = doc["provisional"].get<bool>();
  }
  if (!doc.contains("holidays")) return CalendarError(source, "holidays", "缺少放假日期");
  if (Status s = ReadGroups(doc, "holidays", year, source, y.holidays); !s) return s.error();
  if (Status s = ReadGroups(doc, "workdays", year, source, y.workdays); !s) return s.error();
  for (const auto& [day, name] : y.workdays) {
    const CivilDate d = CivilFromDays(day);
    if (y.holidays.contains(day)) {
      return CalendarError(source, "workdays",
                           FormatDate(d) + " 既是放假日又是调休上班日（" + name + "）");
    }
    if (!IsWeekend(d)) {
      return CalendarError(source, "workdays",
                           FormatDate(d) + " 不是周六或周日，不能作为调休上班日（" + name + "）");
    }
  }
  WorkCalendar cal;
  cal.years_.emplace(year, std::move(y));
  return cal;
}

Result<WorkCalendar> WorkCalendar::LoadDirectory(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return CalendarError(dir, "", "目录不存在");
  std::vector<fs::path> files;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  }
  if (ec) return CalendarError(dir, "", "无法列出目录: " + ec.message());
  std::sort(files.begin(), files.end());
  WorkCalendar all;
  for (const fs::path& path : files) {
    Result<nlohmann::json> doc = ReadJsonFile(path);
    if (!doc) return doc.error();
    Result<WorkCalendar> one = FromJson(*doc, path.string());
    if (!one) return one.error();
    for (const auto& [year, unused] : one->years_) {
      if (all.years_.contains(year)) {
        return CalendarError(path.string(), "year", std::to_string(year) + " 年已由另一个文件定义");
      }
    }
    all.Merge(*one);
  }
  return all;
}

void WorkCalendar::Merge(const WorkCalendar& other) {
  for (const auto& [year, y] : other.years_) years_[year] = y;
}

bool WorkCalendar::Covers(int year) const { return years_.contains(year); }

bool WorkCalendar::IsProvisional(int year) const {
  const auto it = years_.find(year);
  return it != years_.end() && it->second.provisional;
}

std::vector<int> WorkCalendar::Years() const {
  std::vector<int> out;
  for (const auto& [year, unused] : years_) out.push_back(year);
  return out;
}

bool WorkCalendar::IsWorkingDayNumber(std::int64_t day) const {
  const CivilDate d = CivilFromDays(day);
  const auto it = years_.find(d.year);
  if (it != years_.end()) {
    if (it->second.workdays.contains(day)) return true;
    if (it->second.holidays.contains(day)) return false;
  }
  return !IsWeekend(d);
}

bool WorkCalendar::IsWorkingDay(CivilDate d) const { return IsWorkingDayNumber(DaysFromCivil(d)); }

std::optional<std::string> WorkCalendar::DayName(CivilDate d) const {
  const auto it = years_.find(d.year);
  if (it == years_.end()) return std::nullopt;
  const std::int64_t day = DaysFromCivil(d);
  if (auto h = it->second.holidays.find(day); h != it->second.holidays.end()) return h->second;
  if (auto w = it->second.workdays.find(day); w != it->second.workdays.end()) return w->second;
  return std::nullopt;
}

std::int64_t WorkCalendar::NthWorkingDayAfter(std::int64_t day, int n) const {
  // Terminates: holidays are finite and every week outside them has five working days.
  while (n > 0) {
    ++day;
    if (IsWorkingDayNumber(day)) --n;
  }
  return day;
}

Instant WorkCalendar::EndOfCalendarDays(Instant t, int n) const {
  const std::int64_t day = DaysFromCivil(ChinaDate(t));
  return ChinaMidnight(CivilFromDays(day + std::max(n, 0) + 1));
}

Instant WorkCalendar::EndOfWorkingDays(Instant t, int n) const {
  std::int64_t day = DaysFromCivil(ChinaDate(t));
  if (n <= 0) {
    if (!IsWorkingDayNumber(day)) day = NthWorkingDayAfter(day, 1);
  } else {
    day = NthWorkingDayAfter(day, n);
  }
  return ChinaMidnight(CivilFromDays(day + 1));
}

Instant WorkCalendar::AddWorkingDaysKeepTime(Instant t, int n) const {
  if (n <= 0) return t;
  const CivilDate d = ChinaDate(t);
  const Instant time_of_day = t - ChinaMidnight(d);
  return ChinaMidnight(CivilFromDays(NthWorkingDayAfter(DaysFromCivil(d), n))) + time_of_day;
}

}  // namespace dixian::engine
