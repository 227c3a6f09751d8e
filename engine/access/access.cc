#include "engine/access/access.h"

#include <map>

#include "engine/core/json_fields.h"

namespace dixian::engine {

const std::vector<std::string>& RolesFor(Capability capability) {
  static const std::map<Capability, std::vector<std::string>> kTable = {
      {Capability::kManageOrgs, {"admin"}},
      {Capability::kManageUsers, {"admin"}},
      {Capability::kManageChannels, {"admin"}},
      {Capability::kWriteHouseholds, {"admin", "village_clerk", "township_reviewer", "county_officer"}},
      {Capability::kReadHouseholds,
       {"admin", "village_clerk", "township_reviewer", "county_officer", "department_officer",
        "province_officer", "contact_person", "supervisor"}},
      {Capability::kAssignContact, {"admin", "township_reviewer", "county_officer"}},
      {Capability::kRecordMeasure, {"township_reviewer", "county_officer", "department_officer", "contact_person"}},
      {Capability::kReadCases,
       {"admin", "village_clerk", "township_reviewer", "county_officer", "department_officer",
        "province_officer", "contact_person", "supervisor"}},
      {Capability::kTransferTask,
       {"village_clerk", "township_reviewer", "county_officer", "department_officer", "province_officer",
        "contact_person", "supervisor"}},
      {Capability::kUrgeTask, {"supervisor", "county_officer", "province_officer"}},
      {Capability::kReportMonitoring,
       {"admin", "village_clerk", "township_reviewer", "county_officer", "department_officer",
        "province_officer", "supervisor"}},
      {Capability::kReportOverdue,
       {"admin", "township_reviewer", "county_officer", "department_officer", "province_officer", "supervisor"}},
      {Capability::kVerifyAudit, {"admin", "county_officer", "province_officer", "supervisor"}},
      {Capability::kAdvanceClock, {"admin"}},
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

std::string RoleLabel(const std::string& role) {
  static const std::map<std::string, std::string> kLabels = {
      {"village_clerk", "村级填报员"},     {"township_reviewer", "乡镇审核员"},
      {"county_officer", "县级审定人员"},   {"department_officer", "行业部门人员"},
      {"province_officer", "省级备案人员"}, {"contact_person", "帮扶联系人"},
      {"supervisor", "督导人员"},           {"admin", "管理员"}};
  auto it = kLabels.find(role);
  return it == kLabels.end() ? role : it->second;
}

Status RequireRole(const Principal& who, Capability capability) {
  if (!IsOneOf(who.user.role, RolesFor(capability)))
    return Error::Forbidden("您的角色（" + RoleLabel(who.user.role) + "）无权进行此操作 (role " + who.user.role +
                            " may not do this)");
  return OkStatus();
}

Status Require(const Principal& who, Capability capability, const std::string& target_path) {
  if (auto st = RequireRole(who, capability); !st.ok()) return st;
  if (!InSubtree(who, target_path))
    return Error::Forbidden("该对象不在您所属单位的管辖范围内 (outside your org's subtree)");
  return OkStatus();
}

}  // namespace dixian::engine
