#pragma once
// Who may do what: one explicit check per call, by role and org subtree. The table lives in
// access.cc so the permission matrix test can be read against it.
#include <string>
#include <vector>

#include "engine/core/error.h"
#include "engine/model/model.h"

namespace dixian::engine {

struct Principal {
  User user;        // the built-in admin has role admin and an empty org path (everything)
  bool IsAdmin() const { return user.role == Role::kAdmin; }
  bool Is(Role role) const { return user.role == role; }
};

enum class Capability {
  kManageOrgs,
  kManageUsers,
  kManageChannels,
  kWriteHouseholds,
  kReadHouseholds,
  kAssignContact,
  kRecordMeasure,
  kReadCases,
  kTransferTask,
  kUrgeTask,
  kReportMonitoring,
  kReportOverdue,
  kVerifyAudit,
  kAdvanceClock,
  kObjectToNotice,  // 异议 during a public notice
  kRecordLead,   // a lead for one household (self-report, screening, a department's or province's)
  kImportLeads,  // a department's or the province's list (CSV)
  kResolveLead,  // the village's verification outcome
  kReadLeads,
};

// The roles a capability is granted to.
const std::vector<Role>& RolesFor(Capability capability);

// True when `path` lies in the subtree of the principal's org.
bool InSubtree(const Principal& who, const std::string& path);

// True when `path` is the principal's org, lies below it or above it: the orgs and people a user
// knows of. Anything else is outside the caller's remit and reads as absent (no existence oracle).
bool OnPath(const Principal& who, const std::string& path);

// Forbidden (with a message naming role and org) unless the role holds the capability and the
// target lies in the principal's subtree.
Status Require(const Principal& who, Capability capability, const std::string& target_path);
// Forbidden unless the role holds the capability, whatever the target: checked before looking a
// record up, so a refusal never depends on whether the record exists.
Status RequireRole(const Principal& who, Capability capability);

}  // namespace dixian::engine
