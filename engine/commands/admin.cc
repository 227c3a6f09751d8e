// Orgs, users and channels (admin).
#include "engine/commands/admin.h"

#include <algorithm>
#include <cctype>

#include "engine/audit/events.h"
#include "engine/core/csv.h"
#include "engine/core/fields.h"
#include "engine/core/random.h"
#include "engine/core/sha256.h"
#include "engine/engine_tx.h"

namespace dixian::engine {

namespace {

// "dx_" + 48 hex characters from 24 random bytes; an error when the generator fails.
Result<std::string> NewToken() {
  auto hex = RandomHex(24);
  if (!hex.ok()) return hex.error();
  return "dx_" + hex.value();
}

// The optional expiry of a new token (RFC 3339): in the future, or "" for a token that works
// until it is revoked or reissued.
Result<std::optional<Instant>> TokenExpiry(const std::string& text, Instant now) {
  if (text.empty()) return std::optional<Instant>();
  const auto at = ParseRfc3339(text);
  if (!at) return InvalidField("token_expires_at", "应为 RFC 3339 时间，如 2026-03-02T18:00:00+08:00");
  if (*at <= now) return InvalidField("token_expires_at", "应晚于当前时间");
  return std::optional<Instant>(*at);
}

// Validates and inserts one org.
Result<Org> InsertOrgFrom(WriteTx& tx, const OrgInput& in) {
  if (auto st = RequireSafeId("code", in.code); !st.ok()) return st.error();
  if (auto st = LimitText("code", in.code, 32); !st.ok()) return st.error();
  if (auto st = RequireText("name", in.name, 100); !st.ok()) return st.error();
  auto level = RequireEnum<OrgLevel>("level", in.level);
  if (!level.ok()) return level.error();
  if (auto st = LimitText("parent", in.parent, 32); !st.ok()) return st.error();
  Org org{in.code, in.name, level.value(), in.parent, ""};
  if (org.level == OrgLevel::kProvince) {
    if (!org.parent.empty()) return InvalidField("parent", "省级单位没有上级");
    org.path = "/" + org.code + "/";
  } else {
    if (org.parent.empty()) return MissingField("parent");
    auto p = tx.FindOrg(org.parent);
    if (!p)
      return Error::Unprocessable("unknown_parent", "parent：上级单位 " + org.parent + " 不存在");
    if (Rank(p->level) >= Rank(org.level))
      return InvalidField("level", "上级单位 " + p->name + "（" + Label(p->level) +
                                       "）应高于本级（" + Label(org.level) + "）");
    org.path = p->path + org.code + "/";
  }
  if (auto st = tx.InsertOrg(org); !st.ok() && st.error().code != ErrorCode::kConflict)
    return st.error();  // e.g. disk full or read-only: 503, not a duplicate
  else if (!st.ok())
    return Error::Conflict("duplicate_org", "单位代码 " + org.code + " 已存在");
  return org;
}

// Actors the audit log names without a user record: the built-in admin, timers, the command line.
bool IsReservedUserId(const std::string& id) {
  std::string lower = id;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "admin" || lower == "system" || lower == "cli";
}

std::string LineOf(const CsvRow& r) { return "第 " + std::to_string(r.line) + " 行："; }

}  // namespace

void CreateOrg(Engine& e, Write<Org> w, OrgInput in) {
  if (auto st = Require(w.who, Capability::kManageOrgs, ""); !st.ok()) return w.done(st.error());
  const Principal who = w.who;
  e.Submit<Org>(std::move(w), [who, in = std::move(in)](EngineTx& etx) -> Result<Org> {
    auto org = InsertOrgFrom(etx.tx(), in);
    if (org.ok()) etx.Audit(OrgCreated(who, org.value(), false));
    return org;
  });
}

void ImportOrgs(Engine& e, Write<ImportCount> w, CsvInput in) {
  if (auto st = Require(w.who, Capability::kManageOrgs, ""); !st.ok()) return w.done(st.error());
  auto rows = ParseCsv(in.csv);
  if (!rows.ok()) return w.done(rows.error());
  if (auto st = CheckCsvHeader(rows.value(), {"code", "name", "level", "parent"}); !st.ok())
    return w.done(st.error());
  const Principal who = w.who;
  e.Submit<ImportCount>(
      std::move(w), [who, rows = std::move(rows.value())](EngineTx& etx) -> Result<ImportCount> {
        std::string errors;
        int bad = 0;
        for (size_t i = 1; i < rows.size(); ++i) {
          const auto& r = rows[i];
          if (r.fields.size() != 4) {
            errors += LineOf(r) + "应有 4 列，实际 " + std::to_string(r.fields.size()) + " 列\n";
            if (++bad >= 50) break;
            continue;
          }
          if (auto org =
                  InsertOrgFrom(etx.tx(), {r.fields[0], r.fields[1], r.fields[2], r.fields[3]});
              !org.ok()) {
            errors += LineOf(r) + org.error().message + "\n";
            if (++bad >= 50) break;
          } else {
            etx.Audit(OrgCreated(who, org.value(), true));
          }
        }
        if (bad)
          return Error::Unprocessable("csv_rows_invalid", "导入失败，未写入任何数据：\n" + errors);
        return ImportCount{static_cast<std::int64_t>(rows.size() - 1)};
      });
}

namespace {

// A person's id on a chat platform: what the platforms use (letters, digits, _ - . @ :).
bool IsImId(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
          c == '@' || c == ':'))
      return false;
  return true;
}

Status CheckIm(const Engine& e, const std::map<std::string, std::string>& im) {
  const auto& known = e.options().channel_kinds.im_platforms;
  for (const auto& [platform, id] : im) {
    if (std::find(known.begin(), known.end(), platform) == known.end())
      return InvalidField("im." + platform, "不支持的平台，可用：dingtalk、wecom、feishu");
    if (!IsImId(id))
      return InvalidField("im." + platform,
                          "应为该平台的用户 ID（字母、数字及 _ - . @，最多 128 个字符）");
  }
  return OkStatus();
}

}  // namespace

void CreateUser(Engine& e, Write<NewUser> w, UserInput in) {
  if (auto st = Require(w.who, Capability::kManageUsers, ""); !st.ok()) return w.done(st.error());
  if (auto st = CheckIm(e, in.im); !st.ok()) return w.done(st.error());
  const Principal who = w.who;
  e.Submit<NewUser>(std::move(w), [who, in = std::move(in)](EngineTx& etx) -> Result<NewUser> {
    if (auto st = RequireSafeId("id", in.id); !st.ok()) return st.error();
    if (IsReservedUserId(in.id))
      return Error::Unprocessable("reserved_id",
                                  "id：" + in.id + " 是系统保留的编号，不能用作用户编号");
    if (auto st = RequireText("name", in.name, 100); !st.ok()) return st.error();
    auto role = RequireEnum<Role>("role", in.role);
    if (!role.ok()) return role.error();
    if (auto st = RequireText("org", in.org, 32); !st.ok()) return st.error();
    auto org = etx.tx().FindOrg(in.org);
    if (!org) return Error::Unprocessable("unknown_org", "org：单位 " + in.org + " 不存在");
    if (auto st = LimitText("mobile", in.mobile, 20); !st.ok()) return st.error();
    auto department = OptionalEnum<Department>("department", in.department);
    if (!department.ok()) return department.error();
    if (role.value() == Role::kDepartmentOfficer && !department.value())
      return MissingField("department");
    User u{in.id,     in.name, role.value(), org->code, org->path, department.value(),
           in.mobile, false,   etx.now(), std::nullopt};
    auto expires = TokenExpiry(in.token_expires_at, etx.now());
    if (!expires.ok()) return expires.error();
    u.token_expires_at = expires.value();
    auto token = NewToken();
    if (!token.ok()) return token.error();
    if (auto st = etx.tx().InsertUser(u, Sha256Hex(token.value()));
        !st.ok() && st.error().code != ErrorCode::kConflict)
      return st.error();  // e.g. disk full or read-only: 503, not a duplicate
    else if (!st.ok())
      return Error::Conflict("duplicate_user", "用户 " + u.id + " 已存在");
    for (const auto& [platform, id] : in.im) {
      if (auto st = etx.tx().InsertUserIm(u.id, platform, id);
          !st.ok() && st.error().code != ErrorCode::kConflict)
        return st.error();
      else if (!st.ok())
        return Error::Conflict("duplicate_im",
                               "im." + platform + "：该平台账号 " + id + " 已登记给其他用户");
    }
    etx.Audit(UserCreated(who, u, in.im));
    return NewUser{u, token.value(), in.im};
  });
}

namespace {

// Revoke or reissue: one audit event, and the new token (if any) in the answer.
void SetToken(Engine& e, Write<TokenChange> w, UserRef ref, bool revoke) {
  if (auto st = Require(w.who, Capability::kManageUsers, ""); !st.ok()) return w.done(st.error());
  const Principal who = w.who;
  e.Submit<TokenChange>(
      std::move(w), [who, ref = std::move(ref), revoke](EngineTx& etx) -> Result<TokenChange> {
        auto user = etx.tx().FindUser(ref.id);
        if (!user) return Error::NotFound("user_not_found", "用户 " + ref.id + " 不存在");
        auto expires = revoke ? Result<std::optional<Instant>>(std::nullopt) : TokenExpiry(ref.token_expires_at, etx.now());
        if (!expires.ok()) return expires.error();
        auto token = revoke ? Result<std::string>(std::string()) : NewToken();
        if (!token.ok()) return token.error();
        etx.tx().UpdateUserToken(user->id, revoke ? "" : Sha256Hex(token.value()), revoke, expires.value());
        AuditEvent ev = EventBy(who, "", revoke ? "revoke_token" : "reissue_token");
        ev.data = {{"user", user->id}};
        etx.Audit(ev);
        return TokenChange{user->id, revoke, token.value(), expires.value()};
      });
}

}  // namespace

void RevokeUser(Engine& e, Write<TokenChange> w, UserRef user) {
  SetToken(e, std::move(w), std::move(user), true);
}

void ReissueToken(Engine& e, Write<TokenChange> w, UserRef user) {
  SetToken(e, std::move(w), std::move(user), false);
}

void CreateChannel(Engine& e, Write<Channel> w, ChannelInput in) {
  if (auto st = Require(w.who, Capability::kManageChannels, ""); !st.ok())
    return w.done(st.error());
  auto done = std::move(w.done);
  w.done = [&e, done = std::move(done)](Result<Answer<Channel>> r) {
    e.ClearChannelCache();  // a rolled-back insert may have been cached by a job in the same batch
    if (done) done(std::move(r));
  };
  const Principal who = w.who;
  e.Submit<Channel>(std::move(w), [&e, who, in = std::move(in)](EngineTx& etx) -> Result<Channel> {
    e.ClearChannelCache();
    if (auto st = RequireText("org", in.org, 32); !st.ok()) return st.error();
    if (!etx.tx().FindOrg(in.org))
      return Error::Unprocessable("unknown_org", "org：单位 " + in.org + " 不存在");
    if (auto st = RequireText("kind", in.kind, 64); !st.ok()) return st.error();
    // A robot posts to its url; an app channel calls its platform at api_base (optional).
    const bool app = !in.app.empty();
    const std::string url = app ? in.api_base : in.url;
    const char* url_field = app ? "api_base" : "url";
    if (!app)
      if (auto st = RequireText("url", url, 1000); !st.ok()) return st.error();
    if (auto st = LimitText(url_field, url, 1000); !st.ok()) return st.error();
    if (!url.empty() && url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0)
      return InvalidField(url_field, "应为以 https:// 开头的地址");
    if (auto st = LimitText("secret", in.secret, 200); !st.ok()) return st.error();
    if (!in.id.empty())
      if (auto st = RequireSafeId("id", in.id); !st.ok()) return st.error();
    Channel ch;
    std::string identity = url;
    for (const auto& [key, value] : in.app) identity += "|" + key + "=" + value;
    ch.id = in.id.empty() ? in.kind + "-" + in.org + "-" + Sha256Hex(identity).substr(0, 8) : in.id;
    ch.org = in.org;
    ch.kind = in.kind;
    ch.url = url;
    ch.secret = in.secret;
    ch.app = in.app;
    if (const auto& check = e.options().channel_kinds.check)
      if (auto st = check(ch); !st.ok()) return st.error();
    if (in.quiet_hours) {
      const auto& q = *in.quiet_hours;
      auto hour = [](std::int64_t h) { return h >= 0 && h <= 23; };
      if (q.size() != 2 || !hour(q[0]) || !hour(q[1]))
        return InvalidField("quiet_hours", "应为 [开始小时, 结束小时]，均为 0 到 23 的整数");
      ch.quiet_start_hour = static_cast<int>(q[0]);
      ch.quiet_end_hour = static_cast<int>(q[1]);
    }
    if (auto st = etx.tx().InsertChannel(ch); !st.ok() && st.error().code != ErrorCode::kConflict)
      return st.error();  // e.g. disk full or read-only: 503, not a duplicate
    else if (!st.ok())
      return Error::Conflict("duplicate_channel", "该群机器人已登记");
    e.ClearChannelCache();
    etx.Audit(ChannelCreated(who, ch));
    return ch;
  });
}

Result<MeView> Me(Engine& e, const Principal& who) {
  MeView me{who.user, std::nullopt};
  if (who.user.org.empty()) return me;
  auto view = e.store().Read();
  me.org = view->FindOrg(who.user.org);
  me.im = view->ImOf(who.user.id);
  return Checked<MeView>(*view, me);
}

}  // namespace dixian::engine
