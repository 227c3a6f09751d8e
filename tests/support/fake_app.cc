#include "tests/support/fake_app.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>


#include "adapters/chat/crypto/feishu.h"
#include "adapters/chat/crypto/wecom.h"
#include "adapters/chat/signer.h"
#include "tests/support/fake_http.h"
#include "tests/support/loopback_http.h"

namespace dixian::testing {
namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
using nlohmann::json;

std::string PathOf(const std::string& target) { return target.substr(0, target.find('?')); }

}  // namespace

struct FakeApp::Impl {
  std::string kind;
  FakeAppSettings s;
  std::set<std::string> users;
  NowMs now_ms;
  LoopbackHttp server;

  mutable std::mutex mu;
  mutable std::condition_variable cv;
  std::map<std::string, std::int64_t> tokens;  // token -> expires at (ms)
  int issued = 0;
  std::vector<FakeAppMessage> received;
  std::vector<json> card_updates;
  std::vector<long long> send_codes;
  std::set<std::string> response_codes;  // WeCom: issued with presses, each usable once
  std::map<std::string, std::string> sign_in_codes;
  int callbacks = 0;

  // ---- tokens ----
  json IssueToken(const char* field, long long ok_code_value, const char* code_key, const char* msg_key) {
    const std::string token = kind.substr(0, 2) + "-tok-" + std::to_string(++issued);
    tokens[token] = now_ms() + 7200 * 1000;
    json j = {{code_key, ok_code_value}, {field, token}};
    j[kind == "feishu_app" ? "expire" : "expires_in"] = 7200;
    j[msg_key] = "ok";
    return j;
  }
  // 0 = valid, 1 = expired, 2 = unknown
  int TokenState(const std::string& token) const {
    auto it = tokens.find(token);
    if (it == tokens.end()) return 2;
    return it->second <= now_ms() ? 1 : 0;
  }

  // Sends to one person within the platform's per-person window, or "dropped silently".
  bool OverPersonLimit(const std::string& to, std::int64_t now) const {
    auto count_since = [&](std::int64_t from) {
      return std::count_if(received.begin(), received.end(), [&](const FakeAppMessage& m) {
        return m.to == to && !m.dropped && m.at_ms > from;
      });
    };
    if (kind == "wecom_app") return count_since(now - 60000) >= 30 || count_since(now - 3600000) >= 1000;
    if (kind == "feishu_app") return count_since(now - 1000) >= 5;
    return count_since(now - 86400000) >= 500;
  }

  json Answer(const std::string& method, const std::string& target, const std::string& body,
              const std::map<std::string, std::string>& headers) {
    std::lock_guard lock(mu);
    const std::string path = PathOf(target);
    const auto q = QueryParams(target);
    const json j = json::parse(body, nullptr, false);
    auto query = [&](const char* k) { auto it = q.find(k); return it == q.end() ? std::string() : it->second; };
    if (kind == "wecom_app") return WeCom(method, path, query, j);
    if (kind == "feishu_app") {
      auto it = headers.find("authorization");
      const std::string bearer = it != headers.end() && it->second.rfind("Bearer ", 0) == 0 ? it->second.substr(7) : "";
      return Feishu(path, bearer, j);
    }
    return DingTalk(path, query, j);
  }

  template <class Query>
  json WeCom(const std::string& method, const std::string& path, Query query, const json& j) {
    if (path == "/cgi-bin/gettoken" && method == "GET") {
      if (query("corpid") != s.corp_id) return {{"errcode", 40013}, {"errmsg", "invalid corpid"}};
      if (query("corpsecret") != s.corp_secret) return {{"errcode", 40001}, {"errmsg", "invalid credential"}};
      return IssueToken("access_token", 0, "errcode", "errmsg");
    }
    const int state = TokenState(query("access_token"));
    const bool send = path == "/cgi-bin/message/send";
    if (state == 1) return Refuse(send, {{"errcode", 42001}, {"errmsg", "access_token expired"}});
    if (state == 2) return Refuse(send, {{"errcode", 40014}, {"errmsg", "invalid access_token"}});
    if (send) {
      if (!j.is_object() || j.value("agentid", 0) != std::stoi(s.agent_id)) return Sent({}, {{"errcode", 40056}, {"errmsg", "invalid agentid"}});
      const std::string to = j.value("touser", "");
      if (!users.count(to)) return Sent({}, {{"errcode", 81013}, {"errmsg", "user & party & tag all invalid"}});
      FakeAppMessage m{to, j, j.value("template_card", json()), "", "", false, now_ms()};
      m.task_id = m.card.value("task_id", "");
      m.dropped = OverPersonLimit(to, m.at_ms);  // WeCom: "超过部分会被丢弃不下发", no error
      return Sent(std::move(m), {{"errcode", 0}, {"errmsg", "ok"}, {"invaliduser", ""}, {"msgid", "m" + std::to_string(received.size() + 1)}});
    }
    if (path == "/cgi-bin/message/update_template_card") {
      const std::string rc = j.is_object() ? j.value("response_code", "") : "";
      if (!response_codes.erase(rc)) return {{"errcode", 40147}, {"errmsg", "invalid response_code"}};
      card_updates.push_back(j);
      cv.notify_all();
      return {{"errcode", 0}, {"errmsg", "ok"}};
    }
    if (path == "/cgi-bin/auth/getuserinfo") {
      auto it = sign_in_codes.find(query("code"));
      if (it == sign_in_codes.end()) return {{"errcode", 40029}, {"errmsg", "invalid code"}};
      const std::string user = it->second;
      sign_in_codes.erase(it);  // a code is good once
      return {{"errcode", 0}, {"errmsg", "ok"}, {"userid", user}};
    }
    return {{"errcode", 404}, {"errmsg", "no such api"}};
  }

  json Feishu(const std::string& path, const std::string& bearer, const json& j) {
    if (path == "/open-apis/auth/v3/tenant_access_token/internal" || path == "/open-apis/auth/v3/app_access_token/internal") {
      if (!j.is_object() || j.value("app_id", "") != s.app_id) return {{"code", 10003}, {"msg", "invalid param"}};
      if (j.value("app_secret", "") != s.app_secret) return {{"code", 10014}, {"msg", "app secret invalid"}};
      const bool tenant = path.find("tenant") != std::string::npos;
      return IssueToken(tenant ? "tenant_access_token" : "app_access_token", 0, "code", "msg");
    }
    const int state = TokenState(bearer);
    const bool send = path == "/open-apis/im/v1/messages";
    if (state != 0) return Refuse(send, {{"code", 99991663}, {"msg", "Invalid access token for authorization."}});
    if (send) {
      const std::string to = j.is_object() ? j.value("receive_id", "") : "";
      if (!users.count(to)) return Sent({}, {{"code", 230013}, {"msg", "Bot has NO availability to this user."}});
      const std::int64_t now = now_ms();
      if (OverPersonLimit(to, now)) return Sent({}, {{"code", 99991400}, {"msg", "request trigger frequency limit"}});
      FakeAppMessage m{to, j, json::parse(j.value("content", "null"), nullptr, false), "", "", false, now};
      m.message_id = "om_" + std::to_string(received.size() + 1);
      json answer = {{"code", 0}, {"msg", "success"}, {"data", {{"message_id", m.message_id}}}};
      return Sent(std::move(m), answer);
    }
    if (path == "/open-apis/authen/v1/access_token") {
      auto it = sign_in_codes.find(j.is_object() ? j.value("code", "") : "");
      if (it == sign_in_codes.end()) return {{"code", 20003}, {"msg", "invalid code"}};
      const std::string user = it->second;
      sign_in_codes.erase(it);
      return {{"code", 0}, {"msg", "success"}, {"data", {{"open_id", user}, {"name", "fake"}}}};
    }
    return {{"code", 404}, {"msg", "no such api"}};
  }

  template <class Query>
  json DingTalk(const std::string& path, Query query, const json& j) {
    if (path == "/gettoken") {
      if (query("appkey") != s.app_key || query("appsecret") != s.ding_app_secret) return {{"errcode", 40089}, {"errmsg", "不合法的appKey或appSecret"}};
      return IssueToken("access_token", 0, "errcode", "errmsg");
    }
    const int state = TokenState(query("access_token"));
    const bool send = path == "/topapi/message/corpconversation/asyncsend_v2";
    if (state == 1) return Refuse(send, {{"errcode", 42001}, {"errmsg", "access_token expired"}});
    if (state == 2) return Refuse(send, {{"errcode", 40014}, {"errmsg", "不合法的access_token"}});
    if (send) {
      if (!j.is_object() || std::to_string(j.value("agent_id", 0LL)) != s.ding_agent_id) return Sent({}, {{"errcode", 400}, {"errmsg", "agent_id invalid"}});
      const std::string to = j.value("userid_list", "");
      if (!users.count(to)) return Sent({}, {{"errcode", 33012}, {"errmsg", "无效的USERID"}});
      FakeAppMessage m{to, j, j.value("msg", json()), "", "", false, now_ms()};
      m.dropped = OverPersonLimit(to, m.at_ms);  // "接口返回成功，但用户无法接收到"
      return Sent(std::move(m), {{"errcode", 0}, {"task_id", 10000 + static_cast<int>(received.size())}});
    }
    if (path == "/topapi/v2/user/getuserinfo") {
      auto it = sign_in_codes.find(j.is_object() ? j.value("code", "") : "");
      if (it == sign_in_codes.end()) return {{"errcode", 40078}, {"errmsg", "不存在的临时授权码"}};
      const std::string user = it->second;
      sign_in_codes.erase(it);
      return {{"errcode", 0}, {"result", {{"userid", user}}}};
    }
    return {{"errcode", 404}, {"errmsg", "no such api"}};
  }

  json Refuse(bool send, json answer) { return send ? Sent({}, std::move(answer)) : answer; }

  // Records a send (accepted, dropped or refused) and its code. Called with mu held.
  json Sent(FakeAppMessage m, json answer) {
    const long long code = answer.value(kind == "feishu_app" ? "code" : "errcode", -1LL);
    send_codes.push_back(code);
    if (!m.to.empty()) received.push_back(std::move(m));
    cv.notify_all();
    return answer;
  }

  asio::awaitable<void> Serve(beast::tcp_stream& stream, FakeHttpRequest req) {
    std::string body = Answer(req.method, req.target, req.body, req.headers).dump();
    co_await WriteJsonAndClose(stream, 200, std::move(body));  // named: see fake_platform.cc
  }
};

FakeApp::FakeApp(std::string kind, std::set<std::string> users, NowMs now_ms, FakeAppSettings settings)
    : kind_(std::move(kind)), settings_(std::move(settings)), impl_(std::make_shared<Impl>()) {
  impl_->kind = kind_;
  impl_->s = settings_;
  impl_->users = std::move(users);
  impl_->now_ms = now_ms ? std::move(now_ms) : NowMs(WallClockMs);
  port_ = impl_->server.Start([impl = impl_.get()](beast::tcp_stream& stream, FakeHttpRequest req) {
    return impl->Serve(stream, std::move(req));
  });
}

FakeApp::~FakeApp() { impl_->server.Stop(); }

std::string FakeApp::BaseUrl() const { return "http://127.0.0.1:" + std::to_string(port_); }

json FakeApp::AppJson() const {
  if (kind_ == "wecom_app") {
    return {{"corp_id", settings_.corp_id}, {"corp_secret", settings_.corp_secret},
            {"agent_id", settings_.agent_id}, {"callback_token", settings_.callback_token},
            {"encoding_aes_key", settings_.encoding_aes_key}};
  }
  if (kind_ == "feishu_app") {
    return {{"app_id", settings_.app_id}, {"app_secret", settings_.app_secret},
            {"encrypt_key", settings_.encrypt_key}, {"verification_token", settings_.verification_token}};
  }
  return {{"app_key", settings_.app_key}, {"app_secret", settings_.ding_app_secret},
          {"agent_id", settings_.ding_agent_id}};
}

std::vector<FakeAppMessage> FakeApp::Messages() const {
  std::lock_guard lock(impl_->mu);
  std::vector<FakeAppMessage> out;
  for (const auto& m : impl_->received)
    if (!m.dropped) out.push_back(m);
  return out;
}

std::vector<FakeAppMessage> FakeApp::Received() const {
  std::lock_guard lock(impl_->mu);
  return impl_->received;
}

bool FakeApp::WaitForMessages(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, timeout, [&] {
    return static_cast<std::size_t>(std::count_if(impl_->received.begin(), impl_->received.end(),
                                                  [](const FakeAppMessage& m) { return !m.dropped; })) >= n;
  });
}

std::vector<json> FakeApp::CardUpdates() const {
  std::lock_guard lock(impl_->mu);
  return impl_->card_updates;
}

bool FakeApp::WaitForCardUpdates(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, timeout, [&] { return impl_->card_updates.size() >= n; });
}

int FakeApp::token_fetches() const {
  std::lock_guard lock(impl_->mu);
  return impl_->issued;
}

std::vector<long long> FakeApp::SendCodes() const {
  std::lock_guard lock(impl_->mu);
  return impl_->send_codes;
}

void FakeApp::ExpireTokens() {
  std::lock_guard lock(impl_->mu);
  for (auto& [token, expires] : impl_->tokens) expires = 0;
}

void FakeApp::AddSignInCode(const std::string& code, const std::string& user) {
  std::lock_guard lock(impl_->mu);
  impl_->sign_in_codes[code] = user;
}

FakeCallback FakeApp::Press(const FakeAppMessage& message, const std::string& user,
                            const std::string& key, std::int64_t at_ms) {
  const std::int64_t now = at_ms ? at_ms : impl_->now_ms();
  int n = 0;
  {
    std::lock_guard lock(impl_->mu);
    n = ++impl_->callbacks;
  }
  const std::string timestamp = std::to_string(now / 1000), nonce = "nonce" + std::to_string(n);
  FakeCallback cb;
  cb.method = "POST";
  if (kind_ == "wecom_app") {
    const std::string response_code = "rc-" + std::to_string(n);
    {
      std::lock_guard lock(impl_->mu);
      impl_->response_codes.insert(response_code);
    }
    const std::string xml =
        "<xml>" + chat::crypto::XmlCdata("ToUserName", settings_.corp_id) + chat::crypto::XmlCdata("FromUserName", user) +
        "<CreateTime>" + timestamp + "</CreateTime>" + chat::crypto::XmlCdata("MsgType", "event") +
        chat::crypto::XmlCdata("Event", "template_card_event") + chat::crypto::XmlCdata("EventKey", key) +
        chat::crypto::XmlCdata("TaskId", message.task_id) + chat::crypto::XmlCdata("CardType", "button_interaction") +
        chat::crypto::XmlCdata("ResponseCode", response_code) + "<AgentID>" + settings_.agent_id + "</AgentID></xml>";
    auto crypt = chat::crypto::WeComCrypt::Make(settings_.callback_token, settings_.encoding_aes_key, settings_.corp_id);
    const std::string encrypted = crypt->EncryptWith("r" + std::to_string(1000000000000000 + n), xml);
    cb.query = "msg_signature=" + crypt->Signature(timestamp, nonce, encrypted) + "&timestamp=" + timestamp + "&nonce=" + nonce;
    cb.body = "<xml>" + chat::crypto::XmlCdata("ToUserName", settings_.corp_id) + chat::crypto::XmlCdata("Encrypt", encrypted) +
              chat::crypto::XmlCdata("AgentID", settings_.agent_id) + "</xml>";
    cb.headers = {{"Content-Type", "text/xml"}};
    return cb;
  }
  // Feishu card.action.trigger (schema 2.0), encrypted with the Encrypt Key and signed.
  const json event = {
      {"schema", "2.0"},
      {"header", {{"event_id", "ev-" + std::to_string(n)}, {"token", settings_.verification_token},
                  {"create_time", std::to_string(now)}, {"event_type", "card.action.trigger"},
                  {"tenant_key", "tenant"}, {"app_id", settings_.app_id}}},
      {"event", {{"operator", {{"open_id", user}, {"tenant_key", "tenant"}}},
                 {"token", "c-" + std::to_string(n)},
                 {"action", {{"tag", "button"}, {"value", {{"key", key}}}}},
                 {"context", {{"open_message_id", message.message_id}, {"open_chat_id", "oc_p2p"}}}}}};
  const std::string iv = "iv" + std::to_string(1000000000000000LL + n).substr(0, 14);
  cb.body = json{{"encrypt", chat::crypto::FeishuEncryptWith(settings_.encrypt_key, iv, event.dump())}}.dump();
  cb.headers = {{"Content-Type", "application/json"},
                {"X-Lark-Request-Timestamp", timestamp},
                {"X-Lark-Request-Nonce", nonce},
                {"X-Lark-Signature", chat::crypto::FeishuSignature(timestamp, nonce, settings_.encrypt_key, cb.body)}};
  return cb;
}

FakeCallback FakeApp::UrlCheck(std::int64_t at_ms) {
  const std::int64_t now = at_ms ? at_ms : impl_->now_ms();
  const std::string timestamp = std::to_string(now / 1000), nonce = "check";
  FakeCallback cb;
  if (kind_ == "wecom_app") {
    auto crypt = chat::crypto::WeComCrypt::Make(settings_.callback_token, settings_.encoding_aes_key, settings_.corp_id);
    cb.method = "GET";
    cb.expected_echo = "8231736298312467093";
    const std::string echostr = crypt->EncryptWith("0123456789abcdef", cb.expected_echo);
    cb.query = "msg_signature=" + crypt->Signature(timestamp, nonce, echostr) + "&timestamp=" + timestamp +
               "&nonce=" + nonce + "&echostr=" + chat::UrlEncode(echostr);
    return cb;
  }
  cb.method = "POST";
  cb.expected_echo = "challenge-7a1b";
  const json event = {{"challenge", cb.expected_echo}, {"token", settings_.verification_token}, {"type", "url_verification"}};
  cb.body = json{{"encrypt", chat::crypto::FeishuEncryptWith(settings_.encrypt_key, "0123456789abcdef", event.dump())}}.dump();
  cb.headers = {{"Content-Type", "application/json"}};
  return cb;
}

std::map<std::string, std::string> CardButtons(const std::string& kind, const FakeAppMessage& m) {
  std::map<std::string, std::string> out;
  if (kind == "wecom_app") {
    for (const auto& b : m.card.value("button_list", json::array())) {
      out[b.value("text", "")] = b.value("type", 0) == 1 ? "url:" + b.value("url", "") : b.value("key", "");
    }
  } else if (kind == "feishu_app") {
    for (const auto& e : m.card.value("elements", json::array())) {
      for (const auto& b : e.value("actions", json::array())) {
        const std::string label = b["text"].value("content", "");
        out[label] = b.contains("url") ? "url:" + b.value("url", "") : b["value"].value("key", "");
      }
    }
  } else {
    const json& card = m.card.value("action_card", json::object());
    for (const auto& b : card.value("btn_json_list", json::array())) out[b.value("title", "")] = "url:" + b.value("action_url", "");
  }
  return out;
}

}  // namespace dixian::testing
