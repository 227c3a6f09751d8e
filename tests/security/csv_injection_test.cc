// Spreadsheet injection (issue 17 item 7, the CSV half): text users typed that starts with
// = + - @, a tab or CR must never reach a CSV cell as a formula: the CLI's `report --csv` and the
// console's CSV export both prefix such cells with an apostrophe (engine::NeutraliseCell, which
// the xlsx writer reuses). Before: `=HYPERLINK(...)` went out as is and ran in Excel / WPS.
#include <filesystem>
#include <regex>

#include "engine/core/csv.h"
#include "tests/security/security_util.h"

namespace dixian::security {
namespace {

using test_support::RunCommand;

const std::vector<std::string> kFormulas = {"=HYPERLINK(\"https://evil.example/x\",\"点我\")", "+1+cmd|' /C calc'!A0",
                                            "-2+3", "@SUM(1+1)", "\t=1+1", "\r=1+1"};

// Every cell of the CSV text (RFC 4180), the `# heading` lines of the CLI aside.
std::vector<std::string> Cells(const std::string& csv) {
  std::vector<std::string> cells;
  std::string cell;
  bool quoted = false, line_start = true, comment = false;
  for (std::size_t i = 0; i < csv.size(); ++i) {
    const char c = csv[i];
    if (line_start && c == '#') comment = true;
    line_start = false;
    if (comment) {
      if (c == '\n') comment = false, line_start = true;
      continue;
    }
    if (quoted) {
      if (c == '"' && i + 1 < csv.size() && csv[i + 1] == '"') cell += '"', ++i;
      else if (c == '"') quoted = false;
      else cell += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',' || c == '\n') {
      cells.push_back(cell);
      cell.clear();
      if (c == '\n') line_start = true;
    } else if (c != '\r' || (i + 1 < csv.size() && csv[i + 1] != '\n')) {
      cell += c;
    }
  }
  if (!cell.empty()) cells.push_back(cell);
  return cells;
}

void ExpectNoFormula(const std::string& csv, const std::string& what, bool carries_typed_text = true) {
  int neutralised = 0;
  const std::regex number(R"(-?[0-9]+(\.[0-9]+)?)");
  for (const auto& cell : Cells(csv)) {
    if (std::regex_match(cell, number)) continue;  // a number written as a number
    ASSERT_FALSE(!cell.empty() && std::string("=+-@\t\r").find(cell[0]) != std::string::npos)
        << what << ": a cell starts as a formula: " << cell;
    if (cell.size() > 1 && cell[0] == '\'') ++neutralised;
  }
  if (carries_typed_text) { EXPECT_GT(neutralised, 0) << what << " should have carried the typed formulas:\n" << csv; }
}

class CsvInjection : public SecurityTest {};

TEST_F(CsvInjection, CliReportCsvNeutralisesTypedFormulas) {
  // An org name and measure kinds typed as formulas (the measure by a township reviewer).
  ASSERT_EQ(Do("admin", "POST", "/api/v1/orgs", {{"code", "V13"}, {"name", kFormulas[3]}, {"level", "village"}, {"parent", "T1"}}).status, 201);
  ASSERT_EQ(Do("admin", "POST", "/api/v1/households", Household("H1", "V11")).status, 201);
  auto c = Do("clerk_V11", "POST", "/api/v1/cases",
              {{"workflow", "identification"}, {"household", "H1"}, {"data", {{"type", "marginal"}, {"primary_cause", "illness"}}}});
  ASSERT_EQ(c.status, 201);
  const std::string id = c.body["id"];
  int v = 1;
  ASSERT_EQ(AttachMinutes(*As("clerk_V11"), id).status, 201);
  for (const auto& [who, action] : std::vector<std::pair<std::string, std::string>>{{"clerk_V11", "submit"}, {"rev_T1", "approve"}, {"county", "approve"}})
    ASSERT_EQ(Do(who, "POST", "/api/v1/cases/" + id + "/actions", {{"action", action}, {"expected_version", v++}}).status, 200);
  // Measure kinds come from the documented list since issue 13: a formula there is refused at the
  // door, so the typed formulas reach the report through the org names only.
  for (const auto& f : kFormulas)
    ASSERT_EQ(Do("rev_T1", "POST", "/api/v1/households/H1/measures", {{"kind", f}, {"description", "x"}}).status, 422) << f;
  for (const char* report : {"monitoring", "overdue"}) {
    auto r = RunCommand(server_->binary(), {"report", report, "--org", "T1", "--csv", "--db", Db()}, server_->key_file());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // The CLI's report tables hold only validated kinds and labels now: no cell to neutralise.
    ExpectNoFormula(r.out, std::string("dixian report ") + report + " --csv", false);
  }
}

TEST(CsvCells, NeutraliseKeepsTheTextAndQuotes) {
  EXPECT_EQ(engine::CsvField("=1+1"), "'=1+1");
  EXPECT_EQ(engine::CsvField("@x,y"), "\"'@x,y\"");
  EXPECT_EQ(engine::CsvField("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(engine::CsvField("张三"), "张三");
  EXPECT_EQ(engine::NeutraliseCell("\t-1"), "'\t-1");
  EXPECT_EQ(engine::NeutraliseCell(""), "");
}

// The console's "导出CSV" (web/js/table.js toCsv), run in node.
TEST(CsvCells, ConsoleExportNeutralisesTypedFormulas) {
  const std::string table = std::string(DIXIAN_SOURCE_DIR) + "/web/js/table.js";
  if (!std::filesystem::exists("/usr/bin/node")) GTEST_SKIP() << "no node";
  std::string rows = "[";
  for (const auto& f : kFormulas) rows += Json({{"name", f}, {"n", -3}}).dump() + ",";
  rows += "{\"name\":\"正常\",\"n\":5}]";
  const std::string script = "import { toCsv } from '" + table + "';\n"
                             "process.stdout.write(toCsv([{key:'name',label:'名称'},{key:'n',label:'户数',numeric:true}], " +
                             rows + "));\n";
  auto r = RunCommand("/usr/bin/node", {"--input-type=module", "-e", script});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectNoFormula(r.out.substr(3), "console toCsv");  // after the BOM
  EXPECT_NE(r.out.find(",-3\r\n"), std::string::npos) << "numbers stay numbers: " << r.out;
}

}  // namespace
}  // namespace dixian::security
