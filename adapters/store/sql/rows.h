#pragma once
// Column lists and row readers shared by every query. Each *_COLUMNS macro is a string literal so
// that queries built from it stay literals (the statement cache keys on their address); each
// *FromRow reads the columns in that order starting at column 0.
#include <string>
#include <string_view>

#include "adapters/store/sql/connection.h"
#include "engine/model/model.h"
#include "engine/outbox/outbox.h"

#define DIXIAN_ORG_COLUMNS "code, name, level, COALESCE(parent, ''), path"
#define DIXIAN_USER_COLUMNS "id, name, role, org, org_path, department, mobile, revoked, created_at"
#define DIXIAN_CHANNEL_COLUMNS \
  "id, org, kind, url, secret, quiet_start_hour, quiet_end_hour"
#define DIXIAN_HOUSEHOLD_COLUMNS \
  "id, village, village_path, head_name, members, income_per_capita, created_at"
#define DIXIAN_MONITORING_COLUMNS \
  "household, type, status, primary_cause, causes, admitted_at, contact, updated_at"
#define DIXIAN_MEASURE_COLUMNS \
  "id, household, kind, description, department, created_by, created_at"
#define DIXIAN_VISIT_COLUMNS "id, household, mode, note, \"user\", at"
#define DIXIAN_CASE_COLUMNS                                                                   \
  "id, workflow, workflow_version, household, state, version, org_path, data, created_by, " \
  "created_at, updated_at, closed, department, threshold_warning, last_actor, last_from"
#define DIXIAN_TASK_COLUMNS                                                                 \
  "id, case_id, household, workflow, workflow_version, step, org, org_path, role, "       \
  "department, assignee, created_at, due_at, status, closed_at, next_fire_at, fire_index, " \
  "period"
#define DIXIAN_AUDIT_COLUMNS                                                                     \
  "seq, at, case_id, household, actor, actor_role, actor_org, action, from_state, to_state, " \
  "comment, data, prev_hash, hash"
#define DIXIAN_OUTBOX_COLUMNS                                                               \
  "id, COALESCE(message_id, 'msg-' || id), channel_id, kind, urgent, payload, created_at, " \
  "attempts, next_attempt_at, last_error"

namespace dixian::store {

engine::Org OrgFromRow(const Statement& st);
engine::User UserFromRow(const Statement& st);
engine::Channel ChannelFromRow(const Statement& st);
engine::Household HouseholdFromRow(const Statement& st);
engine::MonitoringObject MonitoringFromRow(const Statement& st);
engine::Measure MeasureFromRow(const Statement& st);
engine::Visit VisitFromRow(const Statement& st);
engine::Case CaseFromRow(const Statement& st);
engine::Task TaskFromRow(const Statement& st);
engine::AuditEvent AuditFromRow(const Statement& st);
engine::OutboxMessage OutboxFromRow(const Statement& st);

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

// JSON stored as text. Unparsable text reads as `fallback` (never throws).
nlohmann::json ParseJson(std::string_view text, nlohmann::json fallback);
std::string CausesToJson(const std::vector<engine::Cause>& causes);

// The exclusive upper bound of all strings starting with `prefix` (byte order): subtree queries
// are `path >= prefix AND path < PrefixEnd(prefix)`, an index range, never LIKE '%...'.
std::string PrefixEnd(std::string_view prefix);

}  // namespace dixian::store
