#include "engine/access/access.h"

#include <algorithm>
#include <map>

namespace dixian::engine {

const std::vector<Role>& RolesFor(Capability capability) {
  using enum Role;
  static const std::map<Capability, std::vector<Role>> kTable = {
      {Capability::kManageOrgs, {kAdmin}},
      {Capability::kManageUsers, {kAdmin}},
      {Capability::kManageChannels, {kAdmin}},
      {Capability::kWriteHouseholds, {kAdmin, kVillageClerk, kTownshipReviewer, kCountyOfficer}},
      {Capability::kReadHouseholds,
       {kAdmin, kVillageClerk, kTownshipReviewer, kCountyOfficer, kDepartmentOfficer,
        kProvinceOfficer, kContactPerson, kSupervisor}},
      {Capability::kAssignContact, {kAdmin, kTownshipReviewer, kCountyOfficer}},
      {Capability::kRecordMeasure,
       {kTownshipReviewer, kCountyOfficer, kDepartmentOfficer, kContactPerson}},
      {Capability::kReadCases,
       {kAdmin, kVillageClerk, kTownshipReviewer, kCountyOfficer, kDepartmentOfficer,
        kProvinceOfficer, kContactPerson, kSupervisor}},
      {Capability::kTransferTask,
       {kVillageClerk, kTownshipReviewer, kCountyOfficer, kDepartmentOfficer, kProvinceOfficer,
        kContactPerson, kSupervisor}},
      {Capability::kUrgeTask, {kSupervisor, kCountyOfficer, kProvinceOfficer}},
      {Capability::kReportMonitoring,
       {kAdmin, kVillageClerk, kTownshipReviewer, kCountyOfficer, kDepartmentOfficer,
        kProvinceOfficer, kSupervisor}},
      {Capability::kReportOverdue,
       {kAdmin, kTownshipReviewer, kCountyOfficer, kDepartmentOfficer, kProvinceOfficer,
        kSupervisor}},
      {Capability::kVerifyAudit, {kAdmin, kCountyOfficer, kProvinceOfficer, kSupervisor}},
      {Capability::kAdvanceClock, {kAdmin}},
      {Capability::kObjectToNotice,
       {kVillageClerk, kTownshipReviewer, kCountyOfficer, kDepartmentOfficer, kProvinceOfficer,
        kContactPerson, kSupervisor}},
      {Capability::kRecordLead,
       {kAdmin, kVillageClerk, kTownshipReviewer, kCountyOfficer, kDepartmentOfficer,
        kProvinceOfficer, kContactPerson}},
      {Capability::kImportLeads, {kCountyOfficer, kDepartmentOfficer, kProvinceOfficer}},
      {Capability::kResolveLead, {kVillageClerk}},
      {Capability::kReadLeads,
       {kAdmin, kVillageClerk, kTownshipReviewer, kCountyOfficer, kDepartmentOfficer,
        kProvinceOfficer, kSupervisor}},
  };
  return kTable.at(capability);
}

bool InSubtree(const Principal& who, const std::string& path) {
  if (who.IsAdmin() && who.user.org_path.empty()) return true;
  return !who.user.org_path.empty() && path.rfind(who.user.org_path, 0) == 0;
}

bool OnPath(const Principal& who, const std::string& path) {
  if (InSubtree(who, path)) return true;
  return !path.empty() && who.user.org_path.rfind(path, 0) == 0;
}

Status RequireRole(const Principal& who, Capability capability) {
  const auto& roles = RolesFor(capability);
  if (std::find(roles.begin(), roles.end(), who.user.role) == roles.end())
    return Error::Forbidden("您的角色（" + Label(who.user.role) + "）无权进行此操作");
  return OkStatus();
}

Status Require(const Principal& who, Capability capability, const std::string& target_path) {
  if (auto st = RequireRole(who, capability); !st.ok()) return st;
  if (!InSubtree(who, target_path)) return Error::Forbidden("该对象不在您所属单位的管辖范围内");
  return OkStatus();
}

}  // namespace dixian::engine
