#include "adapters/store/sql/read_ops.h"

#include <map>
#include <tuple>

#include "adapters/store/sql/rows.h"

namespace dixian::store {

template <class Base>
std::optional<engine::Org> SqlReadOps<Base>::FindOrg(const std::string& code) {
  auto st = conn().Prepare("SELECT " DIXIAN_ORG_COLUMNS " FROM orgs WHERE code = ?1");
  st.Bind(1, code);
  return One<engine::Org>(st, OrgFromRow);
}

template <class Base>
std::vector<engine::Org> SqlReadOps<Base>::ChildOrgs(const std::string& code) {
  auto st = conn().Prepare("SELECT " DIXIAN_ORG_COLUMNS " FROM orgs WHERE parent = ?1 OR (?1 = '' AND parent IS NULL) ORDER BY code");
  st.Bind(1, code);
  return Collect<engine::Org>(st, OrgFromRow);
}

template <class Base>
std::optional<engine::User> SqlReadOps<Base>::FindUser(const std::string& id) {
  auto st = conn().Prepare("SELECT " DIXIAN_USER_COLUMNS " FROM users WHERE id = ?1");
  st.Bind(1, id);
  return One<engine::User>(st, UserFromRow);
}

template <class Base>
std::optional<engine::User> SqlReadOps<Base>::FindUserByTokenHash(const std::string& token_hash) {
  if (token_hash.empty()) return std::nullopt;
  auto st = conn().Prepare("SELECT " DIXIAN_USER_COLUMNS " FROM users WHERE token_hash = ?1");
  st.Bind(1, token_hash);
  return One<engine::User>(st, UserFromRow);
}

template <class Base>
std::map<std::string, std::string> SqlReadOps<Base>::ImOf(const std::string& user) {
  auto st = conn().Prepare("SELECT platform, im_id FROM user_im WHERE \"user\" = ?1");
  st.Bind(1, user);
  std::map<std::string, std::string> out;
  while (st.Step()) out[st.Text(0)] = st.Text(1);
  Failed(st);
  return out;
}

template <class Base>
std::optional<engine::User> SqlReadOps<Base>::FindUserByIm(const std::string& platform,
                                                           const std::string& im_id) {
  auto st = conn().Prepare("SELECT " DIXIAN_USER_COLUMNS
                           " FROM users WHERE id ="
                           " (SELECT \"user\" FROM user_im WHERE platform = ?1 AND im_id = ?2)");
  st.Bind(1, platform).Bind(2, im_id);
  return One<engine::User>(st, UserFromRow);
}

template <class Base>
std::vector<engine::User> SqlReadOps<Base>::UsersAt(const std::string& org, engine::Role role) {
  auto st = conn().Prepare("SELECT " DIXIAN_USER_COLUMNS
                           " FROM users WHERE org = ?1 AND role = ?2 ORDER BY id");
  st.Bind(1, org).Bind(2, engine::Name(role));
  return Collect<engine::User>(st, UserFromRow);
}

template <class Base>
std::vector<engine::User> SqlReadOps<Base>::UsersWithRole(engine::Role role) {
  auto st = conn().Prepare("SELECT " DIXIAN_USER_COLUMNS " FROM users WHERE role = ?1 ORDER BY org, id");
  st.Bind(1, engine::Name(role));
  return Collect<engine::User>(st, UserFromRow);
}

template <class Base>
std::optional<engine::Channel> SqlReadOps<Base>::OpenSecrets(StoredChannel row) {
  engine::Channel& c = row.channel;
  if (!secrets_) {
    c.app = AppFromText(row.app_text);
    return std::move(c);
  }
  auto url = secrets_->Open(c.url, ChannelColumn("url", c.id));
  auto secret = url.ok() ? secrets_->Open(c.secret, ChannelColumn("secret", c.id)) : url;
  auto app = !secret.ok() ? secret
             : row.app_text.empty() || !engine::SecretBox::IsSealed(row.app_text)
                 ? engine::Result<std::string>(row.app_text)
                 : secrets_->Open(row.app_text, ChannelColumn("app", c.id));
  if (!app.ok()) {
    RecordError(app.error());
    return std::nullopt;
  }
  c.url = std::move(url.value());
  c.secret = std::move(secret.value());
  c.app = AppFromText(app.value());
  return std::move(c);
}

template <class Base>
std::vector<engine::Channel> SqlReadOps<Base>::ChannelsOf(const std::string& org) {
  auto st = conn().Prepare("SELECT " DIXIAN_CHANNEL_COLUMNS
                           " FROM channels WHERE org = ?1 ORDER BY id");
  st.Bind(1, org);
  std::vector<engine::Channel> channels;
  for (auto& row : Collect<StoredChannel>(st, ChannelFromRow)) {
    auto opened = OpenSecrets(std::move(row));
    if (!opened) return {};
    channels.push_back(std::move(*opened));
  }
  return channels;
}

template <class Base>
std::optional<engine::Channel> SqlReadOps<Base>::FindChannel(const std::string& id) {
  auto st = conn().Prepare("SELECT " DIXIAN_CHANNEL_COLUMNS " FROM channels WHERE id = ?1");
  st.Bind(1, id);
  auto row = One<StoredChannel>(st, ChannelFromRow);
  if (!row) return std::nullopt;
  return OpenSecrets(std::move(*row));
}

template <class Base>
std::optional<engine::Household> SqlReadOps<Base>::FindHousehold(const std::string& id) {
  auto st = conn().Prepare("SELECT " DIXIAN_HOUSEHOLD_COLUMNS " FROM households WHERE id = ?1");
  st.Bind(1, id);
  return One<engine::Household>(st, HouseholdFromRow);
}

template <class Base>
std::optional<engine::MonitoringObject> SqlReadOps<Base>::FindMonitoring(
    const std::string& household) {
  auto st = conn().Prepare("SELECT " DIXIAN_MONITORING_COLUMNS
                           " FROM monitoring WHERE household = ?1");
  st.Bind(1, household);
  return One<engine::MonitoringObject>(st, MonitoringFromRow);
}

template <class Base>
std::vector<engine::MonitoringObject> SqlReadOps<Base>::MonitoringOfContact(
    const std::string& user) {
  auto st = conn().Prepare("SELECT " DIXIAN_MONITORING_COLUMNS
                           " FROM monitoring WHERE contact = ?1 ORDER BY household");
  st.Bind(1, user);
  return Collect<engine::MonitoringObject>(st, MonitoringFromRow);
}

template <class Base>
std::vector<engine::Measure> SqlReadOps<Base>::MeasuresOf(const std::string& household) {
  auto st = conn().Prepare("SELECT " DIXIAN_MEASURE_COLUMNS
                           " FROM measures WHERE household = ?1 ORDER BY id");
  st.Bind(1, household);
  return Collect<engine::Measure>(st, MeasureFromRow);
}

template <class Base>
std::vector<engine::Visit> SqlReadOps<Base>::VisitsOf(const std::string& household) {
  auto st = conn().Prepare("SELECT " DIXIAN_VISIT_COLUMNS
                           " FROM visits WHERE household = ?1 ORDER BY at, id");
  st.Bind(1, household);
  return Collect<engine::Visit>(st, VisitFromRow);
}

template <class Base>
std::optional<engine::Attachment> SqlReadOps<Base>::FindAttachment(std::int64_t id) {
  auto st = conn().Prepare("SELECT " DIXIAN_ATTACHMENT_COLUMNS " FROM attachments WHERE id = ?1");
  st.Bind(1, id);
  return One<engine::Attachment>(st, AttachmentFromRow);
}

template <class Base>
std::optional<std::string> SqlReadOps<Base>::EvidenceBytes(const std::string& sha256) {
  if (conn().dialect() != Dialect::kPostgres) return std::nullopt;  // SQLite: files
  auto st = conn().Prepare("SELECT oid FROM evidence_objects WHERE sha256 = ?1");
  st.Bind(1, sha256);
  const auto oid = One<std::int64_t>(st, [](Statement& s) { return s.Int64(0); });
  if (!oid) return std::nullopt;
  auto bytes = conn().ReadLargeObject(*oid);
  if (!bytes.ok()) {
    RecordError(bytes.error());
    return std::nullopt;
  }
  return std::move(bytes.value());
}

template <class Base>
std::vector<engine::Attachment> SqlReadOps<Base>::AttachmentsOf(const std::string& case_id,
                                                                std::int64_t visit) {
  auto st = conn().Prepare(
      !case_id.empty()
          ? "SELECT " DIXIAN_ATTACHMENT_COLUMNS
            " FROM attachments WHERE case_id = ?1 AND case_id <> '' ORDER BY id"
          : "SELECT " DIXIAN_ATTACHMENT_COLUMNS
            " FROM attachments WHERE visit = ?1 AND visit <> 0 ORDER BY id");
  // One parameter, ?1, either way: PostgreSQL cannot type a $1 a statement leaves unused.
  if (!case_id.empty()) st.Bind(1, case_id);
  else st.Bind(1, visit);
  return Collect<engine::Attachment>(st, AttachmentFromRow);
}

template <class Base>
std::vector<engine::Member> SqlReadOps<Base>::MembersOf(const std::string& household) {
  auto st = conn().Prepare("SELECT " DIXIAN_MEMBER_COLUMNS
                           " FROM members WHERE household = ?1 ORDER BY seq");
  st.Bind(1, household);
  return Collect<engine::Member>(st, MemberFromRow);
}

template <class Base>
std::optional<engine::Member> SqlReadOps<Base>::FindMemberByIdNumber(const std::string& id) {
  auto st = conn().Prepare("SELECT " DIXIAN_MEMBER_COLUMNS " FROM members WHERE id_number = ?1");
  st.Bind(1, id);
  return One<engine::Member>(st, MemberFromRow);
}

template <class Base>
std::vector<engine::AuditEvent> SqlReadOps<Base>::HouseholdChanges(const std::string& household) {
  auto st = conn().Prepare("SELECT " DIXIAN_AUDIT_COLUMNS " FROM audit WHERE household = ?1"
                           " AND action = 'update_household' ORDER BY seq");
  st.Bind(1, household);
  return Collect<engine::AuditEvent>(st, AuditFromRow);
}

template <class Base>
std::optional<engine::Lead> SqlReadOps<Base>::FindLead(const std::string& id) {
  auto st = conn().Prepare("SELECT " DIXIAN_LEAD_COLUMNS " FROM leads WHERE id = ?1");
  st.Bind(1, id);
  return One<engine::Lead>(st, LeadFromRow);
}

template <class Base>
std::vector<engine::Lead> SqlReadOps<Base>::LeadsInSubtree(const std::string& prefix,
                                                           std::optional<engine::LeadStatus> status,
                                                           int limit) {
  auto st = conn().Prepare("SELECT " DIXIAN_LEAD_COLUMNS " FROM leads"
                           " WHERE village_path >= ?1 AND village_path < ?2"
                           " AND (?3 = '' OR status = ?3) ORDER BY created_at, id LIMIT ?4");
  st.Bind(1, prefix).Bind(2, PrefixEnd(prefix)).Bind(3, NameOrEmpty(status)).Bind(4, limit);
  return Collect<engine::Lead>(st, LeadFromRow);
}

template <class Base>
std::vector<engine::Lead> SqlReadOps<Base>::LeadsOfCase(const std::string& case_id) {
  auto st = conn().Prepare("SELECT " DIXIAN_LEAD_COLUMNS " FROM leads"
                           " WHERE case_id = ?1 AND case_id <> '' ORDER BY created_at, id");
  st.Bind(1, case_id);
  return Collect<engine::Lead>(st, LeadFromRow);
}

template <class Base>
std::optional<engine::Case> SqlReadOps<Base>::FindCase(const std::string& id) {
  auto st = conn().Prepare("SELECT " DIXIAN_CASE_COLUMNS " FROM cases WHERE id = ?1");
  st.Bind(1, id);
  return One<engine::Case>(st, CaseFromRow);
}

template <class Base>
std::vector<engine::Case> SqlReadOps<Base>::OpenCasesOf(const std::string& household) {
  auto st = conn().Prepare("SELECT " DIXIAN_CASE_COLUMNS
                           " FROM cases WHERE household = ?1 AND closed = 0 ORDER BY id");
  st.Bind(1, household);
  return Collect<engine::Case>(st, CaseFromRow);
}

template <class Base>
std::vector<engine::AuditEvent> SqlReadOps<Base>::History(const std::string& case_id) {
  auto st = conn().Prepare("SELECT " DIXIAN_AUDIT_COLUMNS
                           " FROM audit WHERE case_id = ?1 ORDER BY seq");
  st.Bind(1, case_id);
  return Collect<engine::AuditEvent>(st, AuditFromRow);
}

template <class Base>
std::optional<engine::Task> SqlReadOps<Base>::FindTask(std::int64_t id) {
  auto st = conn().Prepare("SELECT " DIXIAN_TASK_COLUMNS " FROM tasks WHERE id = ?1");
  st.Bind(1, id);
  return One<engine::Task>(st, TaskFromRow);
}

template <class Base>
std::vector<engine::Task> SqlReadOps<Base>::OpenTasksOfCase(const std::string& case_id) {
  auto st = conn().Prepare("SELECT " DIXIAN_TASK_COLUMNS
                           " FROM tasks WHERE case_id = ?1 AND status = 'open' ORDER BY id");
  st.Bind(1, case_id);
  return Collect<engine::Task>(st, TaskFromRow);
}

template <class Base>
std::vector<engine::Task> SqlReadOps<Base>::OpenTasksOfHousehold(const std::string& household) {
  auto st = conn().Prepare("SELECT " DIXIAN_TASK_COLUMNS
                           " FROM tasks WHERE household = ?1 AND status = 'open' ORDER BY id");
  st.Bind(1, household);
  return Collect<engine::Task>(st, TaskFromRow);
}

namespace {
// ",role1,role2," for instr() matching, so the statement text stays fixed (and cached).
std::string RoleList(const std::vector<engine::Role>& roles) {
  if (roles.empty()) return {};
  std::string list = ",";
  for (const auto r : roles) list += engine::Name(r) + ",";
  return list;
}
}  // namespace

template <class Base>
std::vector<engine::Task> SqlReadOps<Base>::OpenTasksInSubtree(
    const std::string& org_path_prefix, const std::vector<engine::Role>& roles,
    std::optional<engine::Department> department, const std::string& assignee, int limit) {
  auto st = conn().Prepare(
      "SELECT " DIXIAN_TASK_COLUMNS " FROM tasks"
      " WHERE status = 'open' AND org_path >= ?1 AND org_path < ?2"
      "   AND (?3 = '' OR instr(?3, ',' || role || ',') > 0)"
      "   AND (?4 = '' OR department = ?4)"
      " UNION "
      "SELECT " DIXIAN_TASK_COLUMNS " FROM tasks"
      // `assignee <> ''` lets SQLite use the partial index tasks_assignee; without it every
      // inbox read scanned all open tasks (bench/: 33 requests/s at 60,000 open tasks).
      " WHERE ?5 <> '' AND assignee <> '' AND assignee = ?5 AND status = 'open'"
      " ORDER BY 13, 1 LIMIT ?6");
  st.Bind(1, org_path_prefix).Bind(2, PrefixEnd(org_path_prefix)).Bind(3, RoleList(roles));
  st.Bind(4, department ? engine::Name(*department) : std::string()).Bind(5, assignee).Bind(6, limit);
  return Collect<engine::Task>(st, TaskFromRow);
}

// The overdue report and digest aggregate here instead of loading every open task (bench/: 520 MB
// and 9-23 s for a province with 1 M open tasks). Open tasks are counted by the write
// transactions (task_counts, migration 11); only the overdue ones are read, from the due-time
// index that carries the group's columns (SQLite is told to use it: its planner would otherwise
// take tasks_status_path and visit every open task's row).
template <class Base>
std::vector<engine::TaskGroupCount> SqlReadOps<Base>::OpenTaskGroups(const std::string& prefix,
                                                                     engine::Instant now) {
  using Key = std::tuple<std::string, std::string, std::string>;  // assignee, org, role
  std::map<Key, engine::TaskGroupCount> groups;
  auto counted = conn().Prepare(
      "SELECT assignee, org, org_path, role, open_tasks FROM task_counts"
      " WHERE org_path >= ?1 AND org_path < ?2 AND open_tasks > 0");
  counted.Bind(1, prefix).Bind(2, PrefixEnd(prefix));
  while (counted.Step()) {
    auto& g = groups[{counted.Text(0), counted.Text(1), counted.Text(3)}];
    g = {counted.Text(0), counted.Text(1), counted.Text(2),
         EnumFrom(counted.Text(3), engine::Role::kVillageClerk), counted.Int64(4), 0, 0};
  }
  Failed(counted);
  auto late = conn().Prepare(conn().Sql(
      "SELECT assignee, org, role, COUNT(*), MIN(due_at), org_path FROM tasks INDEXED BY tasks_open_due"
      " WHERE status = 'open' AND due_at <= ?3 AND org_path >= ?1 AND org_path < ?2"
      " GROUP BY org_path, org, role, assignee",
      "SELECT assignee, org, role, COUNT(*), MIN(due_at), org_path FROM tasks"
      " WHERE status = 'open' AND due_at <= ?3 AND org_path >= ?1 AND org_path < ?2"
      " GROUP BY org_path, org, role, assignee"));
  late.Bind(1, prefix).Bind(2, PrefixEnd(prefix)).Bind(3, now);
  while (late.Step()) {
    auto& g = groups[{late.Text(0), late.Text(1), late.Text(2)}];
    if (g.org.empty())  // not counted: cannot happen while task_counts is kept
      g = {late.Text(0), late.Text(1), late.Text(5), EnumFrom(late.Text(2), engine::Role::kVillageClerk),
           late.Int64(3), 0, 0};
    g.overdue = late.Int64(3);
    g.oldest_due = late.Int64(4);
  }
  Failed(late);
  std::vector<engine::TaskGroupCount> out;
  out.reserve(groups.size());
  for (auto& [_, g] : groups) out.push_back(std::move(g));
  return out;
}

template <class Base>
std::vector<engine::Task> SqlReadOps<Base>::OpenTasksDueBy(const std::string& prefix,
                                                           const std::string& assignee,
                                                           engine::Instant due_by, int limit) {
  // Two fixed statements so each can use its index (tasks_open_due, tasks_assignee).
  // SQLite is told to use tasks_open_due: it would take tasks_status_path and sort every open
  // task of the subtree (1.7 s for a province of 1 M open tasks).
  auto st = conn().Prepare(
      assignee.empty()
          ? conn().Sql("SELECT " DIXIAN_TASK_COLUMNS " FROM tasks INDEXED BY tasks_open_due"
                       " WHERE status = 'open' AND due_at <= ?3 AND org_path >= ?1 AND org_path < ?2"
                       " AND ?4 = '' ORDER BY due_at, id LIMIT ?5",
                       "SELECT " DIXIAN_TASK_COLUMNS " FROM tasks"
                       " WHERE status = 'open' AND due_at <= ?3 AND org_path >= ?1 AND org_path < ?2"
                       " AND ?4 = '' ORDER BY due_at, id LIMIT ?5")
          : "SELECT " DIXIAN_TASK_COLUMNS " FROM tasks"
            " WHERE assignee <> '' AND assignee = ?4 AND status = 'open' AND due_at <= ?3"
            "   AND org_path >= ?1 AND org_path < ?2"
            " ORDER BY due_at, id LIMIT ?5");
  st.Bind(1, prefix).Bind(2, PrefixEnd(prefix)).Bind(3, due_by).Bind(4, assignee).Bind(5, limit);
  return Collect<engine::Task>(st, TaskFromRow);
}

template <class Base>
std::int64_t SqlReadOps<Base>::CountOpenTasks() {
  auto st = conn().Prepare("SELECT COALESCE(SUM(open_tasks), 0) FROM task_counts");
  return One<std::int64_t>(st, [](const Statement& s) { return s.Int64(0); }).value_or(0);
}

template <class Base>
std::int64_t SqlReadOps<Base>::CountOverdueTasks(engine::Instant now) {
  auto st = conn().Prepare("SELECT COUNT(*) FROM tasks WHERE status = 'open' AND due_at <= ?1");
  st.Bind(1, now);
  return One<std::int64_t>(st, [](const Statement& s) { return s.Int64(0); }).value_or(0);
}

// Reports count monitoring objects (households, and their members as persons) whose village lies
// in the subtree, by type, status and primary cause; the report groups them.
template <class Base>
std::vector<engine::CountRow> SqlReadOps<Base>::CountMonitoring(const std::string& prefix) {
  auto st = conn().Prepare(
      "SELECT m.type, m.status, m.primary_cause, COUNT(*), COALESCE(SUM(h.members), 0)"
      " FROM monitoring m JOIN households h ON h.id = m.household"
      " WHERE m.village_path >= ?1 AND m.village_path < ?2"
      " GROUP BY m.type, m.status, m.primary_cause");
  st.Bind(1, prefix).Bind(2, PrefixEnd(prefix));
  return Collect<engine::CountRow>(st, [](const Statement& s) {
    return engine::CountRow{s.Text(0), s.Text(1), s.Text(2), s.Int64(3), s.Int64(4)};
  });
}

// The China midnight (UTC+8, no DST) that ends the day `?4` seconds after admission: the same
// deadline as a "10d" task opened at admission.
#define DIXIAN_MEASURES_DUE "(((m.admitted_at + 28800 + ?4) / 86400 + 1) * 86400 - 28800)"

template <class Base>
std::vector<engine::VillageTimeliness> SqlReadOps<Base>::Timeliness(
    const std::string& prefix, engine::Instant now, engine::Instant window,
    engine::Instant month_from, engine::Instant month_to) {
  auto st = conn().Prepare(
      "SELECT m.village_path,"
      " SUM(CASE WHEN " DIXIAN_MEASURES_DUE " <= ?3 THEN 1 ELSE 0 END),"
      " SUM(CASE WHEN " DIXIAN_MEASURES_DUE " <= ?3 AND EXISTS(SELECT 1 FROM measures x"
      "   WHERE x.household = m.household AND x.created_at < " DIXIAN_MEASURES_DUE ")"
      "   THEN 1 ELSE 0 END),"
      " SUM(CASE WHEN m.status = 'risk_active' AND m.admitted_at < ?6 THEN 1 ELSE 0 END),"
      " SUM(CASE WHEN m.status = 'risk_active' AND m.admitted_at < ?6 AND EXISTS(SELECT 1"
      "   FROM visits v WHERE v.household = m.household AND v.at >= ?5 AND v.at < ?6)"
      "   THEN 1 ELSE 0 END)"
      " FROM monitoring m"
      " WHERE m.village_path >= ?1 AND m.village_path < ?2 AND m.status <> 'removed'"
      " GROUP BY m.village_path ORDER BY m.village_path");
  st.Bind(1, prefix).Bind(2, PrefixEnd(prefix)).Bind(3, now).Bind(4, window);
  st.Bind(5, month_from).Bind(6, month_to);
  return Collect<engine::VillageTimeliness>(st, [](const Statement& s) {
    return engine::VillageTimeliness{s.Text(0), s.Int64(1), s.Int64(2), s.Int64(3), s.Int64(4)};
  });
}

template <class Base>
std::vector<engine::MeasureCoverageRow> SqlReadOps<Base>::MeasureCoverage(
    const std::string& prefix) {
  auto st = conn().Prepare(
      "SELECT x.kind, m.type, COUNT(DISTINCT x.household), COUNT(*)"
      " FROM measures x JOIN monitoring m ON m.household = x.household"
      " WHERE m.village_path >= ?1 AND m.village_path < ?2 AND m.status <> 'removed'"
      " GROUP BY x.kind, m.type ORDER BY x.kind, m.type");
  st.Bind(1, prefix).Bind(2, PrefixEnd(prefix));
  return Collect<engine::MeasureCoverageRow>(st, [](const Statement& s) {
    return engine::MeasureCoverageRow{s.Text(0), s.Text(1), s.Int64(2), s.Int64(3)};
  });
}

// Unset filters bind NULL and hold for every row, so one statement serves every combination.
// Each filter is NULL when not given. The CASTs give PostgreSQL the parameters' types (it cannot
// infer them from "? IS NULL"); booleans are compared as 0/1 on both stores.
#define DIXIAN_LEDGER_WHERE                                                                  \
  " FROM monitoring m WHERE m.village_path >= ?1 AND m.village_path < ?2"                   \
  " AND (CAST(?3 AS TEXT) IS NULL OR m.type = CAST(?3 AS TEXT))"                            \
  " AND (CAST(?4 AS TEXT) IS NULL OR m.status = CAST(?4 AS TEXT))"                          \
  " AND (CAST(?5 AS BIGINT) IS NULL OR"                                                      \
  "   (CASE WHEN m.status = 'risk_eliminated' THEN 1 ELSE 0 END) = CAST(?5 AS BIGINT))"     \
  " AND (CAST(?6 AS BIGINT) IS NULL OR m.admitted_at >= CAST(?6 AS BIGINT))"                \
  " AND (CAST(?7 AS BIGINT) IS NULL OR m.admitted_at < CAST(?7 AS BIGINT))"                 \
  " AND (CAST(?8 AS BIGINT) IS NULL OR (CASE WHEN EXISTS(SELECT 1 FROM tasks t"             \
  "   WHERE t.household = m.household AND t.status = 'open' AND t.due_at <= ?9)"             \
  "   THEN 1 ELSE 0 END) = CAST(?8 AS BIGINT))"

template <class Base>
engine::LedgerSlice SqlReadOps<Base>::Ledger(const engine::LedgerFilter& f, std::int64_t offset,
                                             int limit) {
  auto bind = [&f](Statement& st) {
    st.Bind(1, f.org_path_prefix).Bind(2, PrefixEnd(f.org_path_prefix));
    if (f.type) st.Bind(3, engine::Name(*f.type)); else st.BindNull(3);
    if (f.status) st.Bind(4, engine::Name(*f.status)); else st.BindNull(4);
    if (f.risk_eliminated) st.Bind(5, *f.risk_eliminated); else st.BindNull(5);
    st.Bind(6, f.admitted_from).Bind(7, f.admitted_to);
    if (f.has_overdue) st.Bind(8, *f.has_overdue); else st.BindNull(8);
    st.Bind(9, f.now);
  };
  engine::LedgerSlice out;
  auto count = conn().Prepare("SELECT COUNT(*)" DIXIAN_LEDGER_WHERE);
  bind(count);
  if (count.Step()) out.total = count.Int64(0);
  Failed(count);
  auto page = conn().Prepare("SELECT m.household" DIXIAN_LEDGER_WHERE
                             " ORDER BY m.village_path, m.household LIMIT ?10 OFFSET ?11");
  bind(page);
  page.Bind(10, limit).Bind(11, offset);
  while (page.Step()) out.households.push_back(page.Text(0));
  Failed(page);
  return out;
}

template <class Base>
std::vector<engine::MovementCount> SqlReadOps<Base>::CountMovements(const std::string& prefix,
                                                                    engine::Instant from,
                                                                    engine::Instant to) {
  auto st = conn().Prepare(
      "SELECT kind, detail, MAX(detail_label), COUNT(*), COALESCE(SUM(persons), 0) FROM movements"
      " WHERE village_path >= ?1 AND village_path < ?2 AND at >= ?3 AND at < ?4"
      " GROUP BY kind, detail ORDER BY kind, detail");
  st.Bind(1, prefix).Bind(2, PrefixEnd(prefix)).Bind(3, from).Bind(4, to);
  return Collect<engine::MovementCount>(st, [](const Statement& s) {
    engine::MovementCount c;
    c.kind = engine::Parse<engine::MovementKind>(s.Text(0)).value_or(c.kind);
    c.detail = s.Text(1);
    c.detail_label = s.Text(2);
    c.households = s.Int64(3);
    c.persons = s.Int64(4);
    return c;
  });
}

template <class Base>
std::vector<engine::AuditEvent> SqlReadOps<Base>::AuditPage(std::int64_t after_seq, int limit) {
  auto st = conn().Prepare("SELECT " DIXIAN_AUDIT_COLUMNS
                           " FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2");
  st.Bind(1, after_seq).Bind(2, limit);
  return Collect<engine::AuditEvent>(st, AuditFromRow);
}

// No index on audit.actor or cases.created_by (no migration of ours): the audit is walked from
// its newest event down and stops at `limit` matches, the cases table is scanned.
template <class Base>
std::vector<engine::AuditEvent> SqlReadOps<Base>::EventsByActor(const std::string& actor,
                                                               int limit) {
  auto st = conn().Prepare("SELECT " DIXIAN_AUDIT_COLUMNS
                           " FROM audit WHERE actor = ?1 ORDER BY seq DESC LIMIT ?2");
  st.Bind(1, actor).Bind(2, limit);
  return Collect<engine::AuditEvent>(st, AuditFromRow);
}

template <class Base>
std::vector<engine::Case> SqlReadOps<Base>::CasesOpenedBy(const std::string& user, int limit) {
  auto st = conn().Prepare("SELECT " DIXIAN_CASE_COLUMNS
                           " FROM cases WHERE created_by = ?1 ORDER BY created_at DESC, id DESC"
                           " LIMIT ?2");
  st.Bind(1, user).Bind(2, limit);
  return Collect<engine::Case>(st, CaseFromRow);
}

template <class Base>
std::vector<engine::Household> SqlReadOps<Base>::SearchHouseholds(const std::string& prefix,
                                                                  const std::string& text,
                                                                  int limit) {
  auto st = conn().Prepare("SELECT " DIXIAN_HOUSEHOLD_COLUMNS " FROM households"
                           " WHERE village_path >= ?1 AND village_path < ?2"
                           "   AND (id = ?3 OR instr(head_name, ?3) > 0)"
                           " ORDER BY id = ?3 DESC, head_name, id LIMIT ?4");
  st.Bind(1, prefix).Bind(2, PrefixEnd(prefix)).Bind(3, text).Bind(4, limit);
  return Collect<engine::Household>(st, HouseholdFromRow);
}

template <class Base>
std::optional<engine::IdempotentReply> SqlReadOps<Base>::FindIdempotent(
    const std::string& principal, const std::string& scope, const std::string& key) {
  auto st = conn().Prepare(
      "SELECT body_hash, status, response, created_at FROM idempotency"
      " WHERE principal = ?1 AND scope = ?2 AND key = ?3");
  st.Bind(1, principal).Bind(2, scope).Bind(3, key);
  return One<engine::IdempotentReply>(st, [](const Statement& s) {
    return engine::IdempotentReply{s.Text(0), s.Int(1), s.Text(2), s.Int64(3)};
  });
}

template <class Base>
std::optional<std::string> SqlReadOps<Base>::Meta(const std::string& key) {
  auto st = conn().Prepare("SELECT value FROM meta WHERE key = ?1");
  st.Bind(1, key);
  return One<std::string>(st, [](const Statement& s) { return s.Text(0); });
}

template class SqlReadOps<engine::ReadView>;
template class SqlReadOps<engine::WriteTx>;

}  // namespace dixian::store
