#pragma once
// Seed 003's rule on a monitoring type against the household's per-capita income and its
// 建档立卡 flag, and the county's override of it.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/access/access.h"
#include "engine/core/error.h"
#include "engine/model/model.h"

namespace dixian::engine {

// Above `line` yuan per person a household is not 脱贫不稳定户 or 边缘易致贫户; below it, not
// 突发严重困难户; a 边缘易致贫户 is not registered poor. OK, or a 422 `type_rule_violated` whose
// Chinese message names the rule and the figures.
Status CheckTypeRule(MonitoringType type, const Household& household, double line);

// A write that may break the rule: `override` set by a county officer with a comment lets it
// pass. Returns what to record in the audit event ({"rule","comment"}) when an override was
// used, null when the rule holds; the violation itself when no valid override was given.
Result<nlohmann::json> ApplyTypeRule(const Principal& who, Status violation, bool override,
                                     const std::string& comment);

}  // namespace dixian::engine
