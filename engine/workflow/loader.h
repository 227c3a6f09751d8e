#pragma once
// Loads and validates workflow definitions. Every refusal names the file, the line, the field and
// what is wrong, e.g. "workflows/alert.json:42: states.county_review.actions.approve.to: unknown
// state \"dept_remedy\"".
#include <map>
#include <string>
#include <vector>

#include "engine/core/error.h"
#include "engine/workflow/definition.h"

namespace dixian::engine {

Result<DurationSpec> ParseDuration(const std::string& text, bool allow_negative, bool allow_percent);

// Parses and validates one definition from its text; `file` is used in messages.
Result<WorkflowPtr> LoadWorkflowText(const std::string& text, const std::string& file);
Result<WorkflowPtr> LoadWorkflowFile(const std::string& path);

// All versions of all workflows. A running case keeps the version it started on.
class WorkflowRegistry {
 public:
  // Loads every *.json in `dir` (sorted). Fails on the first invalid file.
  static Result<WorkflowRegistry> LoadDirectory(const std::string& dir);
  Status Add(WorkflowPtr def);  // Conflict when the same name+version differs
  WorkflowPtr Latest(const std::string& name) const;
  WorkflowPtr Version(const std::string& name, int version) const;
  std::vector<std::string> Names() const;

 private:
  std::map<std::string, std::map<int, WorkflowPtr>> by_name_;
};

// A picture of the chain: "mermaid" or "dot".
Result<std::string> RenderGraph(const WorkflowDef& def, const std::string& format);

}  // namespace dixian::engine
