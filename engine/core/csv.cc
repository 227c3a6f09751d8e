#include "engine/core/csv.h"

#include "engine/core/fields.h"

namespace dixian::engine {

Result<std::vector<CsvRow>> ParseCsv(std::string_view text, std::size_t max_line) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  if (!IsValidUtf8(text)) return Error::BadInput("invalid_utf8", "CSV 内容不是有效的 UTF-8 编码");
  std::vector<CsvRow> rows;
  CsvRow row;
  std::string field;
  bool quoted = false;
  int line = 1;
  std::size_t line_chars = 0;  // characters of the current record so far
  row.line = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80 && ++line_chars > max_line)
      return Error::Unprocessable("csv_line_too_long", "第 " + std::to_string(line) + " 行过长（超过 " +
                                                           std::to_string(max_line) + " 个字）");
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && field.empty()) {
      quoted = true;
    } else if (c == ',') {
      row.fields.push_back(std::move(field));
      field.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      row.fields.push_back(std::move(field));
      field.clear();
      if (!(row.fields.size() == 1 && row.fields[0].empty())) rows.push_back(std::move(row));
      row = CsvRow{};
      row.line = ++line;
      line_chars = 0;
    } else {
      field += c;
    }
  }
  if (quoted) return Error::Unprocessable("csv_unterminated_quote", "第 " + std::to_string(row.line) + " 行的引号没有闭合");
  if (!field.empty() || !row.fields.empty()) {
    row.fields.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

Status CheckCsvHeader(const std::vector<CsvRow>& rows, const std::vector<std::string>& header) {
  std::string want;
  for (const auto& h : header) want += (want.empty() ? "" : ",") + h;
  if (rows.empty() || rows[0].fields != header)
    return Error::Unprocessable("csv_bad_header", "第 1 行表头应为 " + want);
  return OkStatus();
}

std::string NeutraliseCell(std::string_view text) {
  if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' || text[0] == '\t' ||
                        text[0] == '\r'))
    return "'" + std::string(text);
  return std::string(text);
}

std::string CsvField(std::string_view text) {
  std::string cell = NeutraliseCell(text);
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string out = "\"";
  for (char c : cell) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace dixian::engine
