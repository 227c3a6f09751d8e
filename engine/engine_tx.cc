#include "engine/engine_tx.h"

#include <algorithm>
#include <functional>
#include <mutex>
#include <set>

#include "engine/core/sha256.h"

namespace dixian::engine {

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

std::vector<User> UsersAlong(ReadView& view, const std::string& path, Role role) {
  std::vector<User> out;
  for (const auto& code : PathCodes(path))
    for (auto& u : view.UsersAt(code, role))
      if (!u.revoked) out.push_back(std::move(u));
  return out;
}

PersonView PersonOf(ReadView& view, User user) {
  auto org = view.FindOrg(user.org);
  return {std::move(user), org ? org->name : ""};
}

AuditEvent EventBy(const Principal& who, const std::string& household, const std::string& action) {
  AuditEvent ev;
  ev.household = household;
  ev.actor = who.user.id;
  ev.actor_role = Name(who.user.role);
  ev.actor_org = who.user.org;
  ev.action = action;
  return ev;
}

std::int64_t EngineTx::Audit(AuditEvent event) {
  event.at = now_;
  event.prev_hash = tx_.LastAuditHash();
  e_.audit_chain_.Seal(event);
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

std::optional<Org> EngineTx::OrgAt(const std::string& village_path, OrgLevel level) {
  const int want = Rank(level);
  const auto codes = PathCodes(village_path);
  {  // Every org of the path cached (the usual case): one lock, one copy (the org chosen).
    std::lock_guard lock(e_.cache_mu_);
    const Org* best = nullptr;
    bool cached = true;
    for (const auto& code : codes) {
      auto it = e_.org_cache_.find(code);
      if (it == e_.org_cache_.end()) {
        cached = false;
        break;
      }
      const int rank = Rank(it->second.level);
      if (rank == want) return it->second;
      if (rank < want) best = &it->second;  // the nearest level above, as below
    }
    if (cached) return best ? std::optional<Org>(*best) : std::nullopt;
  }
  std::optional<Org> best;
  for (const auto& code : codes) {
    auto org = FindOrg(code);
    if (!org) continue;
    const int rank = Rank(org->level);
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

const TaskDef* EngineTx::DefOf(const Task& task) {
  if (!task.case_id.empty()) return nullptr;
  auto def = e_.workflows_.Version(task.workflow, task.workflow_version);
  return def ? def->Task(task.step) : nullptr;
}

const Timing* EngineTx::TimingOf(const Task& task) {
  if (task.case_id.empty()) {
    const auto* t = DefOf(task);
    return t ? &t->timing : nullptr;
  }
  auto def = e_.workflows_.Version(task.workflow, task.workflow_version);
  const auto* s = def ? def->State(task.step) : nullptr;
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

std::string StepLabel(const WorkflowRegistry& workflows, const Task& task) {
  auto def = workflows.Version(task.workflow, task.workflow_version);
  if (!def) return task.step;
  if (task.case_id.empty()) {
    const auto* t = def->Task(task.step);
    return t ? t->label : task.step;
  }
  const auto* s = def->State(task.step);
  return s ? def->label + "·" + s->label : task.step;
}

std::optional<Task> EngineTx::OpenStepTask(const Case& c, const WorkflowDef& def) {
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
  if (st->actor->department_from_case) t.department = c.department;
  if (st->actor->assignee_contact) {
    if (auto m = tx_.FindMonitoring(c.household)) t.assignee = m->contact;
  }
  t.created_at = now_;
  t.due_at = st->timing.deadline ? DueTime(*st->timing.deadline, now_, e_.calendar_) : now_ + 365 * kDaySeconds;
  ScheduleTimers(t, st->timing);
  t.id = tx_.InsertTask(t);
  Notify(t, NoticeKind::kNewTask, 0, false);
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
    if (open.case_id.empty() && open.step == kind && open.period == period) return;  // already open
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
  Notify(t, NoticeKind::kNewTask, 0, false);
}

void EngineTx::CloseTask(Task task, TaskStatus status) {
  task.status = status;
  task.closed_at = now_;
  task.next_fire_at.reset();
  tx_.UpdateTaskClosed(task);
}

void EngineTx::CloseTasks(std::vector<Task> tasks, TaskStatus status) {
  for (auto& t : tasks) CloseTask(std::move(t), status);
}

void EngineTx::CompleteFollowUp(const Task& t, const Principal& who) {
  CloseTask(t, TaskStatus::kDone);
  AuditEvent ev = EventBy(who, t.household, "task_done");
  ev.from_state = t.step;
  ev.to_state = "done";
  ev.data = {{"task", std::to_string(t.id)}, {"late", now_ >= t.due_at}};
  if (!t.period.empty()) ev.data["period"] = t.period;
  Audit(ev);
  const TaskDef* def = DefOf(t);
  if (def && !def->timing.recurrence.empty()) {  // the next period's opens (once: OpenFollowUp checks)
    const auto& recurrence = def->timing.recurrence;
    OpenFollowUp(t.household, t.step, NextPeriod(recurrence, PeriodOf(recurrence, now_)));
  }
}

int EngineTx::OnEvent(const std::string& household, const std::string& event, const Principal& who) {
  int n = 0;
  for (auto& t : tx_.OpenTasksOfHousehold(household)) {
    const TaskDef* def = DefOf(t);
    if (!def || def->completed_by != event) continue;
    if (!t.period.empty() && t.period > PeriodOf(def->timing.recurrence, now_)) continue;  // a later period's
    CompleteFollowUp(t, who);
    ++n;
  }
  return n;
}

namespace {

// The threshold warning for the figures in `data`, or "" when they meet a criterion (or the
// income is not given: nothing to weigh).
std::string ThresholdWarning(const Thresholds& t, const EffectDef& e, const nlohmann::json& data) {
  auto number = [&data](const std::string& key, double fallback) {  // a non-number reads as absent
    if (key.empty()) return fallback;
    auto it = data.find(key);
    return it != data.end() && it->is_number() ? it->get<double>() : fallback;
  };
  const double income = number(e.income_field, -1.0);
  const double spending = number(e.rigid_spending_field, 0.0);
  const double last_income = number(e.last_year_income_field, 0.0);
  const double drop = number(e.income_drop_field, 0.0);
  const bool below_line = income >= 0 && income < t.income_line;
  const bool rigid = last_income > 0 && spending > last_income * t.rigid_spending_ratio;
  const bool dropped = drop >= t.income_drop_ratio;
  if (below_line || rigid || dropped || income < 0) return {};
  return "申报数据未达到纳入标准：人均纯收入 " + std::to_string(static_cast<long long>(income)) + " 元不低于监测范围 " +
         std::to_string(static_cast<long long>(t.income_line)) + " 元，且刚性支出与收入骤减均未达标准，请乡镇审慎审核";
}

template <class E>
std::optional<E> EnumFromData(const nlohmann::json& data, const std::string& field) {
  if (field.empty()) return std::nullopt;
  auto it = data.find(field);
  if (it == data.end() || !it->is_string()) return std::nullopt;
  return Parse<E>(it->get<std::string>());
}

// Applies a set_monitoring row to the household's object (created when admitting). False when
// there is no object to change.
bool SetMonitoring(const EffectDef& e, const Case& c, Instant now, std::optional<MonitoringObject>& object) {
  if (!object && !e.admit) return false;
  MonitoringObject m = object.value_or(MonitoringObject{});
  m.household = c.household;
  if (auto type = EnumFromData<MonitoringType>(c.data, e.type_field)) m.type = *type;
  if (auto cause = EnumFromData<Cause>(c.data, e.primary_cause_field)) m.primary_cause = *cause;
  if (!e.causes_field.empty()) {
    if (e.admit) m.causes.clear();
    if (auto it = c.data.find(e.causes_field); it != c.data.end() && it->is_array()) {
      m.causes.clear();
      for (const auto& v : *it)
        if (auto cause = v.is_string() ? Parse<Cause>(v.get<std::string>()) : std::nullopt) m.causes.push_back(*cause);
    }
  }
  if (e.status) m.status = *e.status;
  if (e.admit) m.admitted_at = now;
  m.updated_at = now;
  object = m;
  return true;
}

}  // namespace

void EngineTx::RunEffects(Case& c, const std::vector<EffectDef>& effects) {
  std::optional<std::optional<MonitoringObject>> object;  // read once, kept current below
  for (const auto& e : effects) {
    switch (e.op) {
      case EffectDef::Op::kSetMonitoring:
        if (!object) object = tx_.FindMonitoring(c.household);
        if (SetMonitoring(e, c, now_, *object)) tx_.UpsertMonitoring(**object);
        break;
      case EffectDef::Op::kOpenTask:
        OpenFollowUp(c.household, e.task);
        break;
      case EffectDef::Op::kCancelTasks:
        for (auto& t : tx_.OpenTasksOfHousehold(c.household))
          if (t.case_id.empty() && (e.tasks.empty() || std::find(e.tasks.begin(), e.tasks.end(), t.step) != e.tasks.end()))
            CloseTask(t, TaskStatus::kCancelled);
        break;
      case EffectDef::Op::kWarnEntryThresholds:
        c.threshold_warning = ThresholdWarning(e_.options_.thresholds, e, c.data);
        break;
      case EffectDef::Op::kAnnounce:
        Announce(c, e);
        break;
      case EffectDef::Op::kRecordMovement:
        RecordMovement(c, e);
        break;
    }
  }
}

std::vector<Channel> EngineTx::RouteChannels(const std::string& org_path, int up) {
  const auto& person_platform = e_.options_.channel_kinds.person_platform;
  const auto codes = PathCodes(org_path);
  for (int i = static_cast<int>(codes.size()) - 1 - up; i >= 0; --i) {
    auto channels = ChannelsOf(codes[static_cast<size_t>(i)]);
    if (person_platform)
      std::erase_if(channels, [&](const Channel& c) { return !person_platform(c.kind).empty(); });
    if (!channels.empty()) return channels;
  }
  return {};
}

std::optional<std::pair<Channel, std::string>> EngineTx::NearestAppChannel(
    const std::string& org_path) {
  const auto& person_platform = e_.options_.channel_kinds.person_platform;
  if (!person_platform) return std::nullopt;
  const auto codes = PathCodes(org_path);
  for (auto it = codes.rbegin(); it != codes.rend(); ++it) {
    for (const auto& c : ChannelsOf(*it))
      if (auto platform = person_platform(c.kind); !platform.empty()) return std::pair{c, platform};
  }
  return std::nullopt;
}

bool EngineTx::NotifyPersons(const Task& task, NoticeKind kind, bool urgent,
                             const NoticeFacts& facts) {
  const auto app = NearestAppChannel(task.org_path);
  if (!app) return false;
  std::vector<User> people;
  if (!task.assignee.empty()) {
    if (auto u = tx_.FindUser(task.assignee); u && !u->revoked) people.push_back(*u);
  } else {
    for (auto& u : tx_.UsersAt(task.org, task.role))
      if (!u.revoked && (!task.department || u.department == task.department))
        people.push_back(std::move(u));
  }
  std::size_t reached = 0;
  for (const auto& u : people) {
    const auto im = tx_.ImOf(u.id);
    const auto id = im.find(app->second);
    if (id == im.end()) continue;
    NoticeFacts to_person = facts;
    to_person.to_user = u.id;
    to_person.to_im = id->second;
    QueueNotice({app->first}, kind, urgent, std::move(to_person));
    ++reached;
  }
  return reached > 0 && reached == people.size();
}

void EngineTx::QueueNotice(const std::vector<Channel>& channels, NoticeKind kind, bool urgent, NoticeFacts facts) {
  for (const auto& ch : channels) {
    OutboxMessage m;
    m.channel_id = ch.id;
    m.kind = Name(kind);
    m.urgent = urgent;
    m.facts = facts;
    m.created_at = now_;
    tx_.InsertOutbox(m);
  }
}

// A task or reminder goes to the people it waits for, through the nearest app channel; the group
// robots keep escalations and digests, and the notices of people the app cannot reach.
void EngineTx::Notify(const Task& task, NoticeKind kind, int up, bool urgent,
                      const std::string& note) {
  NoticeFacts facts;
  facts.task_id = task.id;
  facts.escalation_level = up;
  facts.text = note;
  if (up == 0 && kind != NoticeKind::kEscalation && NotifyPersons(task, kind, urgent, facts))
    return;
  const auto channels = RouteChannels(task.org_path, up);
  if (channels.empty()) return;
  QueueNotice(channels, kind, urgent, std::move(facts));
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
    if (p.kind == FirePoint::Kind::kPeriodEnd) {
      if (PassNotice(task)) return;  // closed with its case's move
      task.next_fire_at.reset();
      tx_.UpdateTaskTimer(task);
      return;
    }
    Notify(task, NoticeOf(p.kind), p.up, p.kind != FirePoint::Kind::kReminder);
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
  for (const auto& u : tx_.UsersWithRole(Role::kSupervisor)) orgs.insert(u.org);
  int sent = 0;
  for (const auto& code : orgs) {
    auto org = FindOrg(code);
    if (!org) continue;
    // Only the oldest 200 overdue tasks are loaded; the total is counted in SQL.
    const auto tasks = tx_.OpenTasksDueBy(org->path, "", now_, 200);
    if (tasks.empty()) continue;
    std::int64_t total = 0;
    for (const auto& g : tx_.OpenTaskGroups(org->path, now_)) total += g.overdue;
    NoticeFacts facts;
    facts.org = org->code;
    facts.total = total;
    for (const auto& t : tasks) facts.task_ids.push_back(t.id);
    const auto channels = RouteChannels(org->path, 0);
    QueueNotice(channels, NoticeKind::kDigest, false, std::move(facts));
    sent += static_cast<int>(channels.size());
  }
  tx_.SetScheduleNext(kDigestSchedule, NextDigestTime(now_, e_.options_.digest_hour));
  return sent;
}

}  // namespace dixian::engine
