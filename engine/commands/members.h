#pragma once
// A household's members as persons: checking a list given by a caller, and one ID number in one
// household. Internal to the household commands.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/access/access.h"
#include "engine/commands/households.h"
#include "engine/store/store.h"

namespace dixian::engine {

// Checks a member list (1 to 50 persons, at most one head, every ID number valid and unique in
// the list, sex and birth year agreeing with it when given) and numbers it. Errors name the
// field as `prefix[i].field` ("members[2].id_number").
Result<std::vector<Member>> MembersFrom(const std::vector<MemberInput>& input,
                                        const std::string& household, Instant now,
                                        const std::string& prefix = "members");

// 409 when one of the ID numbers belongs to a member of another household; the message names
// that household only if `who` may see it.
Status RequireOwnIdNumbers(ReadView& view, const Principal& who, const std::string& household,
                           const std::vector<Member>& members,
                           const std::string& prefix = "members");

// The list as a change record shows it: ID numbers masked.
nlohmann::json MaskedMembers(const std::vector<Member>& members);

}  // namespace dixian::engine
