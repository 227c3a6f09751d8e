#include "adapters/store/sql/rows.h"

#include "engine/core/json_string.h"

namespace dixian::store {

engine::Org OrgFromRow(const Statement& st) {
  return {st.Text(0), st.Text(1), EnumFrom(st.Text(2), engine::OrgLevel::kVillage), st.Text(3), st.Text(4)};
}

engine::User UserFromRow(const Statement& st) {
  engine::User u;
  u.id = st.Text(0);
  u.name = st.Text(1);
  const auto role = engine::Parse<engine::Role>(st.Text(2));
  u.role = role.value_or(engine::Role::kContactPerson);
  u.org = st.Text(3);
  u.org_path = st.Text(4);
  u.department = engine::Parse<engine::Department>(st.Text(5));
  u.mobile = st.Text(6);
  u.revoked = st.Int(7) != 0 || !role;  // a role this build does not know: fail closed
  u.created_at = st.Int64(8);
  u.token_expires_at = st.OptionalInt64(9);
  return u;
}

std::string ChannelColumn(std::string_view column, std::string_view channel_id) {
  return "channels." + std::string(column) + ":" + std::string(channel_id);
}

StoredChannel ChannelFromRow(const Statement& st) {
  StoredChannel row;
  engine::Channel& c = row.channel;
  c.id = st.Text(0);
  c.org = st.Text(1);
  c.kind = st.Text(2);
  c.url = st.Text(3);
  c.secret = st.Text(4);
  c.quiet_start_hour = st.Int(5);
  c.quiet_end_hour = st.Int(6);
  row.app_text = st.Text(7);
  return row;
}

// App credentials are this JSON object of strings, sealed at rest like `secret` (read_ops opens it).
std::map<std::string, std::string> AppFromText(std::string_view text) {
  std::map<std::string, std::string> app;
  const nlohmann::json j = ParseJson(text, nlohmann::json::object());
  if (!j.is_object()) return app;
  for (const auto& [key, value] : j.items()) {
    if (value.is_string()) app[key] = value.get<std::string>();
  }
  return app;
}

std::string AppToText(const std::map<std::string, std::string>& app) {
  return app.empty() ? std::string() : nlohmann::json(app).dump();
}

engine::Household HouseholdFromRow(const Statement& st) {
  engine::Household h;
  h.id = st.Text(0);
  h.village = st.Text(1);
  h.village_path = st.Text(2);
  h.head_name = st.Text(3);
  h.members = st.Int(4);
  h.income_per_capita = st.Double(5);
  h.created_at = st.Int64(6);
  h.version = st.Int64(7);
  h.registered_poor = st.Int(8) != 0;
  h.away_long_term = st.Int(9) != 0;
  h.rigid_spending = st.Double(10);
  h.created_by = st.Text(11);
  h.updated_at = st.Int64(12);
  return h;
}

engine::Member MemberFromRow(const Statement& st) {
  engine::Member m;
  m.household = st.Text(0);
  m.seq = st.Int(1);
  m.name = st.Text(2);
  m.relation = EnumFrom(st.Text(3), engine::Relation::kOther);
  m.id_number = st.Text(4);
  m.sex = EnumFrom(st.Text(5), engine::Sex::kMale);
  m.birth_year = st.Int(6);
  m.labour = EnumFrom(st.Text(7), engine::Labour::kFull);
  m.health = st.Text(8);
  m.schooling = st.Text(9);
  return m;
}

engine::Lead LeadFromRow(const Statement& st) {
  engine::Lead l;
  l.id = st.Text(0);
  l.household = st.Text(1);
  l.village_path = st.Text(2);
  l.source = EnumFrom(st.Text(3), engine::LeadSource::kGrassroots);
  l.indicator = st.Text(4);
  l.detail = st.Text(5);
  l.status = EnumFrom(st.Text(6), engine::LeadStatus::kOpen);
  l.task = st.Int64(7);
  l.outcome = engine::Parse<engine::LeadOutcome>(st.Text(8));
  l.case_id = st.Text(9);
  l.comment = st.Text(10);
  l.created_by = st.Text(11);
  l.created_at = st.Int64(12);
  l.resolved_by = st.Text(13);
  l.resolved_at = st.Int64(14);
  return l;
}

engine::MonitoringObject MonitoringFromRow(const Statement& st) {
  engine::MonitoringObject m;
  m.household = st.Text(0);
  m.type = EnumFrom(st.Text(1), engine::MonitoringType::kMarginal);
  m.status = EnumFrom(st.Text(2), engine::MonitoringStatus::kRiskActive);
  m.primary_cause = engine::Parse<engine::Cause>(st.Text(3));
  auto causes = ParseJson(st.Text(4), nlohmann::json::array());
  if (causes.is_array())
    for (const auto& c : causes)
      if (auto cause = c.is_string() ? engine::Parse<engine::Cause>(c.get<std::string>()) : std::nullopt)
        m.causes.push_back(*cause);
  m.admitted_at = st.Int64(5);
  m.contact = st.Text(6);
  m.updated_at = st.Int64(7);
  return m;
}

engine::Measure MeasureFromRow(const Statement& st) {
  engine::Measure m;
  m.id = st.Int64(0);
  m.household = st.Text(1);
  m.kind = st.Text(2);
  m.description = st.Text(3);
  m.department = engine::Parse<engine::Department>(st.Text(4));
  m.created_by = st.Text(5);
  m.created_at = st.Int64(6);
  m.cause = engine::Parse<engine::Cause>(st.Text(7));
  return m;
}

engine::Visit VisitFromRow(const Statement& st) {
  engine::Visit v;
  v.id = st.Int64(0);
  v.household = st.Text(1);
  v.mode = EnumFrom(st.Text(2), engine::VisitMode::kHome);
  v.note = st.Text(3);
  v.user = st.Text(4);
  v.at = st.Int64(5);
  return v;
}

engine::Attachment AttachmentFromRow(const Statement& st) {
  engine::Attachment a;
  a.id = st.Int64(0);
  a.case_id = st.Text(1);
  a.visit = st.Int64(2);
  a.household = st.Text(3);
  a.org_path = st.Text(4);
  a.kind = EnumFrom(st.Text(5), engine::EvidenceKind::kOther);
  a.filename = st.Text(6);
  a.content_type = st.Text(7);
  a.size = st.Int64(8);
  a.sha256 = st.Text(9);
  a.actor = st.Text(10);
  a.at = st.Int64(11);
  return a;
}

engine::Case CaseFromRow(const Statement& st) {
  engine::Case c;
  c.id = st.Text(0);
  c.workflow = st.Text(1);
  c.workflow_version = st.Int(2);
  c.household = st.Text(3);
  c.state = st.Text(4);
  c.version = st.Int64(5);
  c.org_path = st.Text(6);
  c.data = ParseJson(st.Text(7), nlohmann::json::object());
  c.created_by = st.Text(8);
  c.created_at = st.Int64(9);
  c.updated_at = st.Int64(10);
  c.closed = st.Int(11) != 0;
  c.department = engine::Parse<engine::Department>(st.Text(12));
  c.threshold_warning = st.Text(13);
  c.last_actor = st.Text(14);
  c.last_from = st.Text(15);
  return c;
}

engine::Task TaskFromRow(const Statement& st) {
  engine::Task t;
  t.id = st.Int64(0);
  t.case_id = st.Text(1);
  t.household = st.Text(2);
  t.workflow = st.Text(3);
  t.workflow_version = st.Int(4);
  t.step = st.Text(5);
  t.org = st.Text(6);
  t.org_path = st.Text(7);
  t.role = EnumFrom(st.Text(8), engine::Role::kAdmin);
  t.department = engine::Parse<engine::Department>(st.Text(9));
  t.assignee = st.Text(10);
  t.created_at = st.Int64(11);
  t.due_at = st.Int64(12);
  t.status = EnumFrom(st.Text(13), engine::TaskStatus::kCancelled);
  t.closed_at = st.Int64(14);
  t.next_fire_at = st.OptionalInt64(15);
  t.fire_index = st.Int(16);
  t.period = st.Text(17);
  return t;
}

engine::AuditEvent AuditFromRow(const Statement& st) {
  engine::AuditEvent e;
  e.seq = st.Int64(0);
  e.at = st.Int64(1);
  e.case_id = st.Text(2);
  e.household = st.Text(3);
  e.actor = st.Text(4);
  e.actor_role = st.Text(5);
  e.actor_org = st.Text(6);
  e.action = st.Text(7);
  e.from_state = st.Text(8);
  e.to_state = st.Text(9);
  e.comment = st.Text(10);
  e.data = ParseJson(st.Text(11), nlohmann::json::object());
  e.prev_hash = st.Text(12);
  e.hash = st.Text(13);
  e.key_id = st.Text(14);
  return e;
}

engine::OutboxMessage OutboxFromRow(const Statement& st) {
  engine::OutboxMessage m;
  m.id = st.Int64(0);
  m.message_id = st.Text(1);
  m.channel_id = st.Text(2);
  m.kind = st.Text(3);
  m.urgent = st.Int(4) != 0;
  auto payload = ParseJson(st.Text(5), nlohmann::json::object());
  if (auto f = payload.find("facts"); f != payload.end() && f->is_object()) {
    m.facts.task_id = f->value("task", std::int64_t{0});
    m.facts.escalation_level = f->value("up", 0);
    m.facts.text = f->value("text", "");
    m.facts.org = f->value("org", "");
    m.facts.total = f->value("total", std::int64_t{0});
    m.facts.to_user = f->value("to_user", "");
    m.facts.to_im = f->value("to_im", "");
    m.facts.case_id = f->value("case", "");
    m.facts.period = f->value("period", "");
    if (auto ids = f->find("tasks"); ids != f->end() && ids->is_array())
      for (const auto& id : *ids)
        if (id.is_number_integer()) m.facts.task_ids.push_back(id.get<std::int64_t>());
    m.payload = nlohmann::json::object();
    if (!m.facts.text.empty()) m.payload["text"] = m.facts.text;
  } else {
    m.payload = std::move(payload);  // written before schema 5: what it shows, as written then
  }
  m.created_at = st.Int64(6);
  m.attempts = st.Int(7);
  m.next_attempt_at = st.Int64(8);
  m.last_error = st.Text(9);
  return m;
}

nlohmann::json ParseJson(std::string_view text, nlohmann::json fallback) {
  auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return parsed.is_discarded() ? std::move(fallback) : parsed;
}

std::string CausesToJson(const std::vector<engine::Cause>& causes) {
  auto out = nlohmann::json::array();
  for (const auto c : causes) out.push_back(engine::Name(c));
  return out.dump();
}

namespace {

// The facts as nlohmann::json builds and dumps them (the reference; any non-ASCII text).
std::string NoticeFactsThroughJson(const engine::NoticeFacts& f) {
  nlohmann::json facts = nlohmann::json::object();
  if (f.task_id) facts["task"] = f.task_id;
  if (f.escalation_level) facts["up"] = f.escalation_level;
  if (!f.text.empty()) facts["text"] = f.text;
  if (!f.to_user.empty()) {
    facts["to_user"] = f.to_user;
    facts["to_im"] = f.to_im;
  }
  if (!f.case_id.empty()) facts["case"] = f.case_id;
  if (!f.period.empty()) facts["period"] = f.period;
  if (!f.org.empty()) {
    facts["org"] = f.org;
    facts["total"] = f.total;
    facts["tasks"] = f.task_ids;
  }
  return nlohmann::json{{"facts", facts}}.dump();
}

bool Ascii(std::string_view text) {
  for (const char ch : text)
    if (static_cast<unsigned char>(ch) >= 0x80) return false;
  return true;
}

}  // namespace

// Written directly (every new task queues a notice on the writer thread), with the keys in the
// order nlohmann::json sorts them, so the text is the same as NoticeFactsThroughJson's
// (NoticeFactsJsonMatchesNlohmann); strings with non-ASCII bytes go through nlohmann::json, which
// also refuses invalid UTF-8.
std::string NoticeFactsToJson(const engine::NoticeFacts& f) {
  if (!Ascii(f.text) || !Ascii(f.to_user) || !Ascii(f.to_im) || !Ascii(f.case_id) ||
      !Ascii(f.period) || !Ascii(f.org))
    return NoticeFactsThroughJson(f);
  std::string out = "{\"facts\":{";
  bool first = true;
  auto key = [&out, &first](const char* name) {
    if (!first) out += ',';
    first = false;
    out += '"';
    out += name;
    out += "\":";
  };
  auto text = [&](const char* name, const std::string& value) {
    key(name);
    engine::AppendJsonString(out, value);
  };
  // Sorted: case, org, period, task, tasks, text, to_im, to_user, total, up.
  if (!f.case_id.empty()) text("case", f.case_id);
  if (!f.org.empty()) text("org", f.org);
  if (!f.period.empty()) text("period", f.period);
  if (f.task_id) {
    key("task");
    out += std::to_string(f.task_id);
  }
  if (!f.org.empty()) {
    key("tasks");
    out += '[';
    for (std::size_t i = 0; i < f.task_ids.size(); ++i) {
      if (i) out += ',';
      out += std::to_string(f.task_ids[i]);
    }
    out += ']';
  }
  if (!f.text.empty()) text("text", f.text);
  if (!f.to_user.empty()) {
    text("to_im", f.to_im);
    text("to_user", f.to_user);
  }
  if (!f.org.empty()) {
    key("total");
    out += std::to_string(f.total);
  }
  if (f.escalation_level) {
    key("up");
    out += std::to_string(f.escalation_level);
  }
  out += "}}";
  return out;
}

std::string NoticeFactsToJsonForTest(const engine::NoticeFacts& f) { return NoticeFactsThroughJson(f); }

std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  end.append("\xF4\x8F\xBF\xBF");  // U+10FFFF, the highest code point (PostgreSQL text is UTF-8 only)
  return end;
}

}  // namespace dixian::store
