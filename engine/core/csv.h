#pragma once
// A small RFC 4180 reader for the importers: quoted fields, CRLF, line numbers for messages.
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/error.h"

namespace dixian::engine {

struct CsvRow {
  int line = 0;  // 1-based line number in the file (the header is line 1)
  std::vector<std::string> fields;
};

// Splits the text into rows. Refuses invalid UTF-8 and records longer than `max_line`
// characters.
Result<std::vector<CsvRow>> ParseCsv(std::string_view text, std::size_t max_line = 4096);

// Checks that the first row is exactly `header` (a UTF-8 BOM is ignored).
Status CheckCsvHeader(const std::vector<CsvRow>& rows, const std::vector<std::string>& header);

// A text cell for a spreadsheet (CSV, xlsx): text a user typed that starts with = + - @ (a
// formula in Excel / WPS), a tab or a carriage return gets a leading apostrophe, so it shows as
// text and never runs (=HYPERLINK(...), =cmd|...). Numbers are written as numbers, not through
// this. The xlsx writer calls it for every text cell too.
std::string NeutraliseCell(std::string_view text);
// One CSV field: the cell neutralised, then quoted when it holds , " CR or LF (RFC 4180).
std::string CsvField(std::string_view text);

}  // namespace dixian::engine
