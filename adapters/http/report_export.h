#pragma once
// Reports as tables officials open in their spreadsheet program: CSV (UTF-8 with a BOM) and a
// real .xlsx workbook (libxlsxwriter: one sheet per table, Chinese headings, the header row
// frozen, column widths set). Every text cell is neutralised against formulas.
#include <optional>
#include <string>
#include <vector>

#include "engine/access/access.h"  // reports.h names Principal
#include "engine/commands/reports.h"
#include "engine/core/error.h"

namespace dixian::http {

struct ExportCell {
  std::string text;
  std::optional<double> number;  // written as a number when set
};

struct ExportTable {
  std::string title;  // the sheet's name (at most 31 characters, no []:*?/\)
  std::vector<std::string> headings;
  std::vector<double> widths;  // per column, in characters
  std::vector<std::vector<ExportCell>> rows;
};

struct ExportFile {
  std::string content_type, filename, body;
};

std::vector<ExportTable> TablesOf(const engine::MonitoringReport& r);
std::vector<ExportTable> TablesOf(const engine::OverdueReport& r);
std::vector<ExportTable> TablesOf(const engine::MovementsReport& r);
std::vector<ExportTable> TablesOf(const engine::TimelinessReport& r);

// Text a user typed, made safe for a spreadsheet cell (= + - @ tab CR get a leading apostrophe).
std::string SpreadsheetText(std::string_view text);

std::string ToCsv(const std::vector<ExportTable>& tables);
engine::Result<std::string> ToXlsx(const std::vector<ExportTable>& tables);

// `format` csv or xlsx; `stem` names the download (e.g. "monitoring-county").
engine::Result<ExportFile> Export(const std::vector<ExportTable>& tables, const std::string& format,
                                  const std::string& stem);

}  // namespace dixian::http
