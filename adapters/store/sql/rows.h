#pragma once
// Column lists and row readers shared by every query. Each *_COLUMNS macro is a string literal so
// that queries built from it stay literals (the statement cache keys on their address); each
// *FromRow reads the columns in that order starting at column 0.
#include <map>
#include <string>
#include <string_view>

#include "adapters/store/sql/connection.h"
#include "engine/model/model.h"
#include "engine/outbox/outbox.h"

#define DIXIAN_ORG_COLUMNS "code, name, level, COALESCE(parent, ''), path"
#define DIXIAN_USER_COLUMNS \
  "id, name, role, org, org_path, department, mobile, revoked, created_at, token_expires_at"
#define DIXIAN_CHANNEL_COLUMNS \
  "id, org, kind, url, secret, quiet_start_hour, quiet_end_hour, app"
#define DIXIAN_HOUSEHOLD_COLUMNS \
  "id, village, village_path, head_name, members, income_per_capita, created_at, version, " \
  "registered_poor, away_long_term, rigid_spending, created_by, updated_at"
#define DIXIAN_MEMBER_COLUMNS \
  "household, seq, name, relation, id_number, sex, birth_year, labour, health, schooling"
#define DIXIAN_LEAD_COLUMNS                                                                    \
  "id, household, village_path, source, indicator, detail, status, task, outcome, case_id, " \
  "comment, created_by, created_at, resolved_by, resolved_at"
#define DIXIAN_MONITORING_COLUMNS \
  "household, type, status, primary_cause, causes, admitted_at, contact, updated_at"
#define DIXIAN_MEASURE_COLUMNS \
  "id, household, kind, description, department, created_by, created_at, cause"
#define DIXIAN_VISIT_COLUMNS "id, household, mode, note, \"user\", at"
#define DIXIAN_ATTACHMENT_COLUMNS                                                            \
  "id, case_id, visit, household, village_path, kind, filename, content_type, size, sha256, " \
  "actor, at"
#define DIXIAN_CASE_COLUMNS                                                                   \
  "id, workflow, workflow_version, household, state, version, org_path, data, created_by, " \
  "created_at, updated_at, closed, department, threshold_warning, last_actor, last_from"
#define DIXIAN_TASK_COLUMNS                                                                 \
  "id, case_id, household, workflow, workflow_version, step, org, org_path, role, "       \
  "department, assignee, created_at, due_at, status, closed_at, next_fire_at, fire_index, " \
  "period"
#define DIXIAN_AUDIT_COLUMNS                                                                     \
  "seq, at, case_id, household, actor, actor_role, actor_org, action, from_state, to_state, " \
  "comment, data, prev_hash, hash, key_id"
#define DIXIAN_OUTBOX_COLUMNS                                                               \
  "id, COALESCE(message_id, 'msg-' || id), channel_id, kind, urgent, payload, created_at, " \
  "attempts, next_attempt_at, last_error"

namespace dixian::store {

engine::Org OrgFromRow(const Statement& st);
engine::User UserFromRow(const Statement& st);
// A channel row as stored: its app credentials still as text (sealed when a key is in use), for
// the reader to open before parsing.
struct StoredChannel {
  engine::Channel channel;
  std::string app_text;
};
StoredChannel ChannelFromRow(const Statement& st);
// A channel's app settings as stored in channels.app (JSON object of strings; '' = none).
std::map<std::string, std::string> AppFromText(std::string_view text);
std::string AppToText(const std::map<std::string, std::string>& app);
engine::Household HouseholdFromRow(const Statement& st);
engine::Member MemberFromRow(const Statement& st);
engine::Lead LeadFromRow(const Statement& st);
engine::MonitoringObject MonitoringFromRow(const Statement& st);
engine::Measure MeasureFromRow(const Statement& st);
engine::Visit VisitFromRow(const Statement& st);
engine::Attachment AttachmentFromRow(const Statement& st);
engine::Case CaseFromRow(const Statement& st);
engine::Task TaskFromRow(const Statement& st);
engine::AuditEvent AuditFromRow(const Statement& st);
engine::OutboxMessage OutboxFromRow(const Statement& st);

// The associated data of a sealed channel column ("channels.url:<id>"), engine/core/secret_box.h.
std::string ChannelColumn(std::string_view column, std::string_view channel_id);

// Enums are stored by their API names. A name this build does not know (never written by it)
// reads as `fallback`.
template <class E>
E EnumFrom(const std::string& name, E fallback) {
  return engine::Parse<E>(name).value_or(fallback);
}
template <class E>
std::string NameOrEmpty(const std::optional<E>& value) {
  return value ? engine::Name(*value) : std::string();
}

// Outbox notice facts as stored in the payload column ({"facts":{...}}), and back.
std::string NoticeFactsToJson(const engine::NoticeFacts& facts);
// The same text built with nlohmann::json (the reference NoticeFactsToJson must equal; tests).
std::string NoticeFactsToJsonForTest(const engine::NoticeFacts& facts);

// JSON stored as text. Unparsable text reads as `fallback` (never throws).
nlohmann::json ParseJson(std::string_view text, nlohmann::json fallback);
std::string CausesToJson(const std::vector<engine::Cause>& causes);

// The exclusive upper bound of all strings starting with `prefix` (byte order): subtree queries
// are `path >= prefix AND path < PrefixEnd(prefix)`, an index range, never LIKE '%...'.
std::string PrefixEnd(std::string_view prefix);

}  // namespace dixian::store
