#pragma once
// The closed vocabularies of the domain (API.md names them): each value has its API name and its
// Chinese label. Records hold the enums; names appear only at the edges (JSON, SQL text columns).
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace dixian::engine {

enum class Role {
  kVillageClerk,
  kTownshipReviewer,
  kCountyOfficer,
  kDepartmentOfficer,
  kProvinceOfficer,
  kContactPerson,
  kSupervisor,
  kAdmin,
};

// Top to bottom; the city level is optional per province. Compare with Rank().
enum class OrgLevel { kProvince, kCity, kCounty, kTownship, kVillage };

enum class Department {
  kMedical,
  kHealth,
  kCivilAffairs,
  kEducation,
  kHousing,
  kWater,
  kHumanResources,
  kDisability,
  kAgriculture,
};

enum class MonitoringType { kUnstableFormerPoor, kMarginal, kSuddenHardship };
enum class MonitoringStatus { kRiskActive, kRiskEliminated, kRemoved };

enum class Cause {
  kIllness,
  kDisability,
  kSchooling,
  kDisaster,
  kAccident,
  kUnstableEmployment,
  kBusinessFailure,
  kNoLabour,
  kUnsafeHousing,
  kEpidemic,
  kOther,
};

enum class VisitMode { kHome, kPhone, kWechat };

// A household member (API.md v2 "Households are living records").
enum class Relation { kHead, kSpouse, kChild, kParent, kGrandchild, kSibling, kOther };
enum class Labour { kFull, kWeak, kNone };  // 劳动能力
enum class Sex { kMale, kFemale };

// Leads (线索): where they come from and where they stand.
enum class LeadSource { kSelfReport, kGrassroots, kDepartment, kProvince };
enum class LeadStatus { kOpen, kResolved };
enum class LeadOutcome { kIdentification, kAlert, kNoRisk };
enum class TaskStatus { kOpen, kDone, kCancelled };

// What a notice (outbox message) is about.
enum class NoticeKind {
  kNewTask,
  kReminder,
  kOverdue,
  kEscalation,
  kDigest,
  kTest,
  kAnnouncement,  // 公告: a decision made public (the county's announcement of a removal)
};

// Movements of monitoring objects over a period (the tables counties file), each recorded by a
// workflow's `record_movement` effect in the transaction that moves the case.
enum class MovementKind { kAdmitted, kRiskEliminated, kRemoved, kReflagged, kTypeChanged };

// Evidence (佐证材料) attached to a case or a visit: what the file is.
enum class EvidenceKind { kMeetingMinutes, kVisitPhoto, kSignedForm, kOther };

template <class E>
struct EnumEntry {
  E value;
  std::string name;   // the API / storage name
  std::string label;  // Chinese, for officials
};

const std::vector<EnumEntry<Role>>& EnumEntries(std::type_identity<Role>);
const std::vector<EnumEntry<OrgLevel>>& EnumEntries(std::type_identity<OrgLevel>);
const std::vector<EnumEntry<Department>>& EnumEntries(std::type_identity<Department>);
const std::vector<EnumEntry<MonitoringType>>& EnumEntries(std::type_identity<MonitoringType>);
const std::vector<EnumEntry<MonitoringStatus>>& EnumEntries(std::type_identity<MonitoringStatus>);
const std::vector<EnumEntry<Cause>>& EnumEntries(std::type_identity<Cause>);
const std::vector<EnumEntry<VisitMode>>& EnumEntries(std::type_identity<VisitMode>);
const std::vector<EnumEntry<TaskStatus>>& EnumEntries(std::type_identity<TaskStatus>);
const std::vector<EnumEntry<Relation>>& EnumEntries(std::type_identity<Relation>);
const std::vector<EnumEntry<Labour>>& EnumEntries(std::type_identity<Labour>);
const std::vector<EnumEntry<Sex>>& EnumEntries(std::type_identity<Sex>);
const std::vector<EnumEntry<LeadSource>>& EnumEntries(std::type_identity<LeadSource>);
const std::vector<EnumEntry<LeadStatus>>& EnumEntries(std::type_identity<LeadStatus>);
const std::vector<EnumEntry<LeadOutcome>>& EnumEntries(std::type_identity<LeadOutcome>);
const std::vector<EnumEntry<NoticeKind>>& EnumEntries(std::type_identity<NoticeKind>);
const std::vector<EnumEntry<MovementKind>>& EnumEntries(std::type_identity<MovementKind>);
const std::vector<EnumEntry<EvidenceKind>>& EnumEntries(std::type_identity<EvidenceKind>);

template <class E>
const EnumEntry<E>& EntryOf(E value) {
  const auto& entries = EnumEntries(std::type_identity<E>{});
  for (const auto& e : entries)
    if (e.value == value) return e;
  return entries.front();  // unreachable for a valid enumerator
}

// The API name of a value ("village_clerk").
template <class E>
const std::string& Name(E value) {
  return EntryOf(value).name;
}

// The Chinese label of a value ("村级填报员").
template <class E>
const std::string& Label(E value) {
  return EntryOf(value).label;
}

// The value with this API name, if any.
template <class E>
std::optional<E> Parse(std::string_view name) {
  for (const auto& e : EnumEntries(std::type_identity<E>{}))
    if (e.name == name) return e.value;
  return std::nullopt;
}

// Every API name, in declaration order.
template <class E>
std::vector<std::string> Names() {
  std::vector<std::string> out;
  for (const auto& e : EnumEntries(std::type_identity<E>{})) out.push_back(e.name);
  return out;
}

// "a, b, c": the allowed names, for messages.
template <class E>
std::string NameList() {
  std::string out;
  for (const auto& e : EnumEntries(std::type_identity<E>{}))
    out += (out.empty() ? "" : ", ") + e.name;
  return out;
}

inline int Rank(OrgLevel level) { return static_cast<int>(level); }  // province 0 ... village 4

// The Chinese label of a measure kind (kinds are open: unknown ones show as given).
std::string MeasureLabel(const std::string& kind);
// The documented measure kinds (seeds 000 and 003), in the order forms offer them.
std::vector<std::string> MeasureKinds();

}  // namespace dixian::engine
