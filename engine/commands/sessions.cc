#include "engine/commands/sessions.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <charconv>
#include <stdexcept>

#include "engine/commands/admin.h"
#include "engine/core/sha256.h"

namespace dixian::engine {

namespace {

constexpr std::string_view kPrefix = "dxs1_";

std::string SessionHex(const unsigned char* bytes, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 0xF];
  }
  return out;
}

std::string SessionMac(const std::string& key, Instant expires, const std::string& token_hash,
                       const std::string& user) {
  const std::string msg =
      "dixian session v1\n" + std::to_string(expires) + "\n" + token_hash + "\n" + user;
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), out, &len);
  return SessionHex(out, len);
}

Error SessionExpired() {
  return Error::Unauthenticated("登录已失效：会话已过期或已被注销，请重新登录");
}

Result<SessionView> IssueSession(Engine& e, const Principal& who, const std::string& token_hash) {
  const Instant now = e.clock().Now();
  SessionView s;
  s.expires_at = now + kSessionSeconds;
  s.token = std::string(kPrefix) + std::to_string(s.expires_at) + "_" +
            (token_hash.empty() ? "-" : token_hash) + "_" +
            SessionMac(e.options().session_key, s.expires_at, token_hash, who.user.id) + "_" +
            who.user.id;
  auto me = Me(e, who);
  if (!me.ok()) return me.error();
  s.me = std::move(me.value());
  return s;
}

}  // namespace

bool IsSessionToken(std::string_view bearer) { return bearer.starts_with(kPrefix); }

std::optional<Instant> SessionTokenExpiry(std::string_view bearer) {
  if (!IsSessionToken(bearer)) return std::nullopt;
  const auto rest = bearer.substr(kPrefix.size());
  const auto end = rest.find('_');
  if (end == std::string_view::npos) return std::nullopt;
  Instant at = 0;
  const auto parsed = std::from_chars(rest.data(), rest.data() + end, at);
  if (parsed.ec != std::errc() || parsed.ptr != rest.data() + end) return std::nullopt;
  return at;
}

std::string NewSessionKey() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
  return std::string(reinterpret_cast<const char*>(bytes), sizeof bytes);
}

Result<SessionView> StartSession(Engine& e, const Principal& who, const std::string& bearer) {
  if (IsSessionToken(bearer))
    return Error::Unprocessable("session_from_session", "请使用用户令牌登录（会话不能再换取会话）");
  if (who.IsAdmin())
    return Error{ErrorCode::kForbidden, "admin_session",
                 "管理员令牌不能用于登录工作台，请使用本人的用户令牌"};
  return IssueSession(e, who, Sha256Hex(bearer));
}

Result<SessionView> StartSessionFor(Engine& e, const std::string& user_id) {
  auto view = e.store().Read();
  auto user = view->FindUser(user_id);
  if (view->failure()) return *view->failure();
  if (!user || user->revoked) return Error::Unauthenticated("该账号未开通或已停用，请联系管理员");
  return IssueSession(e, Principal{*user}, "");
}

Result<Principal> AuthenticateSession(Engine& e, const std::string& token) {
  // dxs1_<expires>_<token hash or ->_<mac>_<user>
  std::string_view rest = std::string_view(token).substr(kPrefix.size());
  auto next = [&rest]() -> std::string_view {
    const auto at = rest.find('_');
    if (at == std::string_view::npos) return {};
    auto part = rest.substr(0, at);
    rest.remove_prefix(at + 1);
    return part;
  };
  const auto expires_text = next(), hash_text = next(), mac = next();
  const std::string user(rest);
  Instant expires = 0;
  const auto parsed =
      std::from_chars(expires_text.data(), expires_text.data() + expires_text.size(), expires);
  if (parsed.ec != std::errc() || mac.size() != 64 || user.empty()) return SessionExpired();
  const std::string token_hash = hash_text == "-" ? "" : std::string(hash_text);
  if (!ConstantTimeEquals(mac, SessionMac(e.options().session_key, expires, token_hash, user)))
    return SessionExpired();
  if (e.clock().Now() >= expires) return SessionExpired();
  auto view = e.store().Read();
  auto found = token_hash.empty() ? view->FindUser(user) : view->FindUserByTokenHash(token_hash);
  if (view->failure()) return *view->failure();  // fail closed
  if (!found || found->id != user || found->revoked) return SessionExpired();
  if (found->token_expires_at && e.clock().Now() >= *found->token_expires_at)
    return SessionExpired();  // a session never outlives the token it came from
  return Principal{*found};
}

}  // namespace dixian::engine
