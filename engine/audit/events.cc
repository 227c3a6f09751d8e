#include "engine/audit/events.h"

#include "engine/engine_tx.h"

namespace dixian::engine {

AuditEvent OrgCreated(const Principal& who, const Org& org, bool imported) {
  AuditEvent ev = EventBy(who, "", "org_create");
  ev.data = {{"org", org.code}, {"level", Name(org.level)}, {"parent", org.parent}};
  if (imported) ev.data["via"] = "import";
  return ev;
}

AuditEvent UserCreated(const Principal& who, const User& user,
                       const std::map<std::string, std::string>& im) {
  AuditEvent ev = EventBy(who, "", "user_create");
  ev.data = {{"user", user.id}, {"role", Name(user.role)}, {"org", user.org}};
  if (user.department) ev.data["department"] = Name(*user.department);
  if (!im.empty()) ev.data["im"] = im;
  return ev;
}

AuditEvent ChannelCreated(const Principal& who, const Channel& channel) {
  AuditEvent ev = EventBy(who, "", "channel_create");
  ev.data = {{"channel", channel.id}, {"org", channel.org}, {"kind", channel.kind}};
  return ev;
}

AuditEvent HouseholdCreated(const Principal& who, const Household& household, bool imported) {
  AuditEvent ev = EventBy(who, household.id, "household_create");
  ev.data = {{"village", household.village}, {"members", household.members},
             {"income_per_capita", household.income_per_capita}};
  if (imported) ev.data["via"] = "import";
  return ev;
}

AuditEvent VisitLogged(const Principal& who, const Visit& visit) {
  AuditEvent ev = EventBy(who, visit.household, "visit");
  ev.data = {{"visit", std::to_string(visit.id)}, {"mode", Name(visit.mode)}};
  return ev;
}

}  // namespace dixian::engine
