// The weekly progress report (每周进展, seed 004: 每周五): every Friday at the configured hour
// (China time) each county's own channels get the week's figures and a link to the workbook.
// The schedule row moves on in the transaction that queues the messages: once per week, across
// restarts and crashes.
#include "engine/commands/reports.h"
#include "engine/core/time.h"
#include "engine/engine_tx.h"

namespace dixian::engine {

namespace {

constexpr const char* kWeeklySchedule = "weekly_report";

// The first Friday `hour`:00 China time after `now`.
Instant NextWeeklyTime(Instant now, int hour) {
  CivilDate day = WeekEnding(ChinaDate(now));
  Instant at = ChinaMidnight(day) + static_cast<Instant>(hour) * 3600;
  if (at <= now) at = ChinaMidnight(CivilFromDays(DaysFromCivil(day) + 7)) + hour * 3600LL;
  return at;
}

// Counties under `code` (the whole tree from ""), walking down provinces and cities.
void CollectCounties(WriteTx& tx, const std::string& code, std::vector<Org>& out) {
  for (auto& org : tx.ChildOrgs(code)) {
    if (org.level == OrgLevel::kCounty) out.push_back(std::move(org));
    else if (org.level == OrgLevel::kProvince || org.level == OrgLevel::kCity)
      CollectCounties(tx, org.code, out);
  }
}

}  // namespace

int EngineTx::RunWeeklyReportIfDue() {
  const int hour = e_.options_.weekly_report_hour;
  const auto next = tx_.ScheduleNext(kWeeklySchedule);
  if (!next) {
    tx_.SetScheduleNext(kWeeklySchedule, NextWeeklyTime(now_, hour));
    return 0;
  }
  if (*next > now_) return 0;
  const CivilDate friday = ChinaDate(*next);  // the week the schedule was for, even if late
  std::vector<Org> counties;
  CollectCounties(tx_, "", counties);
  int sent = 0;
  for (const auto& county : counties) {
    auto channels = ChannelsOf(county.code);
    if (const auto& person_platform = e_.options_.channel_kinds.person_platform)
      std::erase_if(channels, [&](const Channel& c) { return !person_platform(c.kind).empty(); });
    if (channels.empty()) continue;
    NoticeFacts facts;
    facts.org = county.code;
    facts.period = FormatDate(friday);
    facts.text = WeeklyText(county, CountWeek(tx_, county, friday, now_));
    QueueNotice(channels, NoticeKind::kWeeklyReport, false, std::move(facts));
    sent += static_cast<int>(channels.size());
  }
  tx_.SetScheduleNext(kWeeklySchedule, NextWeeklyTime(now_, hour));
  return sent;
}

}  // namespace dixian::engine
