#include "engine/commands/leads.h"

#include "engine/commands/cases.h"
#include "engine/commands/members.h"
#include "engine/core/csv.h"
#include "engine/core/fields.h"
#include "engine/core/id_number.h"
#include "engine/engine_tx.h"

namespace dixian::engine {

namespace {

constexpr int kLeadListLimit = 2000;

// The household a lead names, by id or by a member's ID number; elsewhere reads as unknown.
Result<Household> LeadHousehold(WriteTx& tx, const Principal& who, const LeadInput& in,
                                Instant now) {
  if (!in.household.empty()) {
    auto hh = tx.FindHousehold(in.household);
    if (!hh || !InSubtree(who, hh->village_path))
      return Error::Unprocessable("unknown_household", "household：户 " + in.household + " 不存在");
    return *hh;
  }
  if (in.id_number.empty())
    return Error::Unprocessable("missing_field", "缺少必填字段 household 或 id_number");
  std::string id;
  if (auto st = CheckIdNumber("id_number", in.id_number, now, &id); !st.ok()) return st.error();
  auto member = tx.FindMemberByIdNumber(id);
  auto hh = member ? tx.FindHousehold(member->household) : std::nullopt;
  if (!hh || !InSubtree(who, hh->village_path))
    return Error::Unprocessable("unknown_id_number",
                                "id_number：在您管辖的范围内没有家庭成员的身份证号码是 " +
                                    MaskIdNumber(id));
  return *hh;
}

// Which sources a role may record: a department's list is a department's (or the county's), the
// province's red flags the province's.
Status MayRecord(const Principal& who, LeadSource source) {
  if (who.IsAdmin()) return OkStatus();
  if (source == LeadSource::kProvince && !who.Is(Role::kProvinceOfficer))
    return Error::Forbidden("只有省级人员可以下发省级预警线索");
  if (source == LeadSource::kDepartment &&
      !(who.Is(Role::kDepartmentOfficer) || who.Is(Role::kCountyOfficer)))
    return Error::Forbidden("部门筛查预警线索由行业部门或县级人员登记");
  return OkStatus();
}

// Records the lead and opens the verification task the workflow files declare (a task already
// open for the household is shared: one visit verifies every open lead).
Lead Record(EngineTx& etx, const Principal& who, const Household& hh, LeadSource source,
            const std::string& indicator, const std::string& detail) {
  auto& tx = etx.tx();
  Lead lead;
  lead.id = tx.NextLeadId();
  lead.household = hh.id;
  lead.village_path = hh.village_path;
  lead.source = source;
  lead.indicator = indicator;
  lead.detail = detail;
  lead.created_by = who.user.id;
  lead.created_at = etx.now();
  std::vector<std::string> kinds;
  for (const auto& name : etx.workflows().Names())
    if (auto def = etx.workflows().Latest(name))
      for (const auto& effect : def->on_lead) {
        etx.OpenFollowUp(hh.id, effect.task);
        kinds.push_back(effect.task);
      }
  for (const auto& t : tx.OpenTasksOfHousehold(hh.id))
    if (t.case_id.empty() && !kinds.empty() && t.step == kinds.front()) lead.task = t.id;
  tx.InsertLead(lead);
  AuditEvent ev = EventBy(who, hh.id, "record_lead");
  ev.data = {{"lead", lead.id}, {"source", Name(source)}, {"indicator", indicator}};
  etx.Audit(ev);
  return lead;
}

LeadView ViewOf(ReadView& view, const WorkflowRegistry& workflows, Lead lead, Instant now) {
  LeadView out;
  if (auto hh = view.FindHousehold(lead.household)) {
    out.head_name = hh->head_name;
    if (auto village = view.FindOrg(hh->village)) out.village_name = village->name;
  }
  if (lead.task)
    if (auto t = view.FindTask(lead.task); t && t->status == TaskStatus::kOpen)
      out.task = TaskView{*t, StepLabel(workflows, *t), now};
  out.lead = std::move(lead);
  return out;
}

}  // namespace

void RecordLead(Engine& e, Write<LeadView> w, LeadInput in) {
  if (auto st = RequireRole(w.who, Capability::kRecordLead); !st.ok()) return w.done(st.error());
  auto source = RequireEnum<LeadSource>("source", in.source);
  if (!source.ok()) return w.done(source.error());
  if (auto st = MayRecord(w.who, source.value()); !st.ok()) return w.done(st.error());
  if (auto st = RequireText("indicator", in.indicator, 100); !st.ok()) return w.done(st.error());
  if (auto st = LimitText("detail", in.detail, 2000); !st.ok()) return w.done(st.error());
  const Principal who = w.who;
  e.Submit<LeadView>(std::move(w), [who, in = std::move(in),
                                    source = source.value()](EngineTx& etx) -> Result<LeadView> {
    auto hh = LeadHousehold(etx.tx(), who, in, etx.now());
    if (!hh.ok()) return hh.error();
    Lead lead = Record(etx, who, hh.value(), source, in.indicator, in.detail);
    return ViewOf(etx.tx(), etx.workflows(), std::move(lead), etx.now());
  });
}

void ImportLeads(Engine& e, Write<LeadImport> w, CsvInput in) {
  if (auto st = RequireRole(w.who, Capability::kImportLeads); !st.ok()) return w.done(st.error());
  auto rows = ParseCsv(in.csv);
  if (!rows.ok()) return w.done(rows.error());
  if (auto st = CheckCsvHeader(rows.value(), {"id_number", "indicator", "detail"}); !st.ok())
    return w.done(st.error());
  const Principal who = w.who;
  const LeadSource source =
      who.Is(Role::kProvinceOfficer) ? LeadSource::kProvince : LeadSource::kDepartment;
  e.Submit<LeadImport>(std::move(w), [who, source, rows = std::move(rows.value())](
                                         EngineTx& etx) -> Result<LeadImport> {
    auto& tx = etx.tx();
    std::string errors;
    int bad = 0;
    LeadImport out;
    for (size_t i = 1; i < rows.size() && bad < 50; ++i) {
      const auto& r = rows[i];
      const std::string where = "第 " + std::to_string(r.line) + " 行：";
      Status st = r.fields.size() == 3
                      ? OkStatus()
                      : Status(Error::Unprocessable(
                            "csv_columns", "应有 3 列，实际 " + std::to_string(r.fields.size()) + " 列"));
      std::string id;
      if (st.ok())
        if (auto f = CheckIdNumber("id_number", r.fields[0], etx.now(), &id); !f.ok())
          st = f.error();
      if (st.ok()) st = RequireText("indicator", r.fields[1], 100);
      if (st.ok()) st = LimitText("detail", r.fields[2], 2000);
      if (!st.ok()) {
        errors += where + st.error().message + "\n";
        ++bad;
        continue;
      }
      auto member = tx.FindMemberByIdNumber(id);
      auto hh = member ? tx.FindHousehold(member->household) : std::nullopt;
      if (!hh || !InSubtree(who, hh->village_path)) {  // the same answer whether or not it exists
        out.unmatched.push_back({r.line, "在您管辖的范围内没有家庭成员的身份证号码是 " +
                                             MaskIdNumber(id)});
        continue;
      }
      if (!bad) out.leads.push_back(Record(etx, who, *hh, source, r.fields[1], r.fields[2]).id);
    }
    if (bad)
      return Error::Unprocessable("csv_rows_invalid", "导入失败，未写入任何数据：\n" + errors);
    return out;
  });
}

void ResolveLead(Engine& e, Write<LeadView> w, ResolveLeadInput in) {
  if (auto st = RequireRole(w.who, Capability::kResolveLead); !st.ok()) return w.done(st.error());
  const Principal who = w.who;
  e.Submit<LeadView>(std::move(w), [who, in = std::move(in)](EngineTx& etx) -> Result<LeadView> {
    auto& tx = etx.tx();
    auto lead = tx.FindLead(in.lead);
    if (!lead || !InSubtree(who, lead->village_path))
      return Error::NotFound("lead_not_found", "线索 " + in.lead + " 不存在");
    if (lead->status != LeadStatus::kOpen)
      return Error::Conflict("lead_resolved", "线索 " + lead->id + " 已核实办结");
    auto outcome = RequireEnum<LeadOutcome>("outcome", in.outcome);
    if (!outcome.ok()) return outcome.error();
    if (auto st = LimitText("comment", in.comment, 500); !st.ok()) return st.error();
    if (outcome.value() == LeadOutcome::kNoRisk) {
      if (auto st = RequireText("comment", in.comment, 500); !st.ok()) return st.error();
    } else {
      const std::string workflow = Name(outcome.value());  // the API names the chain it opens
      for (const auto& open : tx.OpenCasesOf(lead->household))
        if (open.workflow == workflow) lead->case_id = open.id;  // joined, not duplicated
      if (lead->case_id.empty()) {
        auto opened = OpenCaseIn(etx, who, CaseInput{workflow, lead->household, in.data});
        if (!opened.ok()) return opened.error();
        lead->case_id = opened->c.id;
      }
    }
    lead->status = LeadStatus::kResolved;
    lead->outcome = outcome.value();
    lead->comment = in.comment;
    lead->resolved_by = who.user.id;
    lead->resolved_at = etx.now();
    tx.UpdateLead(lead.value());
    AuditEvent ev = EventBy(who, lead->household, "resolve_lead");
    ev.case_id = lead->case_id;
    ev.comment = in.comment;
    ev.data = {{"lead", lead->id}, {"outcome", Name(outcome.value())}};
    etx.Audit(ev);
    bool others_open = false;  // the verification task is shared by the household's open leads
    for (const auto& other : tx.LeadsInSubtree(lead->village_path, LeadStatus::kOpen, kLeadListLimit))
      others_open = others_open || other.household == lead->household;
    if (!others_open) etx.OnEvent(lead->household, events::kLeadResolved, who);
    return ViewOf(tx, etx.workflows(), std::move(lead.value()), etx.now());
  });
}

Result<std::vector<LeadView>> ListLeads(Engine& e, const Principal& who, const std::string& org,
                                        const std::string& status) {
  using Leads = std::vector<LeadView>;
  if (auto st = RequireRole(who, Capability::kReadLeads); !st.ok()) return st.error();
  auto wanted = OptionalEnum<LeadStatus>("status", status);
  if (!wanted.ok()) return wanted.error();
  auto view = e.store().Read();
  std::string path = who.user.org_path;
  if (!org.empty()) {
    auto o = view->FindOrg(org);
    if (!o || !InSubtree(who, o->path))
      return Checked<Leads>(*view, Error::NotFound("org_not_found", "单位 " + org + " 不存在"));
    path = o->path;
  }
  Leads out;
  for (auto& lead : view->LeadsInSubtree(path, wanted.value(), kLeadListLimit))
    out.push_back(ViewOf(*view, e.workflows(), std::move(lead), e.clock().Now()));
  return Checked<Leads>(*view, std::move(out));
}

Result<LeadView> GetLead(Engine& e, const Principal& who, const std::string& id) {
  if (auto st = RequireRole(who, Capability::kReadLeads); !st.ok()) return st.error();
  auto view = e.store().Read();
  auto lead = view->FindLead(id);
  if (!lead || !InSubtree(who, lead->village_path))
    return Checked<LeadView>(*view, Error::NotFound("lead_not_found", "线索 " + id + " 不存在"));
  return Checked<LeadView>(*view, ViewOf(*view, e.workflows(), std::move(*lead), e.clock().Now()));
}

}  // namespace dixian::engine
