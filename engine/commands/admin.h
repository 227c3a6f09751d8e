#pragma once
// Orgs, users and channels (admin token), the caller's own record, and the test clock.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/commands/views.h"
#include "engine/commands/write.h"
#include "engine/outbox/outbox.h"

namespace dixian::engine {

// Fields are as the caller gave them ("" = absent); the command checks them.
struct OrgInput {
  std::string code, name, level, parent;
};

struct CsvInput {  // a whole CSV file (imports are all-or-nothing)
  std::string csv;
};

struct UserInput {
  std::string id, name, role, org, mobile, department;
  std::string token_expires_at;  // RFC 3339, optional: the token stops working then
  std::map<std::string, std::string> im;  // the person's id on each chat platform
};

struct NewUser {
  User user;
  std::string token;  // shown once; only its hash is stored
  std::map<std::string, std::string> im;  // the person's ids on the chat platforms
};

struct UserRef {
  std::string id;
  std::string token_expires_at;  // reissue: RFC 3339, optional
};

struct TokenChange {
  std::string user_id;
  bool revoked = false;
  std::string token;  // the new token (reissue only)
  std::optional<Instant> token_expires_at;
};

struct ChannelInput {
  std::string id, org, kind, url, secret;
  std::optional<std::vector<std::int64_t>> quiet_hours;  // [start, end], China time
  std::map<std::string, std::string> app;  // app channels: their settings and credentials
  std::string api_base;                    // app channels: the platform's address (optional)
};

void CreateOrg(Engine& engine, Write<Org> write, OrgInput input);
void ImportOrgs(Engine& engine, Write<ImportCount> write,
                CsvInput input);  // code,name,level,parent
void CreateUser(Engine& engine, Write<NewUser> write, UserInput input);
void RevokeUser(Engine& engine, Write<TokenChange> write, UserRef user);    // stops working at once
void ReissueToken(Engine& engine, Write<TokenChange> write, UserRef user);  // the old one stops
void CreateChannel(Engine& engine, Write<Channel> write, ChannelInput input);

Result<MeView> Me(Engine& engine, const Principal& who);

}  // namespace dixian::engine
