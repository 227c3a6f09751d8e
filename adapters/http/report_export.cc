#include "adapters/http/report_export.h"

#include "engine/core/csv.h"

#include <unistd.h>
#include <xlsxwriter.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/core/fields.h"
#include "engine/core/time.h"
#include "engine/model/enums.h"

namespace dixian::http {

using engine::Label;

namespace {

ExportCell Text(std::string s) { return {std::move(s), std::nullopt}; }
ExportCell Num(double n) { return {"", n}; }

template <class E>
std::string LabelOf(const std::string& name) {
  auto v = engine::Parse<E>(name);
  return v ? Label(*v) : name;
}

std::string NumberText(double n) {
  if (std::floor(n) == n && std::fabs(n) < 1e15) return std::to_string(static_cast<std::int64_t>(n));
  std::ostringstream out;
  out.precision(6);
  out << n;
  return out.str();
}

std::string CsvField(const ExportCell& cell) {
  if (cell.number) return NumberText(*cell.number);
  std::string text = SpreadsheetText(cell.text);
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

ExportTable CountTable(std::string title, std::string key_heading, const std::vector<engine::CountRow>& rows,
                       std::string (*label)(const std::string&)) {
  ExportTable t{std::move(title), {std::move(key_heading), "户数", "人数"}, {18, 10, 10}, {}};
  for (const auto& r : rows)
    t.rows.push_back({Text(label(r.key)), Num(static_cast<double>(r.households)), Num(static_cast<double>(r.persons))});
  return t;
}

}  // namespace

// The one place a text cell is made safe (CSV and xlsx alike).
// TODO(reports): call engine::NeutraliseCell (security branch) once it is on main.
std::string SpreadsheetText(std::string_view text) { return engine::NeutraliseCell(text); }

std::vector<ExportTable> TablesOf(const engine::MonitoringReport& r) {
  std::vector<ExportTable> out;
  out.push_back(CountTable("按监测类型", "监测类型", r.by_type, &LabelOf<engine::MonitoringType>));
  out.push_back(CountTable("按监测状态", "监测状态", r.by_status, &LabelOf<engine::MonitoringStatus>));
  ExportTable cause{"类型×主要风险", {"监测类型", "主要风险", "户数", "人数"}, {18, 18, 10, 10}, {}};
  for (const auto& x : r.by_type_cause)
    cause.rows.push_back({Text(LabelOf<engine::MonitoringType>(x.key)), Text(LabelOf<engine::Cause>(x.key2)),
                          Num(static_cast<double>(x.households)), Num(static_cast<double>(x.persons))});
  out.push_back(std::move(cause));
  ExportTable status{"类型×状态", {"监测类型", "监测状态", "户数", "人数"}, {18, 14, 10, 10}, {}};
  for (const auto& x : r.by_type_status)
    status.rows.push_back({Text(LabelOf<engine::MonitoringType>(x.key)), Text(LabelOf<engine::MonitoringStatus>(x.key2)),
                           Num(static_cast<double>(x.households)), Num(static_cast<double>(x.persons))});
  out.push_back(std::move(status));
  ExportTable measures{"帮扶措施", {"措施类别", "措施条数", "覆盖户数"}, {18, 12, 12}, {}};
  for (const auto& m : r.measures)
    measures.rows.push_back({Text(engine::MeasureLabel(m.kind)), Num(static_cast<double>(m.count)),
                             Num(static_cast<double>(m.households))});
  out.push_back(std::move(measures));
  return out;
}

std::vector<ExportTable> TablesOf(const engine::OverdueReport& r) {
  std::vector<ExportTable> out;
  ExportTable orgs{"按单位", {"单位", "在办事项", "逾期事项", "最长逾期天数"}, {20, 12, 12, 14}, {}};
  for (const auto& x : r.by_org)
    orgs.rows.push_back({Text(x.org_name), Num(static_cast<double>(x.open)), Num(static_cast<double>(x.overdue)),
                         Num(static_cast<double>(x.max_days_late))});
  out.push_back(std::move(orgs));
  ExportTable people{"按责任人", {"责任人", "单位", "在办事项", "逾期事项", "最长逾期天数"}, {24, 20, 12, 12, 14}, {}};
  for (const auto& x : r.by_assignee)
    people.rows.push_back({Text(x.name), Text(x.org_name), Num(static_cast<double>(x.open)),
                           Num(static_cast<double>(x.overdue)), Num(static_cast<double>(x.max_days_late))});
  out.push_back(std::move(people));
  ExportTable late{"逾期事项", {"户编号", "户主", "环节", "单位", "截止时间", "逾期天数"}, {16, 12, 28, 20, 22, 10}, {}};
  for (const auto& x : r.tasks)
    late.rows.push_back({Text(x.task.household), Text(x.head_name), Text(x.step_label), Text(x.org_name),
                         Text(engine::FormatRfc3339(x.task.due_at)), Num(static_cast<double>(x.days_late))});
  out.push_back(std::move(late));
  return out;
}

std::vector<ExportTable> TablesOf(const engine::MovementsReport& r) {
  ExportTable t{"变动情况", {"变动类别", "细分", "户数", "人数"}, {18, 22, 10, 10}, {}};
  for (const auto& k : r.kinds) {
    t.rows.push_back({Text(Label(k.kind)), Text("合计"), Num(static_cast<double>(k.households)),
                      Num(static_cast<double>(k.persons))});
    for (const auto& d : k.by)
      t.rows.push_back({Text(Label(k.kind)), Text(d.label), Num(static_cast<double>(d.households)),
                        Num(static_cast<double>(d.persons))});
  }
  return {std::move(t)};
}

std::vector<ExportTable> TablesOf(const engine::TimelinessReport& r) {
  ExportTable t{"措施与走访" + r.month,
                {"单位", "纳入满10日户数", "10日内落实措施户数", "措施10日内落实率", "风险未消除户数", "本月已走访户数", "月度走访率"},
                {20, 16, 20, 18, 16, 16, 12},
                {}};
  auto row = [](const engine::TimelinessRow& x) {
    return std::vector<ExportCell>{Text(x.org_name), Num(double(x.admitted)), Num(double(x.measured_in_time)),
                                   Num(x.measures_rate()), Num(double(x.active)), Num(double(x.visited)),
                                   Num(x.visit_rate())};
  };
  for (const auto& x : r.rows) t.rows.push_back(row(x));
  auto total = row(r.total);
  total[0] = Text("合计（" + r.total.org_name + "）");
  t.rows.push_back(std::move(total));
  return {std::move(t)};
}

std::string ToCsv(const std::vector<ExportTable>& tables) {
  std::string out = "\xEF\xBB\xBF";
  bool first = true;
  for (const auto& t : tables) {
    if (!first) out += "\r\n";
    first = false;
    out += CsvField(Text(t.title)) + "\r\n";
    for (size_t i = 0; i < t.headings.size(); ++i) out += (i ? "," : "") + CsvField(Text(t.headings[i]));
    out += "\r\n";
    for (const auto& row : t.rows) {
      for (size_t i = 0; i < row.size(); ++i) out += (i ? "," : "") + CsvField(row[i]);
      out += "\r\n";
    }
  }
  return out;
}

engine::Result<std::string> ToXlsx(const std::vector<ExportTable>& tables) {
  std::string path = (std::filesystem::temp_directory_path() / "dixian-report-XXXXXX").string();
  const int fd = mkstemp(path.data());
  if (fd < 0) return engine::Error::Internal("无法创建临时文件");
  close(fd);
  lxw_workbook* wb = workbook_new(path.c_str());
  if (!wb) {
    std::remove(path.c_str());
    return engine::Error::Internal("无法生成工作簿");
  }
  lxw_format* heading = workbook_add_format(wb);
  format_set_bold(heading);
  format_set_bg_color(heading, 0xDDEBF7);
  format_set_border(heading, LXW_BORDER_THIN);
  for (const auto& t : tables) {
    lxw_worksheet* ws = workbook_add_worksheet(wb, t.title.c_str());
    if (!ws) continue;
    for (size_t c = 0; c < t.headings.size(); ++c) {
      const double width = c < t.widths.size() ? t.widths[c] : 12;
      worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), width, nullptr);
      worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), SpreadsheetText(t.headings[c]).c_str(), heading);
    }
    worksheet_freeze_panes(ws, 1, 0);
    for (size_t r = 0; r < t.rows.size(); ++r)
      for (size_t c = 0; c < t.rows[r].size(); ++c) {
        const auto& cell = t.rows[r][c];
        const auto row = static_cast<lxw_row_t>(r + 1);
        const auto col = static_cast<lxw_col_t>(c);
        if (cell.number) worksheet_write_number(ws, row, col, *cell.number, nullptr);
        else worksheet_write_string(ws, row, col, SpreadsheetText(cell.text).c_str(), nullptr);
      }
  }
  const lxw_error err = workbook_close(wb);
  std::string bytes;
  if (err == LXW_NO_ERROR) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    bytes = buf.str();
  }
  std::remove(path.c_str());
  if (err != LXW_NO_ERROR || bytes.empty()) return engine::Error::Internal("无法生成工作簿");
  return bytes;
}

engine::Result<ExportFile> Export(const std::vector<ExportTable>& tables, const std::string& format,
                                  const std::string& stem) {
  if (format == "csv") return ExportFile{"text/csv; charset=utf-8", stem + ".csv", ToCsv(tables)};
  if (format == "xlsx") {
    auto bytes = ToXlsx(tables);
    if (!bytes.ok()) return bytes.error();
    return ExportFile{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", stem + ".xlsx",
                      std::move(bytes.value())};
  }
  return engine::InvalidField("format", "应为 json、csv 或 xlsx");
}

}  // namespace dixian::http
