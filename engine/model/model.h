#pragma once
// The domain records the engine works on. Plain values; storage lives behind engine/store/store.h.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/core/time.h"
#include "engine/model/enums.h"

namespace dixian::engine {

struct Org {
  std::string code;    // administrative division code
  std::string name;
  OrgLevel level = OrgLevel::kVillage;
  std::string parent;  // empty only for a province
  std::string path;    // "/<province>/<city?>/<county>/.../<code>/": subtree = path prefix
};

struct User {
  std::string id;
  std::string name;
  Role role = Role::kVillageClerk;
  std::string org;         // org code (empty for the built-in admin)
  std::string org_path;
  std::optional<Department> department;  // for department_officer
  std::string mobile;
  bool revoked = false;
  Instant created_at = 0;
  // The token stops working at this engine instant (none: until revoked or reissued). Set with
  // the token (creation, reissue); sessions build on it (docs/security.md).
  std::optional<Instant> token_expires_at;
};

struct Household {
  std::string id;
  std::string village;       // org code of the village
  std::string village_path;  // the village's org path
  std::string head_name;
  int members = 0;  // persons: the member list's size when there is one (PersonCount)
  double income_per_capita = 0;
  Instant created_at = 0;
  std::int64_t version = 1;     // optimistic concurrency: +1 per change (PATCH)
  bool registered_poor = false;  // 建档立卡户
  bool away_long_term = false;   // 常年外出
  double rigid_spending = 0;     // 刚性支出 (yuan per year)
  std::string created_by;
  Instant updated_at = 0;
};

// A person of a household. `id_number` is whole inside the store only: it leaves masked
// (MaskIdNumber) through every API answer, log line, chat message and export.
struct Member {
  std::string household;
  int seq = 0;  // order in the household's list
  std::string name;
  Relation relation = Relation::kOther;
  std::string id_number;
  Sex sex = Sex::kMale;
  int birth_year = 0;
  Labour labour = Labour::kFull;
  std::string health, schooling;  // as the clerk words them (健康状况, 在校/就学情况)
};

// Persons of a household as every report counts them: the member list when there is one, else
// the count it was created with. Commands keep `Household::members` equal to the list's size,
// so a sum over the stored count (SQL reports) counts the same.
inline int PersonCount(const Household& household, const std::vector<Member>& members) {
  return members.empty() ? household.members : static_cast<int>(members.size());
}

// A lead (线索): a sign that a household may be at risk, to be verified by its village.
struct Lead {
  std::string id;
  std::string household;
  std::string village_path;
  LeadSource source = LeadSource::kGrassroots;
  std::string indicator;  // what was seen (e.g. 大额医疗支出)
  std::string detail;
  LeadStatus status = LeadStatus::kOpen;
  std::int64_t task = 0;  // the verification task
  std::optional<LeadOutcome> outcome;
  std::string case_id;    // the case it opened or joined
  std::string comment;    // why "no risk"
  std::string created_by;
  Instant created_at = 0;
  std::string resolved_by;
  Instant resolved_at = 0;
};

struct MonitoringObject {
  std::string household;
  MonitoringType type = MonitoringType::kMarginal;
  MonitoringStatus status = MonitoringStatus::kRiskActive;
  std::optional<Cause> primary_cause;
  std::vector<Cause> causes;
  Instant admitted_at = 0;
  std::string contact;        // user id of the contact person (帮扶联系人), may be empty
  Instant updated_at = 0;
};

struct Measure {
  std::int64_t id = 0;
  std::string household;
  std::string kind;  // one of MeasureKinds() (seeds 000, 003)
  std::optional<Cause> cause;  // the risk cause it answers (one of the household's)
  std::string description;
  std::optional<Department> department;
  std::string created_by;
  Instant created_at = 0;
};

struct Visit {
  std::int64_t id = 0;
  std::string household;
  VisitMode mode = VisitMode::kHome;
  std::string note;
  std::string user;
  Instant at = 0;
};

// An attachment (佐证材料): metadata of a file whose bytes the EvidenceStore keeps under their
// SHA-256. It belongs to a case or to a visit (then `case_id` is empty and `visit` set); the
// org path is the household's village path, for permission checks.
struct Attachment {
  std::int64_t id = 0;
  std::string case_id;
  std::int64_t visit = 0;
  std::string household;
  std::string org_path;
  EvidenceKind kind = EvidenceKind::kOther;
  std::string filename;
  std::string content_type;
  std::int64_t size = 0;
  std::string sha256;
  std::string actor;
  Instant at = 0;
};

struct Case {
  std::string id;
  std::string workflow;
  int workflow_version = 0;
  std::string household;
  std::string state;
  std::int64_t version = 0;   // optimistic concurrency: +1 per transition
  std::string org_path;       // the household's village path
  nlohmann::json data = nlohmann::json::object();  // what users entered: free-form, never engine facts
  std::string created_by;
  Instant created_at = 0;
  Instant updated_at = 0;
  bool closed = false;
  // Facts the engine records itself, each in its own column; a `data` key naming one is refused.
  std::optional<Department> department;  // where the case is dispatched (alert remedy)
  std::string threshold_warning;         // the entry criteria the figures miss (empty: none)
  std::string last_actor;                // who moved the case into its current state
  std::string last_from;                 // the state it came from (withdraw goes back there)
};

// The `data` keys that name engine facts (Case above): data given with such a key is refused.
inline constexpr const char* kEngineFactKeys[] = {"department", "threshold_warning", "last_actor",
                                                  "last_from"};

// A unit of work someone must do by a due time: a chain step or a follow-up (handover,
// assign_contact, measures, visit). Timers live on the task: next_fire_at is the next reminder or
// escalation rung to fire, fire_index which one (see engine/tasks).
struct Task {
  std::int64_t id = 0;
  std::string case_id;        // empty for follow-ups
  std::string household;
  std::string workflow;       // the definition the task's timing rules come from
  int workflow_version = 0;
  std::string step;           // state name for chain steps, task kind for follow-ups
  std::string org;            // org code that must act
  std::string org_path;
  Role role = Role::kVillageClerk;
  std::optional<Department> department;  // for department_officer steps
  std::string assignee;       // a user id when a person is named (contact person, transfer)
  Instant created_at = 0;
  Instant due_at = 0;
  TaskStatus status = TaskStatus::kOpen;
  Instant closed_at = 0;
  std::optional<Instant> next_fire_at;
  int fire_index = 0;
  std::string period;         // visits: "2026-03" or "2026-Q1"
};

// A movement of a monitoring object (新识别, 风险消除, 清退, 回退, 变更类型), recorded as the engine
// moves a case into a state whose effects declare it. Persons as reports count them (PersonCount
// once households have member lists: `Household::members` is kept equal to the list's size).
struct Movement {
  std::int64_t id = 0;
  Instant at = 0;
  MovementKind kind = MovementKind::kAdmitted;
  std::string household, village_path, case_id;
  std::string detail;  // admitted / type_changed: the type; removed: the reason (API names)
  std::string detail_label;  // its Chinese label (the workflow's labels, or the type's)
  int persons = 0;
};

struct AuditEvent {
  std::int64_t seq = 0;
  Instant at = 0;
  std::string case_id;
  std::string household;
  std::string actor;       // user id, or "system" for timers
  std::string actor_role;  // the role's API name ("" for system)
  std::string actor_org;
  std::string action;
  std::string from_state;
  std::string to_state;
  std::string comment;
  nlohmann::json data = nlohmann::json::object();  // the event's details, as the chain hashes them
  std::string prev_hash;
  std::string hash;    // HMAC-SHA256 under key_id; plain SHA-256 when key_id is empty (older)
  std::string key_id;  // the master key whose audit key MACs it (engine/audit/audit_chain.h)
};

// A stored response for Idempotency-Key replay, kept for kIdempotencyTtl (engine/idempotency.h).
struct IdempotentReply {
  std::string body_hash;
  int status = 0;
  std::string response;  // never holds a token (the edge renders it without)
  Instant created_at = 0;
};

}  // namespace dixian::engine
