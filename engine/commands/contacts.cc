// A contact person who leaves: their households go back to the township at once.
#include "engine/commands/contacts.h"

#include <algorithm>

#include "engine/engine_tx.h"

namespace dixian::engine {

namespace {

// The follow-ups the workflow files open when a household loses its contact person.
std::vector<std::string> OnContactLost(const WorkflowRegistry& workflows) {
  std::vector<std::string> kinds;
  for (const auto& name : workflows.Names())
    if (auto def = workflows.Latest(name))
      for (const auto& effect : def->on_contact_lost) kinds.push_back(effect.task);
  return kinds;
}

}  // namespace

int ReleaseContactOf(EngineTx& etx, const Principal& who, const User& user, const std::string& why,
                     const std::string& keep_path) {
  auto& tx = etx.tx();
  const auto kinds = OnContactLost(etx.workflows());
  int released = 0;
  for (auto m : tx.MonitoringOfContact(user.id)) {
    auto hh = tx.FindHousehold(m.household);
    if (!hh || m.status == MonitoringStatus::kRemoved) continue;
    if (!keep_path.empty() && hh->village_path.rfind(keep_path, 0) == 0) continue;  // still in remit
    m.contact.clear();
    m.updated_at = etx.now();
    tx.UpsertMonitoring(m);
    for (auto& t : tx.OpenTasksOfHousehold(m.household)) {
      const TaskDef* def = etx.DefOf(t);
      if (def && def->actor.assignee_contact && t.assignee == user.id) {
        t.assignee.clear();
        tx.UpdateTask(t);
      }
      // A fresh deadline: a task of the same kind still open is replaced.
      if (t.case_id.empty() && std::find(kinds.begin(), kinds.end(), t.step) != kinds.end())
        etx.CloseTask(t, TaskStatus::kCancelled);
    }
    for (const auto& kind : kinds) etx.OpenFollowUp(m.household, kind);
    AuditEvent ev = EventBy(who, m.household, "release_contact");
    ev.from_state = user.id;
    ev.data = {{"user", user.id}, {"reason", why}};
    etx.Audit(ev);
    ++released;
  }
  return released;
}

}  // namespace dixian::engine
