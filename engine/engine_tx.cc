#include "engine/engine_tx.h"

#include <algorithm>
#include <functional>
#include <mutex>
#include <set>

#include "engine/core/sha256.h"

namespace dixian::engine {

using nlohmann::json;

std::vector<std::string> PathCodes(const std::string& path) {
  std::vector<std::string> codes;
  size_t start = 1;
  while (start < path.size()) {
    const size_t end = path.find('/', start);
    if (end == std::string::npos) break;
    codes.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return codes;
}

AuditEvent EventBy(const Principal& who, const std::string& household, const std::string& action) {
  AuditEvent ev;
  ev.household = household;
  ev.actor = who.user.id;
  ev.actor_role = who.user.role;
  ev.actor_org = who.user.org;
  ev.action = action;
  return ev;
}

namespace {

// Appends `text` as a JSON string exactly as nlohmann::json::dump() writes it (UTF-8 kept,
// control characters as \b \t \n \f \r or \u00xx), so the audit chain's hashes do not change.
void AppendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

}  // namespace

// SHA-256 of the event's canonical JSON: the object below with its keys in sorted order, as
// nlohmann::json would dump it. Written directly because every command hashes one event on the
// writer thread (AuditHashMatchesCanonicalJson keeps the two equal).
std::string AuditHash(const AuditEvent& e) {
  std::string c;
  c.reserve(256 + e.comment.size());
  auto field = [&c](const char* key, std::string_view value) {
    c += c.empty() ? "{\"" : ",\"";
    c += key;
    c += "\":";
    AppendJsonString(c, value);
  };
  field("action", e.action);
  field("actor", e.actor);
  c += ",\"at\":" + std::to_string(e.at);
  field("case", e.case_id);
  field("comment", e.comment);
  c += ",\"data\":" + e.data.dump();
  field("from", e.from_state);
  field("household", e.household);
  field("org", e.actor_org);
  field("prev", e.prev_hash);
  field("role", e.actor_role);
  field("to", e.to_state);
  c += '}';
  return Sha256Hex(c);
}

std::int64_t EngineTx::Audit(AuditEvent event) {
  event.at = now_;
  event.prev_hash = tx_.LastAuditHash();
  event.hash = AuditHash(event);
  return tx_.AppendAudit(event);
}

std::optional<Org> EngineTx::FindOrg(const std::string& code) {
  {
    std::lock_guard lock(e_.cache_mu_);
    if (auto it = e_.org_cache_.find(code); it != e_.org_cache_.end()) return it->second;
  }
  auto org = tx_.FindOrg(code);
  if (org) {
    std::lock_guard lock(e_.cache_mu_);
    e_.org_cache_.emplace(code, *org);
  }
  return org;
}

std::vector<Channel> EngineTx::ChannelsOf(const std::string& code) {
  {
    std::lock_guard lock(e_.cache_mu_);
    if (auto it = e_.channel_cache_.find(code); it != e_.channel_cache_.end()) return it->second;
  }
  auto channels = tx_.ChannelsOf(code);
  if (tx_.failure()) return channels;  // never cache what a failed read made up (the job fails)
  std::lock_guard lock(e_.cache_mu_);
  e_.channel_cache_.emplace(code, channels);
  return channels;
}

const std::optional<Household>& EngineTx::FindHousehold(const std::string& id) {
  auto it = households_.find(id);
  if (it == households_.end()) it = households_.emplace(id, tx_.FindHousehold(id)).first;
  return it->second;
}

namespace {

std::vector<std::string> CachedMobiles(std::mutex& mu,
                                       std::unordered_map<std::string, std::vector<std::string>>& cache,
                                       const std::string& key, const std::function<std::vector<std::string>()>& load,
                                       const ReadView& view) {
  {
    std::lock_guard lock(mu);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
  }
  auto mobiles = load();
  if (view.failure()) return mobiles;  // not cached: the job fails with the store's error
  std::lock_guard lock(mu);
  cache.emplace(key, mobiles);
  return mobiles;
}

}  // namespace

std::vector<std::string> EngineTx::MobilesOf(const std::string& user_id) {
  return CachedMobiles(e_.cache_mu_, e_.mobile_cache_, user_id, [&] {
    std::vector<std::string> out;
    if (auto u = tx_.FindUser(user_id); u && !u->mobile.empty()) out.push_back(u->mobile);
    return out;
  }, tx_);
}

std::vector<std::string> EngineTx::MobilesAt(const std::string& org, const std::string& role) {
  return CachedMobiles(e_.cache_mu_, e_.mobile_cache_, org + '\x1f' + role, [&] {
    std::vector<std::string> out;
    for (const auto& u : tx_.UsersAt(org, role))
      if (!u.mobile.empty() && out.size() < 5) out.push_back(u.mobile);
    return out;
  }, tx_);
}

std::optional<Org> EngineTx::OrgAt(const std::string& village_path, const std::string& level) {
  const int want = LevelRank(level);
  std::optional<Org> best;
  for (const auto& code : PathCodes(village_path)) {
    auto org = FindOrg(code);
    if (!org) continue;
    const int rank = LevelRank(org->level);
    if (rank == want) return org;
    if (rank < want) best = org;  // the nearest level above, where an optional level is absent
  }
  return best;
}

const TaskDef* EngineTx::FollowUpDef(const std::string& kind, WorkflowPtr* owner) {
  for (const auto& name : e_.workflows_.Names()) {
    auto def = e_.workflows_.Latest(name);
    if (const auto* t = def->Task(kind)) {
      if (owner) *owner = def;
      return t;
    }
  }
  return nullptr;
}

const Timing* EngineTx::TimingOf(const Task& task) {
  auto def = e_.workflows_.Version(task.workflow, task.workflow_version);
  if (!def) return nullptr;
  if (task.case_id.empty()) {
    const auto* t = def->Task(task.step);
    return t ? &t->timing : nullptr;
  }
  const auto* s = def->State(task.step);
  return s ? &s->timing : nullptr;
}

void EngineTx::ScheduleTimers(Task& task, const Timing& timing) {
  const auto points = FirePoints(timing, task.created_at, task.due_at, e_.calendar_);
  if (task.fire_index < static_cast<int>(points.size())) {
    task.next_fire_at = points[static_cast<size_t>(task.fire_index)].at;
    e_.NoteTimer(*task.next_fire_at);
  } else {
    task.next_fire_at.reset();
  }
}

std::string EngineTx::StepLabel(const Task& task) {
  auto def = e_.workflows_.Version(task.workflow, task.workflow_version);
  if (!def) return task.step;
  if (task.case_id.empty()) {
    const auto* t = def->Task(task.step);
    return t ? t->label : task.step;
  }
  const auto* s = def->State(task.step);
  return s ? def->label + "·" + s->label : task.step;
}

std::optional<Task> EngineTx::OpenStepTask(const Case& c, const WorkflowDef& def, const Principal& who) {
  const auto* st = def.State(c.state);
  if (!st || st->final || !st->actor) return std::nullopt;
  auto org = OrgAt(c.org_path, st->actor->level);
  if (!org) return std::nullopt;
  Task t;
  t.case_id = c.id;
  t.household = c.household;
  t.workflow = def.name;
  t.workflow_version = def.version;
  t.step = c.state;
  t.org = org->code;
  t.org_path = org->path;
  t.role = st->actor->role;
  if (st->actor->department_from_case) t.department = c.data.value("department", "");
  if (st->actor->assignee_contact) {
    if (auto m = tx_.FindMonitoring(c.household)) t.assignee = m->contact;
  }
  t.created_at = now_;
  t.due_at = st->timing.deadline ? DueTime(*st->timing.deadline, now_, e_.calendar_) : now_ + 365 * kDaySeconds;
  ScheduleTimers(t, st->timing);
  t.id = tx_.InsertTask(t);
  (void)who;
  Notify(t, "new_task", 0, false);
  return t;
}

void EngineTx::OpenFollowUp(const std::string& household, const std::string& kind, const std::string& period_in) {
  WorkflowPtr owner;
  const auto* def = FollowUpDef(kind, &owner);
  const auto& hh = FindHousehold(household);
  if (!def || !hh) return;
  const std::string period = def->timing.recurrence.empty()
                                 ? ""
                                 : (period_in.empty() ? PeriodOf(def->timing.recurrence, now_) : period_in);
  for (const auto& open : tx_.OpenTasksOfHousehold(household))
    if (open.case_id.empty() && open.step == kind && open.period == period) return;
  auto org = OrgAt(hh->village_path, def->actor.level);
  if (!org) return;
  Task t;
  t.household = household;
  t.workflow = owner->name;
  t.workflow_version = owner->version;
  t.step = kind;
  t.org = org->code;
  t.org_path = org->path;
  t.role = def->actor.role;
  if (def->actor.assignee_contact) {
    if (auto m = tx_.FindMonitoring(household)) t.assignee = m->contact;
  }
  t.period = period;
  t.created_at = now_;
  t.due_at = period.empty() ? DueTime(*def->timing.deadline, now_, e_.calendar_)
                            : PeriodEnd(def->timing.recurrence, period);
  ScheduleTimers(t, def->timing);
  t.id = tx_.InsertTask(t);
  Notify(t, "new_task", 0, false);
}

void EngineTx::CloseTask(Task task, const std::string& status) {
  task.status = status;
  task.closed_at = now_;
  task.next_fire_at.reset();
  tx_.UpdateTaskClosed(task);
}

void EngineTx::CloseOpenTasksOfCase(const std::string& case_id) {
  CloseTasks(tx_.OpenTasksOfCase(case_id), "done");
}

void EngineTx::CloseTasks(std::vector<Task> tasks, const std::string& status) {
  for (auto& t : tasks) CloseTask(std::move(t), status);
}

int EngineTx::CompleteFollowUps(const std::string& household, const std::string& kind, const Principal& who) {
  int n = 0;
  for (auto& t : tx_.OpenTasksOfHousehold(household)) {
    if (!t.case_id.empty() || t.step != kind) continue;
    if (!t.period.empty()) {  // a later period's visit is not done by today's visit
      const auto* def = FollowUpDef(t.step);
      if (def && t.period > PeriodOf(def->timing.recurrence, now_)) continue;
    }
    CloseTask(t, "done");
    AuditEvent ev = EventBy(who, household, "task_done");
    ev.from_state = kind;
    ev.to_state = "done";
    ev.data = {{"task", std::to_string(t.id)}, {"late", now_ >= t.due_at}};
    if (!t.period.empty()) ev.data["period"] = t.period;
    Audit(ev);
    ++n;
  }
  return n;
}

static void CancelFollowUps(EngineTx& etx, const std::string& household, const std::vector<std::string>& kinds) {
  for (auto& t : etx.tx().OpenTasksOfHousehold(household))
    if (t.case_id.empty() && (kinds.empty() || std::find(kinds.begin(), kinds.end(), t.step) != kinds.end()))
      etx.CloseTask(t, "cancelled");
}

void EngineTx::RunEffects(const Case& c, const StateDef& state, const Principal& who) {
  (void)who;
  if (state.effects.empty()) return;
  auto object = tx_.FindMonitoring(c.household);  // kept current below instead of re-read per effect
  for (const auto& effect : state.effects) {
    if (effect == "admit_object") {
      MonitoringObject m = object.value_or(MonitoringObject{});
      m.household = c.household;
      m.type = c.data.value("type", m.type);
      m.primary_cause = c.data.value("primary_cause", m.primary_cause);
      m.causes = c.data.value("causes", std::vector<std::string>{});
      m.status = "risk_active";
      m.admitted_at = now_;
      m.updated_at = now_;
      tx_.UpsertMonitoring(m);
      object = m;
    } else if (effect.rfind("spawn:", 0) == 0) {
      OpenFollowUp(c.household, effect.substr(6));
    } else if (effect == "start_visits") {
      OpenFollowUp(c.household, "visit");
    } else if (object && effect == "eliminate_risk") {
      object->status = "risk_eliminated";
      object->updated_at = now_;
      tx_.UpsertMonitoring(*object);
      CancelFollowUps(*this, c.household, {"visit", "measures"});
      OpenFollowUp(c.household, "visit_quarterly");
    } else if (object && effect == "remove_object") {
      object->status = "removed";
      object->updated_at = now_;
      tx_.UpsertMonitoring(*object);
      CancelFollowUps(*this, c.household, {});
    } else if (object && effect == "reflag_object") {
      object->status = "risk_active";
      object->updated_at = now_;
      if (c.data.contains("primary_cause")) object->primary_cause = c.data["primary_cause"].get<std::string>();
      tx_.UpsertMonitoring(*object);
      CancelFollowUps(*this, c.household, {"visit_quarterly"});
      OpenFollowUp(c.household, "visit");
      OpenFollowUp(c.household, "measures");
    } else if (effect == "close_followups") {
      CancelFollowUps(*this, c.household, {});
    }
  }
}

std::vector<Channel> EngineTx::RouteChannels(const std::string& org_path, int up) {
  const auto codes = PathCodes(org_path);
  for (int i = static_cast<int>(codes.size()) - 1 - up; i >= 0; --i) {
    auto channels = ChannelsOf(codes[static_cast<size_t>(i)]);
    if (!channels.empty()) return channels;
  }
  return {};
}

json EngineTx::TaskPayload(const Task& task, const std::string& kind, int up) {
  json p;
  const auto& hh = FindHousehold(task.household);
  auto org = FindOrg(task.org);
  p["task_id"] = std::to_string(task.id);
  p["case_id"] = task.case_id.empty() ? json(nullptr) : json(task.case_id);
  p["household_id"] = task.household;
  p["head_name"] = hh ? hh->head_name : "";
  auto village = hh ? FindOrg(hh->village) : std::nullopt;
  p["village"] = village ? village->name : "";
  p["step"] = task.step;
  p["step_label"] = StepLabel(task);
  p["due_at"] = FormatRfc3339(task.due_at);
  const Instant diff = task.due_at - now_;
  p["days_left"] = diff >= 0 ? (diff + kDaySeconds - 1) / kDaySeconds : -((-diff) / kDaySeconds + ((-diff) % kDaySeconds ? 1 : 0));
  p["org"] = task.org;
  p["org_name"] = org ? org->name : "";
  p["escalation_level"] = up;
  p["link"] = e_.options_.console_base_url + (task.case_id.empty() ? "/#/households/" + task.household
                                                                   : "/#/cases/" + task.case_id);
  std::vector<std::string> mobiles;
  if (!task.assignee.empty()) {
    mobiles = MobilesOf(task.assignee);
  } else {
    std::string org_code = task.org;
    std::string role = task.role;
    if (kind == "escalation" && up > 0) {
      const auto codes = PathCodes(task.org_path);
      org_code = codes[static_cast<size_t>(std::max<int>(0, static_cast<int>(codes.size()) - 1 - up))];
      role = "supervisor";
    }
    mobiles = MobilesAt(org_code, role);
  }
  p["mobiles"] = mobiles;
  return p;
}

void EngineTx::Notify(const Task& task, const std::string& kind, int up, bool urgent, const std::string& note) {
  const auto channels = RouteChannels(task.org_path, up);
  if (channels.empty()) return;
  json payload = TaskPayload(task, kind, up);
  if (!note.empty()) payload["text"] = note;
  for (const auto& ch : channels) {
    OutboxMessage m;
    m.channel_id = ch.id;
    m.kind = kind;
    m.urgent = urgent;
    m.payload = payload;
    m.created_at = now_;
    tx_.InsertOutbox(m);
  }
}

void EngineTx::FireNext(Task task) {
  const Timing* timing = TimingOf(task);
  if (!timing) {
    task.next_fire_at.reset();
    tx_.UpdateTaskTimer(task);
    return;
  }
  const auto points = FirePoints(*timing, task.created_at, task.due_at, e_.calendar_);
  if (task.fire_index < static_cast<int>(points.size())) {
    const FirePoint p = points[static_cast<size_t>(task.fire_index)];
    Notify(task, KindName(p.kind), p.up, p.kind != FirePoint::Kind::kReminder);
    if (p.kind != FirePoint::Kind::kReminder) {
      AuditEvent ev;
      ev.case_id = task.case_id;
      ev.household = task.household;
      ev.actor = "system";
      ev.action = p.kind == FirePoint::Kind::kOverdue ? "overdue" : "escalate";
      ev.from_state = task.step;
      ev.to_state = task.step;
      ev.data = {{"task", std::to_string(task.id)}, {"fire_index", task.fire_index}, {"up", p.up},
                 {"due_at", FormatRfc3339(task.due_at)}};
      Audit(ev);
    }
    if (p.kind == FirePoint::Kind::kOverdue && !timing->recurrence.empty() && !task.period.empty())
      OpenFollowUp(task.household, task.step, NextPeriod(timing->recurrence, task.period));
    ++task.fire_index;
  }
  ScheduleTimers(task, *timing);
  tx_.UpdateTaskTimer(task);
}

}  // namespace dixian::engine

namespace dixian::engine {

constexpr const char* kDigestSchedule = "overdue_digest";

Instant NextDigestTime(Instant now, int hour) {
  Instant at = ChinaMidnight(ChinaDate(now)) + static_cast<Instant>(hour) * 3600;
  while (at <= now) at += kDaySeconds;
  return at;
}

int EngineTx::RunDigestIfDue() {
  const auto next = tx_.ScheduleNext(kDigestSchedule);
  if (!next) {
    tx_.SetScheduleNext(kDigestSchedule, NextDigestTime(now_, e_.options_.digest_hour));
    return 0;
  }
  if (*next > now_) return 0;
  std::set<std::string> orgs;
  for (const auto& u : tx_.UsersWithRole("supervisor")) orgs.insert(u.org);
  int sent = 0;
  for (const auto& code : orgs) {
    auto org = FindOrg(code);
    if (!org) continue;
    // Only the oldest 200 overdue tasks are loaded; the total is counted in SQL.
    const auto tasks = tx_.OpenTasksDueBy(org->path, "", now_, 200);
    if (tasks.empty()) continue;
    std::int64_t total = 0;
    for (const auto& g : tx_.OpenTaskGroups(org->path, now_)) total += g.overdue;
    json rows = json::array();
    for (const auto& t : tasks) rows.push_back(TaskPayload(t, "digest", 0));
    const json payload = {{"org", org->code}, {"org_name", org->name}, {"total", total}, {"rows", rows},
                          {"link", e_.options_.console_base_url + "/#/overdue"}};
    for (const auto& ch : RouteChannels(org->path, 0)) {
      OutboxMessage m;
      m.channel_id = ch.id;
      m.kind = "digest";
      m.payload = payload;
      m.created_at = now_;
      tx_.InsertOutbox(m);
      ++sent;
    }
  }
  tx_.SetScheduleNext(kDigestSchedule, NextDigestTime(now_, e_.options_.digest_hour));
  return sent;
}

}  // namespace dixian::engine
