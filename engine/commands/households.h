#pragma once
// Households, monitoring objects, contact persons, measures and visits.
#include <optional>
#include <string>
#include <vector>

#include "engine/commands/admin.h"
#include "engine/commands/views.h"
#include "engine/commands/write.h"

namespace dixian::engine {

// Fields are as the caller gave them ("" or nullopt = absent); the command checks them.
struct MemberInput {
  std::string name, relation, id_number, sex, labour, health, schooling;
  std::optional<std::int64_t> birth_year;
};

struct HouseholdInput {
  std::string id, village, head_name;
  std::optional<std::int64_t> members;              // a count of persons, or
  std::optional<std::vector<MemberInput>> persons;  // the members as persons
  std::optional<double> income_per_capita;
  std::optional<bool> registered_poor, away_long_term;
  std::optional<double> rigid_spending;
};

// PATCH: what is given changes; `members` (a list) replaces the whole list.
struct HouseholdPatch {
  std::string id;
  std::optional<std::int64_t> expected_version;
  std::optional<std::string> head_name;
  std::optional<std::vector<MemberInput>> persons;
  std::optional<double> income_per_capita, rigid_spending;
  std::optional<bool> registered_poor, away_long_term;
  std::string comment;  // the county's reason when it overrides a type rule
};

struct HouseholdChange {  // one entry of GET /households/{id}/changes (ID numbers masked)
  Instant at = 0;
  std::string actor, actor_name, field;
  nlohmann::json from, to;
};

struct ContactInput {
  std::string household, user;
};

struct ContactAssigned {
  std::string household, contact, contact_name;
};

struct MeasureInput {
  std::string household, kind, description, department;
  std::string cause;  // empty: the household's primary cause
};

struct VisitInput {
  std::string household, mode, note;
};

void CreateHousehold(Engine& engine, Write<HouseholdView> write, HouseholdInput input);
// CSV id,village,head_name,members,income_per_capita[,registered_poor,away_long_term,
// rigid_spending]; all-or-nothing.
void ImportHouseholds(Engine& engine, Write<ImportCount> write, CsvInput input);
// CSV household,name,relation,id_number,sex,birth_year,labour,health,schooling: each household
// named gets the listed rows as its whole member list; all-or-nothing.
void ImportMembers(Engine& engine, Write<ImportCount> write, CsvInput input);
void UpdateHousehold(Engine& engine, Write<HouseholdView> write, HouseholdPatch patch);
Result<std::vector<HouseholdChange>> HouseholdChanges(Engine& engine, const Principal& who,
                                                      const std::string& id);
void AssignContact(Engine& engine, Write<ContactAssigned> write, ContactInput input);
void RecordMeasure(Engine& engine, Write<Measure> write, MeasureInput input);
void LogVisit(Engine& engine, Write<Visit> write, VisitInput input);

Result<HouseholdView> GetHousehold(Engine& engine, const Principal& who, const std::string& id);
// Contact persons who may be named for the household (nearest org first): exactly those
// AssignContact accepts.
Result<std::vector<PersonView>> ContactCandidates(Engine& engine, const Principal& who,
                                                  const std::string& household);
// Every open task about the household (chain steps and follow-ups), most urgent first.
Result<std::vector<TaskView>> HouseholdTasks(Engine& engine, const Principal& who,
                                             const std::string& id);

}  // namespace dixian::engine
