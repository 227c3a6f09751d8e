#pragma once
// The console's lists (已办 / 我发起 / 抄送我, household search) and sessions as JSON
// (docs/api.md, "The console's lists" and "Sessions").
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/commands/sessions.h"
#include "engine/commands/worklists.h"

namespace dixian::http {

nlohmann::json DoneJson(const std::vector<engine::DoneRow>& rows);
nlohmann::json StartedJson(const std::vector<engine::StartedRow>& rows);
nlohmann::json CopiedJson(const std::vector<engine::CopiedRow>& rows);
nlohmann::json HitsJson(const std::vector<engine::HouseholdHit>& hits);
nlohmann::json SessionJson(const engine::SessionView& session);

}  // namespace dixian::http
