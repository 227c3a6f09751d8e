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
struct HouseholdInput {
  std::string id, village, head_name;
  std::optional<std::int64_t> members;
  std::optional<double> income_per_capita;
};

struct ContactInput {
  std::string household, user;
};

struct ContactAssigned {
  std::string household, contact, contact_name;
};

struct MeasureInput {
  std::string household, kind, description, department;
};

struct VisitInput {
  std::string household, mode, note;
};

void CreateHousehold(Engine& engine, Write<Household> write, HouseholdInput input);
// CSV id,village,head_name,members,income_per_capita; all-or-nothing.
void ImportHouseholds(Engine& engine, Write<ImportCount> write, CsvInput input);
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
