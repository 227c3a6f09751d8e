#pragma once
// Audit events of the writes outside the case chains (issue 17 item 5): orgs, users, channels,
// households and visits. They name what was created, never a secret: no token, no robot URL or
// signing secret, no ID number, no free text beyond what the chains already record.
#include "engine/access/access.h"
#include "engine/model/model.h"
#include "engine/outbox/outbox.h"

namespace dixian::engine {

AuditEvent OrgCreated(const Principal& who, const Org& org, bool imported);
AuditEvent UserCreated(const Principal& who, const User& user,
                       const std::map<std::string, std::string>& im = {});
AuditEvent ChannelCreated(const Principal& who, const Channel& channel);
AuditEvent HouseholdCreated(const Principal& who, const Household& household, bool imported);
AuditEvent VisitLogged(const Principal& who, const Visit& visit);

}  // namespace dixian::engine
