#pragma once
// Cases on a chain: open, act (submit / approve / return / reject / withdraw / ...), read.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/commands/views.h"
#include "engine/commands/write.h"

namespace dixian::engine {

struct CaseInput {
  std::string workflow, household;
  nlohmann::json data =
      nlohmann::json::object();  // free-form; keys naming engine facts are refused
};

struct ActionInput {
  std::string case_id, action, comment;
  std::optional<std::int64_t> expected_version;  // required: a stale one is a 409
  nlohmann::json data = nlohmann::json::object();
};

void OpenCase(Engine& engine, Write<CaseView> write, CaseInput input);
class EngineTx;
// OpenCase's work inside a transaction already open (a lead's outcome opens its case with it).
Result<CaseView> OpenCaseIn(EngineTx& etx, const Principal& who, const CaseInput& input);
void ActOnCase(Engine& engine, Write<CaseView> write, ActionInput input);

Result<CaseView> GetCase(Engine& engine, const Principal& who, const std::string& id);
// Every event of the case, oldest first.
Result<std::vector<EventView>> CaseHistory(Engine& engine, const Principal& who,
                                           const std::string& id);

}  // namespace dixian::engine
