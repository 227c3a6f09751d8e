#pragma once
// Start-up configuration: where the config, workflows and web console live, and loading them.
// Exceptions are allowed here (start-up only); each names the file and what is wrong.
#include <optional>
#include <string>

#include "engine/calendar/work_calendar.h"
#include "engine/engine.h"
#include "engine/workflow/loader.h"

namespace dixian::runtime {

struct Paths {
  std::string config_dir;     // config/ (calendar/, templates.json, thresholds.json)
  std::string workflows_dir;  // <config>/workflows if present, else <config>/../workflows
  std::string web_dir;        // web/ beside the binary (the build's), else <config>/../web
};

// `config` empty = the shipped config/ (./config, else the source tree's).
Paths ResolvePaths(const std::string& config);

struct LoadedConfig {
  engine::WorkflowRegistry workflows;
  engine::WorkCalendar calendar;
  engine::Thresholds thresholds;
  // config/schedules.json: hours (China time, 0-23) of the daily digest and of Fridays' weekly
  // report.
  int digest_hour = 8;
  int weekly_report_hour = 17;
};

// Throws std::runtime_error naming the file on any invalid definition or calendar.
LoadedConfig LoadConfig(const Paths& paths);

// "127.0.0.1:8080" -> host, port; throws on a bad value.
std::pair<std::string, unsigned short> ParseListen(const std::string& listen);

}  // namespace dixian::runtime
