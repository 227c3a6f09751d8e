#pragma once
// The domain records the engine works on. Plain values; storage lives behind engine/store/store.h.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/core/time.h"

namespace dixian::engine {

// Org levels, top to bottom. The city level is optional per province.
inline constexpr const char* kLevels[] = {"province", "city", "county", "township", "village"};
int LevelRank(const std::string& level);  // province 0 ... village 4; -1 if unknown

struct Org {
  std::string code;    // administrative division code
  std::string name;
  std::string level;   // province | city | county | township | village
  std::string parent;  // empty only for a province
  std::string path;    // "/<province>/<city?>/<county>/.../<code>/": subtree = path prefix
};

struct User {
  std::string id;
  std::string name;
  std::string role;        // village_clerk, township_reviewer, county_officer, department_officer,
                           // province_officer, contact_person, supervisor, admin
  std::string org;         // org code (empty for the built-in admin)
  std::string org_path;
  std::string department;  // for department_officer
  std::string mobile;
  bool revoked = false;
  Instant created_at = 0;
};

struct Household {
  std::string id;
  std::string village;       // org code of the village
  std::string village_path;  // the village's org path
  std::string head_name;
  int members = 0;
  double income_per_capita = 0;
  Instant created_at = 0;
};

struct MonitoringObject {
  std::string household;
  std::string type;           // unstable_former_poor | marginal | sudden_hardship
  std::string status;         // risk_active | risk_eliminated | removed
  std::string primary_cause;  // illness, disability, ... (API.md)
  std::vector<std::string> causes;
  Instant admitted_at = 0;
  std::string contact;        // user id of the contact person (帮扶联系人), may be empty
  Instant updated_at = 0;
};

struct Measure {
  std::int64_t id = 0;
  std::string household;
  std::string kind;
  std::string description;
  std::string department;
  std::string created_by;
  Instant created_at = 0;
};

struct Visit {
  std::int64_t id = 0;
  std::string household;
  std::string mode;  // home | phone | wechat
  std::string note;
  std::string user;
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
  nlohmann::json data = nlohmann::json::object();
  std::string created_by;
  Instant created_at = 0;
  Instant updated_at = 0;
  bool closed = false;
};

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
  std::string role;
  std::string department;     // for department_officer steps
  std::string assignee;       // a user id when a person is named (contact person, transfer)
  Instant created_at = 0;
  Instant due_at = 0;
  std::string status = "open";  // open | done | cancelled
  Instant closed_at = 0;
  std::optional<Instant> next_fire_at;
  int fire_index = 0;
  std::string period;         // visits: "2026-03" or "2026-Q1"
};

struct AuditEvent {
  std::int64_t seq = 0;
  Instant at = 0;
  std::string case_id;
  std::string household;
  std::string actor;       // user id, or "system" for timers
  std::string actor_role;
  std::string actor_org;
  std::string action;
  std::string from_state;
  std::string to_state;
  std::string comment;
  nlohmann::json data = nlohmann::json::object();
  std::string prev_hash;
  std::string hash;
};

// A stored response for Idempotency-Key replay, kept for kIdempotencyTtl (engine/idempotency.h).
struct IdempotentReply {
  std::string body_hash;
  int status = 0;
  std::string response;  // never holds a token: see StorableReply
  Instant created_at = 0;
};

}  // namespace dixian::engine
