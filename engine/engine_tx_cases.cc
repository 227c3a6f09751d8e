// What moving a case shares, whoever moves it: an official's action (commands/cases.cc) or the
// engine itself when a notice state's period ends. Announcements of decisions (公告).
#include "engine/engine_tx.h"

namespace dixian::engine {

std::optional<Task> EngineTx::MoveCase(Case& c, const WorkflowDef& def, const std::string& to,
                                       AuditEvent ev, const std::vector<Task>& open) {
  const std::string from = c.state;
  const StateDef* next = def.State(to);
  c.last_actor = ev.actor;
  c.last_from = from;
  c.state = to;
  c.version += 1;
  c.updated_at = now_;
  c.closed = next && next->final;
  CloseTasks(open, TaskStatus::kDone);
  ev.case_id = c.id;
  ev.household = c.household;
  ev.from_state = from;
  ev.to_state = to;
  Audit(std::move(ev));
  if (next) RunEffects(c, next->effects);
  tx_.UpdateCase(c);
  return OpenStepTask(c, def);
}

bool EngineTx::PassNotice(const Task& task) {
  auto c = tx_.FindCase(task.case_id);
  if (!c || c->closed || c->state != task.step) return false;
  auto def = e_.workflows_.Version(c->workflow, c->workflow_version);
  const StateDef* st = def ? def->State(c->state) : nullptr;
  if (!st || !st->notice_passed) return false;
  AuditEvent ev;
  ev.actor = "system";
  ev.action = st->notice_passed->name;
  ev.data = {{"task", std::to_string(task.id)},
             {"notice_from", FormatRfc3339(task.created_at)},
             {"notice_until", FormatRfc3339(task.due_at)}};
  MoveCase(*c, *def, st->notice_passed->to, ev, tx_.OpenTasksOfCase(c->id));
  return true;
}

namespace {

// A data value as officials read it: the workflow's label for it, a monitoring type's label, or
// the value itself.
std::string ValueLabel(const WorkflowDef* def, const std::string& field, const std::string& value) {
  if (def)
    if (auto f = def->labels.find(field); f != def->labels.end())
      if (auto l = f->second.find(value); l != f->second.end()) return l->second;
  if (auto type = Parse<MonitoringType>(value)) return Label(*type);
  return value;
}

// "{data.reason}" -> the label of data.reason's value where the workflow gives one, else the
// value itself; an absent field reads as empty.
std::string FillNote(const std::string& note, const WorkflowDef* def, const nlohmann::json& data) {
  std::string out;
  size_t at = 0;
  while (true) {
    const size_t open = note.find("{data.", at);
    const size_t close = open == std::string::npos ? open : note.find('}', open);
    if (close == std::string::npos) break;
    out.append(note, at, open - at);
    const std::string field = note.substr(open + 6, close - open - 6);
    std::string value;
    if (auto v = data.find(field); v != data.end()) value = v->is_string() ? v->get<std::string>() : v->dump();
    if (def)
      if (auto f = def->labels.find(field); f != def->labels.end())
        if (auto l = f->second.find(value); l != f->second.end()) value = l->second;
    out += value;
    at = close + 1;
  }
  return out + note.substr(at);
}

}  // namespace

void EngineTx::Announce(const Case& c, const EffectDef& e) {
  auto org = OrgAt(c.org_path, e.level);
  if (!org) return;
  const auto channels = RouteChannels(org->path, 0);
  NoticeFacts facts;
  facts.case_id = c.id;
  facts.org = org->code;
  facts.text = FillNote(e.note, e_.workflows_.Version(c.workflow, c.workflow_version).get(), c.data);
  QueueNotice(channels, NoticeKind::kAnnouncement, false, std::move(facts));
}

void EngineTx::RecordMovement(const Case& c, const EffectDef& e) {
  auto h = tx_.FindHousehold(c.household);
  if (!h) return;
  Movement m;
  m.at = now_;
  m.kind = e.movement;
  m.household = h->id;
  m.village_path = h->village_path;
  m.case_id = c.id;
  m.persons = h->members;
  if (!e.detail_field.empty())
    if (auto v = c.data.find(e.detail_field); v != c.data.end() && v->is_string()) {
      m.detail = v->get<std::string>();
      m.detail_label = ValueLabel(e_.workflows_.Version(c.workflow, c.workflow_version).get(), e.detail_field, m.detail);
    }
  tx_.InsertMovement(m);
}

}  // namespace dixian::engine
