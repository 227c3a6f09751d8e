#include "engine/calendar/work_calendar.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

namespace dixian::engine {
namespace {

namespace fs = std::filesystem;

Instant At(const char* rfc3339) { return ParseRfc3339(rfc3339).value(); }
CivilDate Date(const char* s) { return ParseDate(s).value(); }
std::string Show(Instant t) { return FormatRfc3339(t); }

const WorkCalendar& Shipped() {
  static const WorkCalendar cal = [] {
    Result<WorkCalendar> r =
        WorkCalendar::LoadDirectory(std::string(DIXIAN_SOURCE_DIR) + "/config/calendar");
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r.value() : WorkCalendar();
  }();
  return cal;
}

nlohmann::json MinimalYear() {
  return nlohmann::json::parse(R"({
    "year": 2026, "source": "test",
    "holidays": [{"name": "春节", "dates": ["2026-02-16", "2026-02-17"]}],
    "workdays": [{"name": "春节调休", "dates": ["2026-02-14"]}]
  })");
}

// A fresh temp directory, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ =
        fs::temp_directory_path() / ("dixian_cal_" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  void Write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name) << text;
  }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
};

TEST(WorkCalendarTest, ShippedCalendarsLoad) {
  const WorkCalendar& cal = Shipped();
  EXPECT_TRUE(cal.Covers(2026));
  EXPECT_TRUE(cal.Covers(2027));
  EXPECT_FALSE(cal.IsProvisional(2026));
  EXPECT_TRUE(cal.IsProvisional(2027));
  EXPECT_EQ(cal.Years(), (std::vector<int>{2026, 2027}));
  EXPECT_EQ(cal.DayName(Date("2026-02-17")).value_or(""), "春节");
  EXPECT_EQ(cal.DayName(Date("2026-02-14")).value_or(""), "春节调休");
}

TEST(WorkCalendarTest, SpringFestival2026HolidaysAndMakeUpSaturdays) {
  const WorkCalendar& cal = Shipped();
  for (const char* d : {"2026-02-15", "2026-02-16", "2026-02-20", "2026-02-23"}) {
    EXPECT_FALSE(cal.IsWorkingDay(Date(d))) << d;
  }
  EXPECT_TRUE(cal.IsWorkingDay(Date("2026-02-14")));   // Saturday, 调休上班
  EXPECT_TRUE(cal.IsWorkingDay(Date("2026-02-28")));   // Saturday, 调休上班
  EXPECT_TRUE(cal.IsWorkingDay(Date("2026-02-24")));   // Tuesday after the break
  EXPECT_FALSE(cal.IsWorkingDay(Date("2026-03-07")));  // an ordinary Saturday
  EXPECT_TRUE(cal.IsWorkingDay(Date("2026-01-04")));   // Sunday, 元旦调休
}

TEST(WorkCalendarTest, TwoWorkingDaysAcrossSpringFestival) {
  const WorkCalendar& cal = Shipped();
  // Friday before the break: the make-up Saturday counts, then nine days off, then Tuesday.
  EXPECT_EQ(Show(cal.EndOfWorkingDays(At("2026-02-13T10:00:00+08:00"), 2)),
            "2026-02-25T00:00:00+08:00");
  // Thursday: Friday and the make-up Saturday.
  EXPECT_EQ(Show(cal.EndOfWorkingDays(At("2026-02-12T16:00:00+08:00"), 2)),
            "2026-02-15T00:00:00+08:00");
  // Started during the break.
  EXPECT_EQ(Show(cal.EndOfWorkingDays(At("2026-02-17T09:00:00+08:00"), 2)),
            "2026-02-26T00:00:00+08:00");
  // Late evening UTC that is already the next China day.
  EXPECT_EQ(Show(cal.EndOfWorkingDays(At("2026-02-12T17:30:00Z"), 1)),  // 2026-02-13 01:30 China
            "2026-02-15T00:00:00+08:00");
}

TEST(WorkCalendarTest, ZeroWorkingDays) {
  const WorkCalendar& cal = Shipped();
  EXPECT_EQ(Show(cal.EndOfWorkingDays(At("2026-02-13T10:00:00+08:00"), 0)),
            "2026-02-14T00:00:00+08:00");
  EXPECT_EQ(Show(cal.EndOfWorkingDays(At("2026-02-16T10:00:00+08:00"), 0)),
            "2026-02-25T00:00:00+08:00");
  EXPECT_EQ(Show(cal.EndOfWorkingDays(At("2026-02-14T10:00:00+08:00"), 0)),  // make-up Saturday
            "2026-02-15T00:00:00+08:00");
}

TEST(WorkCalendarTest, NationalDay2026) {
  const WorkCalendar& cal = Shipped();
  EXPECT_TRUE(cal.IsWorkingDay(Date("2026-09-20")));  // Sunday, 国庆节调休
  EXPECT_TRUE(cal.IsWorkingDay(Date("2026-10-10")));  // Saturday, 国庆节调休
  for (int day = 1; day <= 7; ++day) {
    EXPECT_FALSE(cal.IsWorkingDay({2026, 10, day})) << day;
  }
  EXPECT_EQ(Show(cal.EndOfWorkingDays(At("2026-09-30T17:00:00+08:00"), 1)),
            "2026-10-09T00:00:00+08:00");
  EXPECT_EQ(Show(cal.EndOfWorkingDays(At("2026-09-30T17:00:00+08:00"), 3)),
            "2026-10-11T00:00:00+08:00");  // Oct 8, Oct 9, make-up Saturday Oct 10
}

TEST(WorkCalendarTest, CalendarDaysIgnoreHolidays) {
  const WorkCalendar& cal = Shipped();
  const Instant t = At("2026-02-13T10:00:00+08:00");
  EXPECT_EQ(Show(cal.EndOfCalendarDays(t, 0)), "2026-02-14T00:00:00+08:00");
  EXPECT_EQ(Show(cal.EndOfCalendarDays(t, 10)), "2026-02-24T00:00:00+08:00");
  EXPECT_EQ(Show(cal.EndOfCalendarDays(At("2026-12-31T23:59:59+08:00"), 1)),
            "2027-01-02T00:00:00+08:00");
}

TEST(WorkCalendarTest, AddWorkingDaysKeepsClockTime) {
  const WorkCalendar& cal = Shipped();
  EXPECT_EQ(Show(cal.AddWorkingDaysKeepTime(At("2026-02-13T09:30:00+08:00"), 1)),
            "2026-02-14T09:30:00+08:00");
  EXPECT_EQ(Show(cal.AddWorkingDaysKeepTime(At("2026-02-13T09:30:00+08:00"), 2)),
            "2026-02-24T09:30:00+08:00");
  EXPECT_EQ(Show(cal.AddWorkingDaysKeepTime(At("2026-02-13T09:30:00+08:00"), 0)),
            "2026-02-13T09:30:00+08:00");
}

TEST(WorkCalendarTest, YearWithoutCalendarUsesWeekendsOnly) {
  const WorkCalendar& cal = Shipped();
  EXPECT_FALSE(cal.Covers(2030));
  EXPECT_TRUE(cal.IsWorkingDay(Date("2030-10-01")));   // Tuesday: no holiday known
  EXPECT_FALSE(cal.IsWorkingDay(Date("2030-10-05")));  // Saturday
  EXPECT_EQ(Show(cal.EndOfWorkingDays(At("2030-02-01T10:00:00+08:00"), 1)),  // Friday -> Monday
            "2030-02-05T00:00:00+08:00");
  const WorkCalendar empty;
  EXPECT_TRUE(empty.IsWorkingDay(Date("2026-02-17")));
  EXPECT_FALSE(empty.IsWorkingDay(Date("2026-02-14")));
}

TEST(WorkCalendarTest, MergeReplacesAYear) {
  WorkCalendar cal = Shipped();
  Result<WorkCalendar> small = WorkCalendar::FromJson(MinimalYear(), "small");
  ASSERT_TRUE(small.ok()) << small.error().message;
  cal.Merge(*small);
  EXPECT_TRUE(cal.IsWorkingDay(Date("2026-02-18")));  // no longer a holiday in the merged year
  EXPECT_TRUE(cal.Covers(2027));
}

void ExpectRefused(const nlohmann::json& doc, const std::string& field) {
  Result<WorkCalendar> r = WorkCalendar::FromJson(doc, "cal/2026.json");
  ASSERT_FALSE(r.ok()) << field;
  EXPECT_EQ(r.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(r.error().slug, "bad_calendar");
  EXPECT_NE(r.error().message.find("cal/2026.json"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find(field), std::string::npos) << r.error().message;
}

TEST(WorkCalendarTest, BadDocumentsAreRefusedNamingFileAndField) {
  nlohmann::json doc = MinimalYear();
  doc["holidays"][0]["dates"][1] = "2026-02-30";
  ExpectRefused(doc, "holidays[0].dates[1]");

  doc = MinimalYear();
  doc["holidays"][0]["dates"][0] = "2025-12-31";
  ExpectRefused(doc, "holidays[0].dates[0]");

  doc = MinimalYear();
  doc["workdays"][0]["dates"][0] = "2026-02-16";  // also a holiday
  ExpectRefused(doc, "workdays");

  doc = MinimalYear();
  doc["workdays"][0]["dates"][0] = "2026-02-13";  // a Friday cannot be a make-up day
  ExpectRefused(doc, "workdays");

  doc = MinimalYear();
  doc.erase("year");
  ExpectRefused(doc, "year");

  doc = MinimalYear();
  doc["source"] = "";
  ExpectRefused(doc, "source");

  doc = MinimalYear();
  doc["holidays"][0].erase("name");
  ExpectRefused(doc, "holidays[0].name");

  doc = MinimalYear();
  doc["provisional"] = "yes";
  ExpectRefused(doc, "provisional");
}

TEST(WorkCalendarTest, LoadDirectoryRefusesBadFiles) {
  {
    TempDir dir;
    dir.Write("2026.json", "{ not json");
    Result<WorkCalendar> r = WorkCalendar::LoadDirectory(dir.str());
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("2026.json"), std::string::npos) << r.error().message;
  }
  {
    TempDir dir;
    dir.Write("a.json", MinimalYear().dump());
    dir.Write("b.json", MinimalYear().dump());
    dir.Write("README.txt", "ignored");
    Result<WorkCalendar> r = WorkCalendar::LoadDirectory(dir.str());
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("b.json"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("year"), std::string::npos) << r.error().message;
  }
  {
    TempDir dir;
    nlohmann::json doc = MinimalYear();
    doc["workdays"][0]["dates"][0] = "14/02/2026";
    dir.Write("2026.json", doc.dump());
    Result<WorkCalendar> r = WorkCalendar::LoadDirectory(dir.str());
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("2026.json"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("workdays[0].dates[0]"), std::string::npos);
  }
  EXPECT_FALSE(WorkCalendar::LoadDirectory("/nonexistent/dixian/calendar").ok());
  {
    TempDir dir;
    Result<WorkCalendar> r = WorkCalendar::LoadDirectory(dir.str());
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->Years().empty());
  }
}

}  // namespace
}  // namespace dixian::engine
