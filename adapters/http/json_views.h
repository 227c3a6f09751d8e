#pragma once
// Typed engine results to the JSON shapes of the API contract (shared/API.md, docs/api.md).
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/commands/admin.h"
#include "engine/commands/cases.h"
#include "engine/commands/households.h"
#include "engine/commands/leads.h"
#include "engine/commands/reports.h"
#include "engine/commands/tasks.h"
#include "engine/workflow/loader.h"

namespace dixian::http {

nlohmann::json ToJson(const engine::Org& org);
nlohmann::json ToJson(const engine::Household& h);
nlohmann::json ToJson(const engine::NewUser& u);
nlohmann::json ToJson(const engine::TokenChange& t);
nlohmann::json ToJson(const engine::Channel& c);
nlohmann::json ToJson(const engine::ImportCount& n);
nlohmann::json ToJson(const engine::MeView& me);
nlohmann::json ToJson(const engine::ContactAssigned& c);
nlohmann::json ToJson(const engine::Measure& m);
nlohmann::json ToJson(const engine::Visit& v);
nlohmann::json ToJson(const engine::HouseholdView& h);
nlohmann::json ToJson(const engine::Member& m);  // the ID number masked
nlohmann::json ToJson(const engine::HouseholdChange& c);
nlohmann::json ToJson(const engine::LeadView& l);
nlohmann::json ToJson(const engine::LeadImport& i);
nlohmann::json ToJson(const engine::TaskView& t);
nlohmann::json ToJson(const engine::PersonView& p);
nlohmann::json ToJson(const engine::CaseView& c);
nlohmann::json ToJson(const engine::EventView& e);
nlohmann::json ToJson(const engine::Attachment& a);
nlohmann::json ToJson(const engine::TaskClosed& t);
nlohmann::json ToJson(const engine::Urged& u);
nlohmann::json ToJson(const engine::MonitoringReport& r);
nlohmann::json ToJson(const engine::OverdueReport& r);
nlohmann::json ToJson(const engine::MovementsReport& r);
nlohmann::json ToJson(const engine::TimelinessReport& r);
nlohmann::json ToJson(const engine::AuditCheck& a);
nlohmann::json ToJson(const engine::AuditHead& h);
// GET /workflows: every workflow's latest version with its states and data labels.
nlohmann::json WorkflowsJson(const engine::WorkflowRegistry& workflows);

template <class T>
nlohmann::json ToJson(const std::vector<T>& items) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& item : items) out.push_back(ToJson(item));
  return out;
}

}  // namespace dixian::http
