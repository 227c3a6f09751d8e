// Households, monitoring objects, contact persons, measures and visits.
#include "engine/commands/households.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <unordered_map>

#include "engine/audit/events.h"
#include "engine/commands/members.h"
#include "engine/core/csv.h"
#include "engine/core/fields.h"
#include "engine/engine_tx.h"

namespace dixian::engine {

Result<Household> PermittedHousehold(ReadView& view, const Principal& who, const std::string& id,
                                     std::optional<Capability> capability) {
  if (capability)
    if (auto st = RequireRole(who, *capability); !st.ok()) return st.error();
  auto hh = view.FindHousehold(id);
  // Outside the caller's subtree a household reads exactly as one that does not exist.
  if (!hh || !InSubtree(who, hh->village_path))
    return Error::NotFound("household_not_found", "户 " + id + " 不存在");
  return *hh;
}

namespace {

// Validates one household; `village_of` resolves the village code to its org. A member list
// (checked by the caller: MembersFrom) sets the person count.
Result<Household> HouseholdFrom(
    const HouseholdInput& in, Instant now,
    const std::function<std::optional<Org>(const std::string&)>& village_of) {
  if (auto st = RequireSafeId("id", in.id); !st.ok()) return st.error();
  if (auto st = RequireText("village", in.village, 32); !st.ok()) return st.error();
  auto org = village_of(in.village);
  if (!org) return Error::Unprocessable("unknown_village", "village：村 " + in.village + " 不存在");
  if (org->level != OrgLevel::kVillage) return InvalidField("village", org->name + " 不是村级单位");
  if (auto st = RequireText("head_name", in.head_name, 100); !st.ok()) return st.error();
  std::int64_t members = in.persons ? static_cast<std::int64_t>(in.persons->size()) : 0;
  if (!in.persons) {
    if (!in.members) return MissingField("members");
    if (*in.members < 1 || *in.members > 50) return InvalidField("members", "应在 1 到 50 之间");
    members = *in.members;
  }
  if (!in.income_per_capita) return MissingField("income_per_capita");
  if (!(*in.income_per_capita >= 0 && *in.income_per_capita <= 10'000'000))
    return InvalidField("income_per_capita", "应在 0 到 10000000 之间");
  const double rigid = in.rigid_spending.value_or(0);
  if (!(rigid >= 0 && rigid <= 100'000'000))
    return InvalidField("rigid_spending", "应在 0 到 100000000 之间");
  Household hh{in.id,
               org->code,
               org->path,
               in.head_name,
               static_cast<int>(members),
               *in.income_per_capita,
               now};
  hh.registered_poor = in.registered_poor.value_or(false);
  hh.away_long_term = in.away_long_term.value_or(false);
  hh.rigid_spending = rigid;
  hh.updated_at = now;
  return hh;
}

// "1"/"true"/"是" and "0"/"false"/"否"/"" as a CSV flag.
Result<std::optional<bool>> CsvFlag(const std::string& field, const std::string& v) {
  if (v.empty()) return std::optional<bool>();
  if (v == "1" || v == "true" || v == "是") return std::optional<bool>(true);
  if (v == "0" || v == "false" || v == "否") return std::optional<bool>(false);
  return InvalidField(field, "应为 1/是 或 0/否");
}

Result<std::optional<double>> CsvNumber(const std::string& field, const std::string& v) {
  if (v.empty()) return std::optional<double>();
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  if (end == v.c_str() || *end != '\0' || !std::isfinite(x)) return InvalidField(field, "应为数字");
  return std::optional<double>(x);
}

// A CSV row as a household's input: numbers parsed as a JSON body would carry them.
Result<HouseholdInput> CsvHousehold(const std::vector<std::string>& f) {
  HouseholdInput in{f[0], f[1], f[2], std::nullopt, std::nullopt, std::nullopt};
  if (!f[3].empty()) {
    char* end = nullptr;
    const long long n = std::strtoll(f[3].c_str(), &end, 10);
    if (end == f[3].c_str() || *end != '\0') return InvalidField("members", "应为整数");
    in.members = n;
  }
  auto income = CsvNumber("income_per_capita", f[4]);
  if (!income.ok()) return income.error();
  in.income_per_capita = income.value();
  if (f.size() < 8) return in;
  auto poor = CsvFlag("registered_poor", f[5]);
  if (!poor.ok()) return poor.error();
  auto away = CsvFlag("away_long_term", f[6]);
  if (!away.ok()) return away.error();
  auto rigid = CsvNumber("rigid_spending", f[7]);
  if (!rigid.ok()) return rigid.error();
  in.registered_poor = poor.value();
  in.away_long_term = away.value();
  in.rigid_spending = rigid.value();
  return in;
}

// An org the caller knows of (OnPath), else nothing: a village elsewhere reads as unknown.
std::optional<Org> KnownOrg(ReadView& view, const Principal& who, const std::string& code) {
  auto org = view.FindOrg(code);
  if (org && !OnPath(who, org->path)) return std::nullopt;
  return org;
}

Result<MonitoringObject> MonitoredHousehold(WriteTx& tx, const std::string& id) {
  auto m = tx.FindMonitoring(id);
  if (!m || m->status == MonitoringStatus::kRemoved)
    return Error::Unprocessable("not_monitored", "户 " + id + " 不是监测对象");
  return *m;
}

}  // namespace

void CreateHousehold(Engine& e, Write<HouseholdView> w, HouseholdInput in) {
  if (auto st = RequireRole(w.who, Capability::kWriteHouseholds); !st.ok())
    return w.done(st.error());
  const Principal who = w.who;
  e.Submit<HouseholdView>(
      std::move(w), [who, in = std::move(in)](EngineTx& etx) -> Result<HouseholdView> {
        auto& tx = etx.tx();
        auto hh = HouseholdFrom(in, etx.now(), [&tx, &who](const std::string& c) {
          return KnownOrg(tx, who, c);
        });
        if (!hh.ok()) return hh.error();
        if (auto st = Require(who, Capability::kWriteHouseholds, hh->village_path); !st.ok())
          return st.error();
        hh->created_by = who.user.id;
        std::vector<Member> members;
        if (in.persons) {
          auto list = MembersFrom(*in.persons, hh->id, etx.now());
          if (!list.ok()) return list.error();
          members = std::move(list.value());
        }
        if (auto st = tx.InsertHousehold(hh.value());
            !st.ok() && st.error().code != ErrorCode::kConflict)
          return st.error();  // e.g. disk full or read-only: 503, not a duplicate
        else if (!st.ok())
          return Error::Conflict("duplicate_household", "户编号 " + hh->id + " 已存在");
        if (!members.empty()) {
          if (auto st = RequireOwnIdNumbers(tx, who, hh->id, members); !st.ok()) return st.error();
          if (auto st = tx.ReplaceMembers(hh->id, members); !st.ok()) return st.error();
        }
        etx.Audit(HouseholdCreated(who, hh.value(), false));
        HouseholdView out;
        out.household = hh.value();
        out.members = std::move(members);
        return out;
      });
}

void ImportHouseholds(Engine& e, Write<ImportCount> w, CsvInput in) {
  auto rows = ParseCsv(in.csv);
  if (!rows.ok()) return w.done(rows.error());
  const std::vector<std::string> header = {"id", "village", "head_name", "members",
                                           "income_per_capita"};
  std::vector<std::string> full = header;
  full.insert(full.end(), {"registered_poor", "away_long_term", "rigid_spending"});
  const bool with_facts = !rows->empty() && rows->front().fields.size() == full.size();
  if (auto st = CheckCsvHeader(rows.value(), with_facts ? full : header); !st.ok())
    return w.done(st.error());
  const size_t columns = with_facts ? full.size() : header.size();
  if (auto st = RequireRole(w.who, Capability::kWriteHouseholds); !st.ok())
    return w.done(st.error());
  const Principal who = w.who;
  e.Submit<ImportCount>(
      std::move(w),
      [rows = std::move(rows.value()), who, columns](EngineTx& etx) -> Result<ImportCount> {
        auto& tx = etx.tx();
        std::unordered_map<std::string, std::optional<Org>> villages;
        auto village_of = [&](const std::string& code) {
          auto it = villages.find(code);
          if (it == villages.end()) it = villages.emplace(code, KnownOrg(tx, who, code)).first;
          return it->second;
        };
        std::string errors;
        int bad = 0;
        bool forbidden = false;
        for (size_t i = 1; i < rows.size() && bad < 50; ++i) {
          const auto& r = rows[i];
          const std::string where = "第 " + std::to_string(r.line) + " 行：";
          if (r.fields.size() != columns) {
            errors += where + "应有 " + std::to_string(columns) + " 列，实际 " +
                      std::to_string(r.fields.size()) + " 列\n";
            ++bad;
            continue;
          }
          auto input = CsvHousehold(r.fields);
          auto hh = input.ok() ? HouseholdFrom(input.value(), etx.now(), village_of)
                               : Result<Household>(input.error());
          Status st = hh.ok() ? Require(who, Capability::kWriteHouseholds, hh->village_path)
                              : Status(hh.error());
          if (st.ok()) {
            hh->created_by = who.user.id;
            if (auto ins = tx.InsertHousehold(hh.value());
                !ins.ok() && ins.error().code != ErrorCode::kConflict)
              return ins.error();  // the database refuses writes: the whole import fails with it
            else if (!ins.ok())
              st = Error::Conflict("duplicate_household", "户编号 " + hh->id + " 已存在");
            else
              etx.Audit(HouseholdCreated(who, hh.value(), true));
          }
          if (!st.ok()) {
            errors += where + st.error().message + "\n";
            forbidden = forbidden || st.error().code == ErrorCode::kForbidden;
            ++bad;
          }
        }
        if (forbidden)
          return Error::Forbidden("导入失败，未写入任何数据：含有您无权写入的户\n" + errors);
        if (bad)
          return Error::Unprocessable("csv_rows_invalid", "导入失败，未写入任何数据：\n" + errors);
        return ImportCount{static_cast<std::int64_t>(rows.size() - 1)};
      });
}

void AssignContact(Engine& e, Write<ContactAssigned> w, ContactInput in) {
  const Principal who = w.who;
  e.Submit<ContactAssigned>(
      std::move(w), [who, in = std::move(in)](EngineTx& etx) -> Result<ContactAssigned> {
        auto& tx = etx.tx();
        auto hh = PermittedHousehold(tx, who, in.household, Capability::kAssignContact);
        if (!hh.ok()) return hh.error();
        if (auto st = RequireText("user", in.user, 64); !st.ok()) return st.error();
        auto user = tx.FindUser(in.user);
        if (!user || !OnPath(who, user->org_path))  // people elsewhere read as unknown
          return Error::Unprocessable("unknown_user", "user：用户 " + in.user + " 不存在");
        if (user->role != Role::kContactPerson) return InvalidField("user", "该用户不是帮扶联系人");
        if (hh->village_path.rfind(user->org_path, 0) != 0)
          return InvalidField("user", "帮扶联系人所属单位不管辖该户所在村");
        auto m = MonitoredHousehold(tx, in.household);
        if (!m.ok()) return m.error();
        const std::string previous = m->contact;
        m->contact = user->id;
        m->updated_at = etx.now();
        tx.UpsertMonitoring(m.value());
        for (auto& t :
             tx.OpenTasksOfHousehold(in.household)) {  // tasks for the contact person follow
          const TaskDef* def = etx.DefOf(t);
          if (def && def->actor.assignee_contact) {
            t.assignee = user->id;
            tx.UpdateTask(t);
          }
        }
        etx.OnEvent(in.household, events::kContactAssigned, who);
        AuditEvent ev = EventBy(who, in.household, "assign_contact");
        ev.from_state = previous;
        ev.to_state = user->id;
        etx.Audit(ev);
        return ContactAssigned{in.household, user->id, user->name};
      });
}

void RecordMeasure(Engine& e, Write<Measure> w, MeasureInput in) {
  const Principal who = w.who;
  e.Submit<Measure>(std::move(w), [who, in = std::move(in)](EngineTx& etx) -> Result<Measure> {
    auto& tx = etx.tx();
    auto hh = PermittedHousehold(tx, who, in.household, Capability::kRecordMeasure);
    if (!hh.ok()) return hh.error();
    auto m = MonitoredHousehold(tx, in.household);
    if (!m.ok()) return m.error();
    if (who.Is(Role::kContactPerson) && m->contact != who.user.id)
      return Error::Forbidden("该户不是您联系的监测户");
    if (m->status != MonitoringStatus::kRiskActive)  // 004: no help without a risk to answer
      return Error::Unprocessable("risk_not_active",
                                  "该户" + Label(m->status) + "，不能再新增帮扶措施");
    if (auto st = RequireOneOf("kind", in.kind, MeasureKinds()); !st.ok()) return st.error();
    auto cause = OptionalEnum<Cause>("cause", in.cause);
    if (!cause.ok()) return cause.error();
    std::optional<Cause> answers = cause.value() ? cause.value() : m->primary_cause;
    if (cause.value() && *cause.value() != m->primary_cause &&
        std::find(m->causes.begin(), m->causes.end(), *cause.value()) == m->causes.end())
      return InvalidField("cause", "帮扶措施应针对该户的风险类型（" + Label(*cause.value()) +
                                       "不是该户登记的风险）");
    if (auto st = RequireText("description", in.description, 2000); !st.ok()) return st.error();
    auto department = OptionalEnum<Department>("department", in.department);
    if (!department.ok()) return department.error();
    std::optional<Department> dept = department.value();
    if (who.Is(Role::kDepartmentOfficer)) {  // a department records its own measures only
      if (dept && dept != who.user.department)
        return Error::Forbidden("行业部门只能登记本部门的帮扶措施");
      dept = who.user.department;
    }
    Measure ms{0, in.household, in.kind, answers, in.description, dept, who.user.id, etx.now()};
    ms.id = tx.InsertMeasure(ms);
    etx.OnEvent(in.household, events::kMeasureRecorded, who);
    AuditEvent ev = EventBy(who, in.household, "record_measure");
    ev.data = {{"kind", ms.kind},
               {"department", dept ? Name(*dept) : ""},
               {"cause", answers ? Name(*answers) : ""}};
    etx.Audit(ev);
    return ms;
  });
}

void LogVisit(Engine& e, Write<Visit> w, VisitInput in) {
  const Principal who = w.who;
  e.Submit<Visit>(std::move(w), [who, in = std::move(in)](EngineTx& etx) -> Result<Visit> {
    auto& tx = etx.tx();
    auto hh = PermittedHousehold(tx, who, in.household, Capability::kReadHouseholds);
    if (!hh.ok()) return hh.error();
    auto m = MonitoredHousehold(tx, in.household);
    if (!m.ok()) return m.error();
    if (!who.Is(Role::kContactPerson) || m->contact != who.user.id)
      return Error::Forbidden("只有该户的帮扶联系人可以登记走访");
    auto mode = RequireEnum<VisitMode>("mode", in.mode);
    if (!mode.ok()) return mode.error();
    if (mode.value() != VisitMode::kHome && !hh->away_long_term)  // 004: 对常年外出不在家的
      return InvalidField("mode", "电话或微信回访只适用于常年外出的户，其他户每月应入户走访");
    if (auto st = LimitText("note", in.note, 2000); !st.ok()) return st.error();
    Visit v{0, in.household, mode.value(), in.note, who.user.id, etx.now()};
    v.id = tx.InsertVisit(v);
    etx.Audit(VisitLogged(who, v));
    etx.OnEvent(in.household, events::kVisitLogged, who);
    return v;
  });
}

Result<HouseholdView> GetHousehold(Engine& e, const Principal& who, const std::string& id) {
  auto view = e.store().Read();
  auto hh = PermittedHousehold(*view, who, id, Capability::kReadHouseholds);
  if (!hh.ok()) return Checked<HouseholdView>(*view, hh.error());
  HouseholdView out{hh.value(), view->MembersOf(id), "", std::nullopt, view->OpenCasesOf(id)};
  if (auto village = view->FindOrg(hh->village)) out.village_name = village->name;
  if (auto m = view->FindMonitoring(id)) {
    out.monitoring = MonitoringView{*m, view->MeasuresOf(id), view->VisitsOf(id), "", {}};
    // Each visit's files (走访照片) for the page's thumbnails: readable by whoever reads the
    // household, as GET /attachments/{id} answers them.
    for (const auto& v : out.monitoring->visits)
      out.monitoring->visit_attachments.push_back(view->AttachmentsOf("", v.id));
    if (!m->contact.empty())
      if (auto c = view->FindUser(m->contact)) out.monitoring->contact_name = c->name;
  }
  return Checked<HouseholdView>(*view, std::move(out));
}

Result<std::vector<PersonView>> ContactCandidates(Engine& e, const Principal& who,
                                                  const std::string& household) {
  using People = std::vector<PersonView>;
  auto view = e.store().Read();
  auto hh = PermittedHousehold(*view, who, household, Capability::kAssignContact);
  if (!hh.ok()) return Checked<People>(*view, hh.error());
  // Nearest first: the village's own contact persons, then the township's, ...
  auto users = UsersAlong(*view, hh->village_path, Role::kContactPerson);
  std::reverse(users.begin(), users.end());
  People out;
  for (auto& u : users) out.push_back(PersonOf(*view, std::move(u)));
  return Checked<People>(*view, std::move(out));
}

Result<std::vector<TaskView>> HouseholdTasks(Engine& e, const Principal& who,
                                             const std::string& id) {
  using Tasks = std::vector<TaskView>;
  auto view = e.store().Read();
  if (auto hh = PermittedHousehold(*view, who, id, Capability::kReadHouseholds); !hh.ok())
    return Checked<Tasks>(*view, hh.error());
  return Checked<Tasks>(
      *view, EnrichedTasks(*view, e.workflows(), view->OpenTasksOfHousehold(id), e.clock().Now()));
}

}  // namespace dixian::engine
