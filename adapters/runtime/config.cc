#include "adapters/runtime/config.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace dixian::runtime {

namespace fs = std::filesystem;

Paths ResolvePaths(const std::string& config) {
  Paths p;
  if (!config.empty()) p.config_dir = config;
  else if (fs::exists("config/calendar")) p.config_dir = "config";
  else p.config_dir = std::string(DIXIAN_SOURCE_DIR) + "/config";
  const fs::path root = fs::absolute(p.config_dir).lexically_normal().parent_path();
  p.workflows_dir = fs::exists(fs::path(p.config_dir) / "workflows") ? (fs::path(p.config_dir) / "workflows").string()
                                                                       : (root / "workflows").string();
  // The console as the build assembled it next to the binary (build/web: compressed, with the
  // chart library), else the source tree's web/ as it is.
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  const fs::path built = exe.parent_path() / "web";
  p.web_dir = !ec && fs::exists(built / "index.html") ? built.string() : (root / "web").string();
  return p;
}

LoadedConfig LoadConfig(const Paths& paths) {
  if (!fs::is_directory(paths.config_dir))
    throw std::runtime_error("配置目录不存在 (config directory not found): " + paths.config_dir);
  auto workflows = engine::WorkflowRegistry::LoadDirectory(paths.workflows_dir);
  if (!workflows.ok()) throw std::runtime_error(workflows.error().message);
  auto calendar = engine::WorkCalendar::LoadDirectory(paths.config_dir + "/calendar");
  if (!calendar.ok()) throw std::runtime_error(calendar.error().message);
  engine::Thresholds thresholds;
  const std::string tpath = paths.config_dir + "/thresholds.json";
  if (fs::exists(tpath)) {
    std::ifstream in(tpath);
    auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw std::runtime_error(tpath + ": not a JSON object");
    thresholds.income_line = j.value("income_line", thresholds.income_line);
    thresholds.rigid_spending_ratio = j.value("rigid_spending_ratio", thresholds.rigid_spending_ratio);
    thresholds.income_drop_ratio = j.value("income_drop_ratio", thresholds.income_drop_ratio);
  }
  LoadedConfig out{std::move(workflows.value()), std::move(calendar.value()), thresholds};
  const std::string spath = paths.config_dir + "/schedules.json";
  if (fs::exists(spath)) {
    std::ifstream in(spath);
    auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw std::runtime_error(spath + ": not a JSON object");
    auto hour = [&](const char* key, int fallback) {
      const auto it = j.find(key);
      if (it == j.end()) return fallback;
      if (!it->is_number_integer() || it->get<int>() < 0 || it->get<int>() > 23)
        throw std::runtime_error(spath + ": " + key + " 应为 0 到 23 的整数（北京时间的小时）");
      return it->get<int>();
    };
    out.digest_hour = hour("digest_hour", out.digest_hour);
    out.weekly_report_hour = hour("weekly_report_hour", out.weekly_report_hour);
  }
  return out;
}

std::pair<std::string, unsigned short> ParseListen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) throw std::runtime_error("--listen 应为 HOST:PORT，例如 127.0.0.1:8080");
  const std::string host = listen.substr(0, colon);
  int port = -1;
  try {
    port = std::stoi(listen.substr(colon + 1));
  } catch (...) {
  }
  if (port < 0 || port > 65535) throw std::runtime_error("--listen 端口不正确 (bad port): " + listen);
  return {host, static_cast<unsigned short>(port)};
}

}  // namespace dixian::runtime
