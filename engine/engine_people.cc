// Reads for the console's pickers: whom a household's contact can be, whom a task can go to.
// They list exactly the people the matching writes (PUT .../contact, POST /tasks/{id}/transfer)
// accept, so a form never offers a choice the server refuses.
#include <algorithm>

#include "engine/access/access.h"
#include "engine/engine.h"
#include "engine/engine_tx.h"

namespace dixian::engine {

using nlohmann::json;

namespace {

json PersonJson(ReadView& view, const User& u) {
  auto org = view.FindOrg(u.org);
  return json{{"id", u.id}, {"name", u.name}, {"role", u.role}, {"role_label", RoleLabel(u.role)},
              {"org", u.org}, {"org_name", org ? org->name : ""}};
}

// Active users with `role` at each org of `path` (root first), in that order.
std::vector<User> UsersAlong(ReadView& view, const std::string& path, const std::string& role) {
  std::vector<User> out;
  for (const auto& code : PathCodes(path))
    for (auto& u : view.UsersAt(code, role))
      if (!u.revoked) out.push_back(std::move(u));
  return out;
}

}  // namespace

Result<json> Engine::ContactCandidates(const Principal& who, const std::string& household) {
  auto view = store_.Read();
  auto hh = PermittedHousehold(*view, who, household, Capability::kAssignContact);
  if (!hh.ok()) return hh.error();
  json out = json::array();
  // Nearest first: the village's own contact persons, then the township's, ...
  auto users = UsersAlong(*view, hh->village_path, "contact_person");
  std::reverse(users.begin(), users.end());
  for (const auto& u : users) out.push_back(PersonJson(*view, u));
  return out;
}

Result<json> Engine::TransferCandidates(const Principal& who, const std::string& task_id) {
  auto view = store_.Read();
  const bool digits = !task_id.empty() && task_id.size() <= 18 &&
                      std::all_of(task_id.begin(), task_id.end(), [](char c) { return c >= '0' && c <= '9'; });
  auto t = digits ? view->FindTask(std::stoll(task_id)) : std::nullopt;
  if (!t || t->status != "open") return Error::NotFound("task_not_found", "待办 " + task_id + " 不存在或已办结");
  if (auto st = Require(who, Capability::kTransferTask, t->org_path); !st.ok()) return st.error();
  json out = json::array();
  auto users = UsersAlong(*view, t->org_path, t->role);
  std::reverse(users.begin(), users.end());
  for (const auto& u : users) {
    if (u.id == who.user.id || u.id == t->assignee) continue;
    if (t->role == "department_officer" && u.department != t->department) continue;
    out.push_back(PersonJson(*view, u));
  }
  return out;
}

}  // namespace dixian::engine
