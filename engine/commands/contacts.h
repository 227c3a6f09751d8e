#pragma once
// A contact person (帮扶联系人) who leaves: revoked, or moved to another org. Seed 004 (没有及时安排
// 新的帮扶联系人): their households go back at once to the township's task of naming one.
#include <string>

#include "engine/model/model.h"

namespace dixian::engine {

class EngineTx;
struct Principal;

// Inside the caller's write transaction: every household whose contact is `user` and whose
// village lies outside `keep_path` ("" = none kept) loses its contact; the tasks that followed the
// person are unassigned, and the follow-ups the workflow files declare in `on_contact_lost` are
// opened afresh (a new deadline from now). One audit event `release_contact` per household.
// Returns how many households were released.
int ReleaseContactOf(EngineTx& etx, const Principal& who, const User& user, const std::string& why,
                     const std::string& keep_path = "");

}  // namespace dixian::engine
