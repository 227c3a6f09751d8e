// Households, monitoring objects, contact persons, measures and visits.
#include <cmath>
#include <unordered_map>

#include "engine/core/csv.h"
#include "engine/core/json_fields.h"
#include "engine/engine.h"
#include "engine/engine_tx.h"
#include "engine/views.h"

namespace dixian::engine {

using nlohmann::json;

Result<Household> PermittedHousehold(ReadView& view, const Principal& who, const std::string& id,
                                     std::optional<Capability> capability) {
  if (capability)
    if (auto st = RequireRole(who, *capability); !st.ok()) return st.error();
  auto hh = view.FindHousehold(id);
  // Outside the caller's subtree a household reads exactly as one that does not exist.
  if (!hh || !InSubtree(who, hh->village_path))
    return Error::NotFound("household_not_found", "户 " + id + " 不存在 (household not found)");
  return *hh;
}

namespace {

// Validates one household; `village_of` resolves the village code to its org.
Result<Household> HouseholdFrom(const json& body, const std::string& where, Instant now,
                                const std::function<std::optional<Org>(const std::string&)>& village_of) {
  auto id = RequiredString(body, "id", 64, where);
  if (!id.ok()) return id.error();
  if (!IsSafeId(id.value())) return InvalidField(where + "id", "只能包含字母、数字、- _ . (letters, digits, - _ . only)");
  auto village = RequiredString(body, "village", 32, where);
  if (!village.ok()) return village.error();
  auto org = village_of(village.value());
  if (!org) return Error::Unprocessable("unknown_village", where + "village: 村 " + village.value() + " 不存在 (unknown village)");
  if (org->level != "village") return InvalidField(where + "village", org->name + " 不是村级单位 (not a village)");
  auto head = RequiredString(body, "head_name", 100, where);
  if (!head.ok()) return head.error();
  auto members = RequiredInt(body, "members", 1, 50, where);
  if (!members.ok()) return members.error();
  auto income = RequiredNumber(body, "income_per_capita", 0, 10'000'000, where);
  if (!income.ok()) return income.error();
  return Household{id.value(), org->code, org->path, head.value(), static_cast<int>(members.value()), income.value(), now};
}

// Parses a CSV cell the way a JSON body would carry it.
json CsvValue(const std::string& cell, bool number) {
  if (!number) return cell;
  if (cell.empty()) return nullptr;
  char* end = nullptr;
  const double v = std::strtod(cell.c_str(), &end);
  if (end == cell.c_str() || *end != '\0') return cell;  // refused below as "must be a number"
  if (!std::isfinite(v)) return cell;                     // "nan", "inf", 1e999: not a number either
  if (std::fabs(v) < 9e15 && v == static_cast<double>(static_cast<std::int64_t>(v)) && cell.find('.') == std::string::npos)
    return static_cast<std::int64_t>(v);
  return v;
}

// An org the caller knows of (OnPath), else nothing: a village elsewhere reads as unknown.
std::optional<Org> KnownOrg(ReadView& view, const Principal& who, const std::string& code) {
  auto org = view.FindOrg(code);
  if (org && !OnPath(who, org->path)) return std::nullopt;
  return org;
}

Result<MonitoringObject> MonitoredHousehold(WriteTx& tx, const std::string& id) {
  auto m = tx.FindMonitoring(id);
  if (!m || m->status == "removed")
    return Error::Unprocessable("not_monitored", "该户不是监测对象 (household " + id + " is not a monitoring object)");
  return *m;
}

}  // namespace

void Engine::CreateHousehold(Call call, WriteDone done) {
  const Instant now = clock_.Now();
  if (auto st = RequireRole(call.who, Capability::kWriteHouseholds); !st.ok()) return done(st.error());
  SubmitWrite(call, [body = call.body, who = call.who, now](WriteTx& tx) -> Result<json> {
    auto hh = HouseholdFrom(body, "", now, [&tx, &who](const std::string& c) { return KnownOrg(tx, who, c); });
    if (!hh.ok()) return hh.error();
    if (auto st = Require(who, Capability::kWriteHouseholds, hh->village_path); !st.ok()) return st.error();
    if (auto st = tx.InsertHousehold(hh.value()); !st.ok() && st.error().code != ErrorCode::kConflict)
      return st.error();  // e.g. disk full or read-only: 503, not a duplicate
    else if (!st.ok())
      return Error::Conflict("duplicate_household", "户编号 " + hh->id + " 已存在 (household id exists)");
    return HouseholdJson(hh.value());
  }, std::move(done));
}

void Engine::ImportHouseholds(Call call, WriteDone done) {
  auto rows = ParseCsv(call.raw);
  if (!rows.ok()) return done(rows.error());
  if (auto st = CheckCsvHeader(rows.value(), {"id", "village", "head_name", "members", "income_per_capita"}); !st.ok())
    return done(st.error());
  if (auto st = RequireRole(call.who, Capability::kWriteHouseholds); !st.ok()) return done(st.error());
  const Instant now = clock_.Now();
  SubmitWrite(call, [rows = std::move(rows.value()), who = call.who, now](WriteTx& tx) -> Result<json> {
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
      const std::string where = "第 " + std::to_string(r.line) + " 行 (line " + std::to_string(r.line) + "): ";
      if (r.fields.size() != 5) {
        errors += where + "应有 5 列，实际 " + std::to_string(r.fields.size()) + " 列 (expected 5 columns)\n";
        ++bad;
        continue;
      }
      json body = {{"id", r.fields[0]}, {"village", r.fields[1]}, {"head_name", r.fields[2]},
                   {"members", CsvValue(r.fields[3], true)}, {"income_per_capita", CsvValue(r.fields[4], true)}};
      auto hh = HouseholdFrom(body, where, now, village_of);
      Status st = hh.ok() ? Require(who, Capability::kWriteHouseholds, hh->village_path) : Status(hh.error());
      if (st.ok()) {
        if (auto ins = tx.InsertHousehold(hh.value()); !ins.ok() && ins.error().code != ErrorCode::kConflict)
          return ins.error();  // the database refuses writes: the whole import fails with it
        else if (!ins.ok())
          st = Error::Conflict("duplicate_household", where + "户编号 " + hh->id + " 已存在 (duplicate household id)");
      }
      if (!st.ok()) {
        errors += (st.error().message.rfind(where, 0) == 0 ? "" : where) + st.error().message + "\n";
        forbidden = forbidden || st.error().code == ErrorCode::kForbidden;
        ++bad;
      }
    }
    if (forbidden) return Error::Forbidden("导入失败，未写入任何数据：含有您无权写入的户 (nothing imported):\n" + errors);
    if (bad) return Error::Unprocessable("csv_rows_invalid", "导入失败，未写入任何数据 (nothing imported):\n" + errors);
    return json{{"imported", rows.size() - 1}};
  }, std::move(done));
}

void Engine::AssignContact(Call call, WriteDone done) {
  SubmitWrite(call, [this, call](WriteTx& tx) -> Result<json> {
    EngineTx etx(*this, tx);
    auto hh = PermittedHousehold(tx, call.who, call.id, Capability::kAssignContact);
    if (!hh.ok()) return hh.error();
    auto user_id = RequiredString(call.body, "user", 64);
    if (!user_id.ok()) return user_id.error();
    auto user = tx.FindUser(user_id.value());
    if (!user || !OnPath(call.who, user->org_path))  // people elsewhere read as unknown
      return Error::Unprocessable("unknown_user", "user: 用户 " + user_id.value() + " 不存在 (unknown user)");
    if (user->role != "contact_person") return InvalidField("user", "该用户不是帮扶联系人 (user is not a contact_person)");
    if (hh->village_path.rfind(user->org_path, 0) != 0)
      return InvalidField("user", "帮扶联系人所属单位不管辖该户所在村 (contact's org does not cover the village)");
    auto m = MonitoredHousehold(tx, call.id);
    if (!m.ok()) return m.error();
    const std::string previous = m->contact;
    m->contact = user->id;
    m->updated_at = etx.now();
    tx.UpsertMonitoring(m.value());
    for (auto& t : tx.OpenTasksOfHousehold(call.id))  // visits follow the new contact person
      if (t.case_id.empty() && (t.step == "visit" || t.step == "visit_quarterly")) {
        t.assignee = user->id;
        tx.UpdateTask(t);
      }
    etx.CompleteFollowUps(call.id, "assign_contact", call.who);
    AuditEvent ev = EventBy(call.who, call.id, "assign_contact");
    ev.from_state = previous;
    ev.to_state = user->id;
    etx.Audit(ev);
    return json{{"household", call.id}, {"contact", user->id}, {"contact_name", user->name}};
  }, std::move(done));
}

void Engine::RecordMeasure(Call call, WriteDone done) {
  SubmitWrite(call, [this, call](WriteTx& tx) -> Result<json> {
    EngineTx etx(*this, tx);
    auto hh = PermittedHousehold(tx, call.who, call.id, Capability::kRecordMeasure);
    if (!hh.ok()) return hh.error();
    auto m = MonitoredHousehold(tx, call.id);
    if (!m.ok()) return m.error();
    if (call.who.user.role == "contact_person" && m->contact != call.who.user.id)
      return Error::Forbidden("该户不是您联系的监测户 (not a household assigned to you)");
    auto kind = RequiredString(call.body, "kind", 64);
    if (!kind.ok()) return kind.error();
    auto desc = RequiredString(call.body, "description", 2000);
    if (!desc.ok()) return desc.error();
    auto dept = OptionalString(call.body, "department", 32);
    if (!dept.ok()) return dept.error();
    if (!dept.value().empty() && !IsOneOf(dept.value(), kDepartments))
      return InvalidField("department", "未知的行业部门 " + dept.value());
    std::string department = dept.value();
    if (call.who.user.role == "department_officer") {  // a department records its own measures only
      if (!department.empty() && department != call.who.user.department)
        return Error::Forbidden("行业部门只能登记本部门的帮扶措施 (a department records its own measures only)");
      department = call.who.user.department;
    }
    Measure ms{0, call.id, kind.value(), desc.value(), department, call.who.user.id, etx.now()};
    ms.id = tx.InsertMeasure(ms);
    etx.CompleteFollowUps(call.id, "measures", call.who);
    AuditEvent ev = EventBy(call.who, call.id, "record_measure");
    ev.data = {{"kind", ms.kind}, {"department", ms.department}};
    etx.Audit(ev);
    return json{{"id", std::to_string(ms.id)}, {"household", call.id}, {"kind", ms.kind}, {"label", MeasureLabel(ms.kind)},
                {"description", ms.description}, {"department", ms.department}, {"at", FormatRfc3339(ms.created_at)}};
  }, std::move(done));
}

void Engine::LogVisit(Call call, WriteDone done) {
  SubmitWrite(call, [this, call](WriteTx& tx) -> Result<json> {
    EngineTx etx(*this, tx);
    if (auto hh = PermittedHousehold(tx, call.who, call.id, Capability::kReadHouseholds); !hh.ok()) return hh.error();
    auto m = MonitoredHousehold(tx, call.id);
    if (!m.ok()) return m.error();
    if (call.who.user.role != "contact_person" || m->contact != call.who.user.id)
      return Error::Forbidden("只有该户的帮扶联系人可以登记走访 (only the household's contact person logs visits)");
    auto mode = RequiredEnum(call.body, "mode", {"home", "phone", "wechat"});
    if (!mode.ok()) return mode.error();
    auto note = OptionalString(call.body, "note", 2000);
    if (!note.ok()) return note.error();
    Visit v{0, call.id, mode.value(), note.value(), call.who.user.id, etx.now()};
    v.id = tx.InsertVisit(v);
    for (const std::string kind : {"visit", "visit_quarterly"}) {
      if (etx.CompleteFollowUps(call.id, kind, call.who) == 0) continue;
      const auto* def = etx.FollowUpDef(kind);
      const auto period = PeriodOf(def->timing.recurrence, etx.now());
      etx.OpenFollowUp(call.id, kind, NextPeriod(def->timing.recurrence, period));
    }
    return json{{"id", std::to_string(v.id)}, {"household", call.id}, {"mode", v.mode}, {"at", FormatRfc3339(v.at)}};
  }, std::move(done));
}

Result<json> Engine::GetHousehold(const Principal& who, const std::string& id) {
  auto view = store_.Read();
  auto hh = PermittedHousehold(*view, who, id, Capability::kReadHouseholds);
  if (!hh.ok()) return Checked<json>(*view, hh.error());
  json out = HouseholdJson(*hh);
  if (auto village = view->FindOrg(hh->village)) out["village_name"] = village->name;
  if (auto m = view->FindMonitoring(id)) {
    out["monitoring"] = MonitoringJson(*m, view->MeasuresOf(id), view->VisitsOf(id));
    if (!m->contact.empty())
      if (auto c = view->FindUser(m->contact)) out["monitoring"]["contact_name"] = c->name;
  } else {
    out["monitoring"] = nullptr;
  }
  json cases = json::array();
  for (const auto& c : view->OpenCasesOf(id)) cases.push_back({{"id", c.id}, {"workflow", c.workflow}, {"state", c.state}});
  out["open_cases"] = cases;
  return Checked<json>(*view, out);
}

}  // namespace dixian::engine
