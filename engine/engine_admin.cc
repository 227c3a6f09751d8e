// Orgs, users and channels (admin).
#include <openssl/rand.h>

#include <cctype>

#include "engine/core/csv.h"
#include "engine/core/json_fields.h"
#include "engine/core/sha256.h"
#include "engine/engine.h"
#include "engine/engine_tx.h"
#include "engine/views.h"

namespace dixian::engine {

using nlohmann::json;

namespace {

const std::vector<std::string> kRoleNames = {"village_clerk",    "township_reviewer", "county_officer",
                                             "department_officer", "province_officer", "contact_person",
                                             "supervisor",       "admin"};
const std::vector<std::string> kLevelList = {"province", "city", "county", "township", "village"};

std::string NewToken() {
  unsigned char bytes[24];
  RAND_bytes(bytes, sizeof bytes);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "dx_";
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 0xF];
  }
  return out;
}

// Actors the audit log names without a user record: the built-in admin, timers, the command line.
bool IsReservedUserId(const std::string& id) {
  std::string lower = id;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "admin" || lower == "system" || lower == "cli";
}

// Validates and inserts one org; `where` prefixes messages (CSV line numbers).
Result<Org> InsertOrgFrom(WriteTx& tx, const json& body, const std::string& where) {
  auto code = RequiredString(body, "code", 32, where);
  if (!code.ok()) return code.error();
  if (!IsSafeId(code.value())) return InvalidField(where + "code", "只能包含字母、数字、- _ . (letters, digits, - _ . only)");
  auto name = RequiredString(body, "name", 100, where);
  if (!name.ok()) return name.error();
  auto level = RequiredEnum(body, "level", kLevelList, where);
  if (!level.ok()) return level.error();
  auto parent = OptionalString(body, "parent", 32, where);
  if (!parent.ok()) return parent.error();
  Org org{code.value(), name.value(), level.value(), parent.value(), ""};
  if (org.level == "province") {
    if (!org.parent.empty()) return InvalidField(where + "parent", "省级单位没有上级 (a province has no parent)");
    org.path = "/" + org.code + "/";
  } else {
    if (org.parent.empty()) return MissingField(where + "parent");
    auto p = tx.FindOrg(org.parent);
    if (!p) return Error::Unprocessable("unknown_parent", where + "parent: 上级单位 " + org.parent + " 不存在 (unknown parent org)");
    if (LevelRank(p->level) >= LevelRank(org.level))
      return InvalidField(where + "level", "上级单位 " + p->name + "（" + p->level + "）应高于本级 " + org.level);
    org.path = p->path + org.code + "/";
  }
  if (auto st = tx.InsertOrg(org); !st.ok() && st.error().code != ErrorCode::kConflict)
    return st.error();  // e.g. disk full or read-only: 503, not a duplicate
  else if (!st.ok())
    return Error::Conflict("duplicate_org", where + "单位代码 " + org.code + " 已存在 (org code exists)");
  return org;
}

}  // namespace

void Engine::CreateOrg(Call call, WriteDone done) {
  if (auto st = Require(call.who, Capability::kManageOrgs, ""); !st.ok()) return done(st.error());
  SubmitWrite(call, [body = call.body](WriteTx& tx) -> Result<json> {
    auto org = InsertOrgFrom(tx, body, "");
    if (!org.ok()) return org.error();
    return OrgJson(org.value());
  }, std::move(done));
}

void Engine::ImportOrgs(Call call, WriteDone done) {
  if (auto st = Require(call.who, Capability::kManageOrgs, ""); !st.ok()) return done(st.error());
  auto rows = ParseCsv(call.raw);
  if (!rows.ok()) return done(rows.error());
  if (auto st = CheckCsvHeader(rows.value(), {"code", "name", "level", "parent"}); !st.ok()) return done(st.error());
  SubmitWrite(call, [rows = std::move(rows.value())](WriteTx& tx) -> Result<json> {
    std::string errors;
    int bad = 0;
    for (size_t i = 1; i < rows.size(); ++i) {
      const auto& r = rows[i];
      const std::string where = "第 " + std::to_string(r.line) + " 行 (line " + std::to_string(r.line) + "): ";
      if (r.fields.size() != 4) {
        errors += where + "应有 4 列，实际 " + std::to_string(r.fields.size()) + " 列\n";
        if (++bad >= 50) break;
        continue;
      }
      json body = {{"code", r.fields[0]}, {"name", r.fields[1]}, {"level", r.fields[2]}, {"parent", r.fields[3]}};
      if (auto org = InsertOrgFrom(tx, body, where); !org.ok()) {
        errors += org.error().message + "\n";
        if (++bad >= 50) break;
      }
    }
    if (bad) return Error::Unprocessable("csv_rows_invalid", "导入失败，未写入任何数据 (nothing imported):\n" + errors);
    return json{{"imported", rows.size() - 1}};
  }, std::move(done));
}

void Engine::CreateUser(Call call, WriteDone done) {
  if (auto st = Require(call.who, Capability::kManageUsers, ""); !st.ok()) return done(st.error());
  const Instant now = clock_.Now();
  SubmitWrite(call, [this, body = call.body, now](WriteTx& tx) -> Result<json> {
    User u;
    auto id = RequiredString(body, "id", 64);
    if (!id.ok()) return id.error();
    if (!IsSafeId(id.value())) return InvalidField("id", "只能包含字母、数字、- _ . (letters, digits, - _ . only)");
    if (IsReservedUserId(id.value()))
      return Error::Unprocessable("reserved_id", "id: " + id.value() + " 是系统保留的编号，不能用作用户编号 (reserved id)");
    auto name = RequiredString(body, "name", 100);
    if (!name.ok()) return name.error();
    auto role = RequiredEnum(body, "role", kRoleNames);
    if (!role.ok()) return role.error();
    auto org_code = RequiredString(body, "org", 32);
    if (!org_code.ok()) return org_code.error();
    auto org = tx.FindOrg(org_code.value());
    if (!org) return Error::Unprocessable("unknown_org", "org: 单位 " + org_code.value() + " 不存在 (unknown org)");
    auto mobile = OptionalString(body, "mobile", 20);
    if (!mobile.ok()) return mobile.error();
    auto dept = OptionalString(body, "department", 32);
    if (!dept.ok()) return dept.error();
    if (role.value() == "department_officer" && !IsOneOf(dept.value(), kDepartments))
      return dept.value().empty() ? MissingField("department") : InvalidField("department", "未知的行业部门 " + dept.value());
    u = {id.value(), name.value(), role.value(), org->code, org->path, dept.value(), mobile.value(), false, now};
    const std::string token = NewToken();
    if (auto st = tx.InsertUser(u, Sha256Hex(token)); !st.ok() && st.error().code != ErrorCode::kConflict)
      return st.error();  // e.g. disk full or read-only: 503, not a duplicate
    else if (!st.ok())
      return Error::Conflict("duplicate_user", "用户 " + u.id + " 已存在 (user id exists)");
    ClearUserCache();  // notices read mobiles per (org, role) through the cache
    return json{{"id", u.id}, {"token", token}, {"role", u.role}, {"org", u.org}};
  }, [this, done = std::move(done)](Result<json> r) {
    ClearUserCache();  // a rolled-back insert may have been cached by a job in the same batch
    done(std::move(r));
  });
}

namespace {

// Revoke or reissue: one audit event, and the new token (if any) in the answer.
Result<json> SetToken(EngineTx& etx, const Engine::Call& call, bool revoke) {
  auto user = etx.tx().FindUser(call.id);
  if (!user) return Error::NotFound("user_not_found", "用户 " + call.id + " 不存在 (user not found)");
  const std::string token = revoke ? "" : NewToken();
  etx.tx().UpdateUserToken(user->id, revoke ? "" : Sha256Hex(token), revoke);
  AuditEvent ev = EventBy(call.who, "", revoke ? "revoke_token" : "reissue_token");
  ev.data = {{"user", user->id}};
  etx.Audit(ev);
  json out = {{"id", user->id}, {"revoked", revoke}};
  if (!revoke) out["token"] = token;
  return out;
}

}  // namespace

void Engine::RevokeUser(Call call, WriteDone done) {
  if (auto st = Require(call.who, Capability::kManageUsers, ""); !st.ok()) return done(st.error());
  SubmitWrite(call, [this, call](WriteTx& tx) -> Result<json> {
    EngineTx etx(*this, tx);
    return SetToken(etx, call, true);
  }, std::move(done));
}

void Engine::ReissueToken(Call call, WriteDone done) {
  if (auto st = Require(call.who, Capability::kManageUsers, ""); !st.ok()) return done(st.error());
  SubmitWrite(call, [this, call](WriteTx& tx) -> Result<json> {
    EngineTx etx(*this, tx);
    return SetToken(etx, call, false);
  }, std::move(done));
}

void Engine::CreateChannel(Call call, WriteDone done) {
  if (auto st = Require(call.who, Capability::kManageChannels, ""); !st.ok()) return done(st.error());
  SubmitWrite(call, [this, body = call.body](WriteTx& tx) -> Result<json> {
    ClearChannelCache();
    auto org = RequiredString(body, "org", 32);
    if (!org.ok()) return org.error();
    if (!tx.FindOrg(org.value())) return Error::Unprocessable("unknown_org", "org: 单位 " + org.value() + " 不存在 (unknown org)");
    auto kind = RequiredEnum(body, "kind", {"dingtalk", "wecom", "feishu", "webhook"});
    if (!kind.ok()) return kind.error();
    auto url = RequiredString(body, "url", 1000);
    if (!url.ok()) return url.error();
    if (url.value().rfind("https://", 0) != 0 && url.value().rfind("http://", 0) != 0)
      return InvalidField("url", "应以 https:// 开头 (must be an https URL)");
    auto secret = OptionalString(body, "secret", 200);
    if (!secret.ok()) return secret.error();
    auto channel_id = OptionalString(body, "id", 64);
    if (!channel_id.ok()) return channel_id.error();
    if (!channel_id.value().empty() && !IsSafeId(channel_id.value()))
      return InvalidField("id", "只能包含字母、数字、- _ . (letters, digits, - _ . only)");
    Channel ch;
    ch.id = channel_id.value();
    if (ch.id.empty()) ch.id = kind.value() + "-" + org.value() + "-" + Sha256Hex(url.value()).substr(0, 8);
    ch.org = org.value();
    ch.kind = kind.value();
    ch.url = url.value();
    ch.secret = secret.value();
    if (body.contains("quiet_hours") && !body["quiet_hours"].is_null()) {
      const json& q = body["quiet_hours"];
      auto hour = [](const json& h) { return h.is_number_integer() && h.get<std::int64_t>() >= 0 && h.get<std::int64_t>() <= 23; };
      if (!q.is_array() || q.size() != 2 || !hour(q[0]) || !hour(q[1]))
        return InvalidField("quiet_hours", "应为 [开始小时, 结束小时]，0 到 23 的整数 (two hours 0..23)");
      ch.quiet_start_hour = q[0].get<int>();
      ch.quiet_end_hour = q[1].get<int>();
    }
    if (auto st = tx.InsertChannel(ch); !st.ok() && st.error().code != ErrorCode::kConflict)
      return st.error();  // e.g. disk full or read-only: 503, not a duplicate
    else if (!st.ok())
      return Error::Conflict("duplicate_channel", "该群机器人已登记 (channel exists)");
    ClearChannelCache();
    return json{{"id", ch.id}, {"org", ch.org}, {"kind", ch.kind}};
  }, [this, done = std::move(done)](Result<json> r) {
    ClearChannelCache();  // a rolled-back insert may have been cached by a job in the same batch
    done(std::move(r));
  });
}

void Engine::ClearChannelCache() {
  std::lock_guard lock(cache_mu_);
  channel_cache_.clear();
}

void Engine::ClearUserCache() {
  std::lock_guard lock(cache_mu_);
  mobile_cache_.clear();
}

Result<json> Engine::Me(const Principal& who) {
  json out = {{"id", who.user.id}, {"name", who.user.name}, {"role", who.user.role},
              {"role_label", RoleLabel(who.user.role)}, {"org", who.user.org}, {"department", who.user.department}};
  if (!who.user.org.empty()) {
    auto view = store_.Read();
    auto org = view->FindOrg(who.user.org);
    if (view->failure()) return *view->failure();
    out["org_name"] = org ? org->name : "";
    out["org_level"] = org ? org->level : "";
  } else {
    out["org_name"] = "全部";
  }
  return out;
}

}  // namespace dixian::engine
