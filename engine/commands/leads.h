#pragma once
// Leads (线索): self-reports, grassroots screening, department lists and province red flags. Each
// opens the verification task the workflow files declare (`on_lead`), and ends in an
// identification or alert case (linked both ways) or a recorded "no risk".
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/commands/admin.h"
#include "engine/commands/views.h"
#include "engine/commands/write.h"

namespace dixian::engine {

struct LeadInput {
  std::string household, id_number, source, indicator, detail;
};

struct ResolveLeadInput {
  std::string lead, outcome, comment;
  nlohmann::json data = nlohmann::json::object();  // the case's data (identification, alert)
};

void RecordLead(Engine& engine, Write<LeadView> write, LeadInput input);
// CSV id_number,indicator,detail: rows matching a household in the caller's remit become leads
// (source department, or province for a province officer); the others come back unmatched.
// A broken row (columns, ID number, indicator) refuses the whole file.
void ImportLeads(Engine& engine, Write<LeadImport> write, CsvInput input);
void ResolveLead(Engine& engine, Write<LeadView> write, ResolveLeadInput input);

// Leads of the org's subtree (the caller's org when `org` is empty), oldest first.
Result<std::vector<LeadView>> ListLeads(Engine& engine, const Principal& who,
                                        const std::string& org, const std::string& status);
Result<LeadView> GetLead(Engine& engine, const Principal& who, const std::string& id);

}  // namespace dixian::engine
