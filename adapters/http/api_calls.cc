#include "adapters/http/api_calls.h"

#include <map>

#include <memory>
#include <optional>

#include "adapters/http/json_input.h"
#include "adapters/http/json_views.h"
#include "engine/commands/admin.h"
#include "engine/commands/cases.h"
#include "engine/commands/households.h"
#include "engine/commands/leads.h"
#include "engine/commands/tasks.h"
#include "engine/core/fields.h"

namespace dixian::http::api {

using engine::Engine;
using nlohmann::json;

std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

namespace {

// Reads fields in order; the first error is kept and later reads return empty values.
class Fields {
 public:
  explicit Fields(const json& body) : body_(body) {}
  std::string Text(const char* field) { return Take(TextField(body_, field), std::string()); }
  std::optional<std::int64_t> Int(const char* field) {
    return Take(IntField(body_, field), std::optional<std::int64_t>());
  }
  std::optional<double> Number(const char* field) {
    return Take(NumberField(body_, field), std::optional<double>());
  }
  std::optional<bool> Bool(const char* field) {
    return Take(BoolField(body_, field), std::optional<bool>());
  }
  json Object(const char* field) { return Take(ObjectField(body_, field), json::object()); }
  // `members` as persons (a list of objects); a count is read with Int.
  std::optional<std::vector<engine::MemberInput>> Members() {
    const auto it = body_.find("members");
    if (error_ || it == body_.end() || !it->is_array()) return std::nullopt;
    std::vector<engine::MemberInput> out;
    for (size_t i = 0; i < it->size() && !error_; ++i) {
      const json& m = (*it)[i];
      const std::string at = "members[" + std::to_string(i) + "].";
      if (!m.is_object()) {
        error_ = engine::InvalidField("members[" + std::to_string(i) + "]", "应为对象");
        break;
      }
      engine::MemberInput in;
      in.name = Take(TextField(m, "name", at), std::string());
      in.relation = Take(TextField(m, "relation", at), std::string());
      in.id_number = Take(TextField(m, "id_number", at), std::string());
      in.sex = Take(TextField(m, "sex", at), std::string());
      in.labour = Take(TextField(m, "labour", at), std::string());
      in.health = Take(TextField(m, "health", at), std::string());
      in.schooling = Take(TextField(m, "schooling", at), std::string());
      in.birth_year = Take(IntField(m, "birth_year", at), std::optional<std::int64_t>());
      out.push_back(std::move(in));
    }
    return out;
  }
  bool Has(const char* field) const { return body_.is_object() && body_.contains(field); }
  std::optional<std::vector<std::int64_t>> IntList(const char* field, const std::string& why) {
    return Take(IntListField(body_, field, why), std::optional<std::vector<std::int64_t>>());
  }
  // An object whose values are all strings (absent: empty), e.g. users' "im", channels' "app".
  std::map<std::string, std::string> TextMap(const char* field) {
    std::map<std::string, std::string> out;
    const json object = Object(field);
    for (const auto& [key, value] : object.items()) {
      if (error_) break;
      auto text = TextField(object, key, std::string(field) + ".");
      if (!text.ok())
        error_ = text.error();
      else
        out[key] = std::move(text.value());
    }
    return out;
  }
  const std::optional<engine::Error>& error() const { return error_; }

 private:
  template <class T>
  T Take(engine::Result<T> r, T fallback) {
    if (error_) return fallback;
    if (!r.ok()) {
      error_ = r.error();
      return fallback;
    }
    return std::move(r.value());
  }
  const json& body_;
  std::optional<engine::Error> error_;
};

// The answer as it may be stored with an Idempotency-Key: a token is shown once, never written
// to the database. The stored copy drops "token" and says so ("token_withheld": true); a replay
// returns that copy.
json StorableReply(json reply) {
  if (!reply.is_object() || !reply.contains("token")) return reply;
  reply.erase("token");
  reply["token_withheld"] = true;
  return reply;
}

// The engine write for `call`: answers `done` with a Body that renders the result (or replays
// the stored reply of a repeated Idempotency-Key).
template <class R>
engine::Write<R> WriteOf(const JsonCall& call, JsonDone done) {
  engine::Write<R> w;
  w.who = call.who;
  w.idempotency = {call.key, call.scope, call.raw.empty() ? call.body.dump() : call.raw};
  w.render = [](const R& r) { return Dump(StorableReply(ToJson(r))); };
  w.done = [done = std::move(done)](engine::Result<engine::Answer<R>> a) {
    if (!a.ok()) return done(a.error());
    if (a->replayed()) return done(Body([s = std::move(a->replay)] { return s; }));
    done(Body([v = std::make_shared<const R>(std::move(*a->value))] { return Dump(ToJson(*v)); }));
  };
  return w;
}

}  // namespace

void CreateOrg(Engine& e, JsonCall call, JsonDone done) {
  auto w = WriteOf<engine::Org>(call, std::move(done));
  Fields f(call.body);
  engine::OrgInput in{f.Text("code"), f.Text("name"), f.Text("level"), f.Text("parent")};
  if (f.error()) return w.done(*f.error());
  engine::CreateOrg(e, std::move(w), std::move(in));
}

void ImportOrgs(Engine& e, JsonCall call, JsonDone done) {
  auto w = WriteOf<engine::ImportCount>(call, std::move(done));
  engine::ImportOrgs(e, std::move(w), {call.raw});
}

void CreateUser(Engine& e, JsonCall call, JsonDone done) {
  auto w = WriteOf<engine::NewUser>(call, std::move(done));
  Fields f(call.body);
  engine::UserInput in{f.Text("id"),     f.Text("name"),       f.Text("role"),
                       f.Text("org"),    f.Text("mobile"),     f.Text("department"),
                       f.Text("token_expires_at"), f.TextMap("im")};
  if (f.error()) return w.done(*f.error());
  engine::CreateUser(e, std::move(w), std::move(in));
}

void RevokeUser(Engine& e, JsonCall call, JsonDone done) {
  engine::RevokeUser(e, WriteOf<engine::TokenChange>(call, std::move(done)), {call.id, ""});
}

void ReissueToken(Engine& e, JsonCall call, JsonDone done) {
  auto w = WriteOf<engine::TokenChange>(call, std::move(done));
  Fields f(call.body);
  engine::UserRef user{call.id, f.Text("token_expires_at")};
  if (f.error()) return w.done(*f.error());
  engine::ReissueToken(e, std::move(w), std::move(user));
}

void CreateChannel(Engine& e, JsonCall call, JsonDone done) {
  auto w = WriteOf<engine::Channel>(call, std::move(done));
  Fields f(call.body);
  engine::ChannelInput in{
      f.Text("id"),     f.Text("org"),
      f.Text("kind"),   f.Text("url"),
      f.Text("secret"), f.IntList("quiet_hours", "应为 [开始小时, 结束小时]，均为 0 到 23 的整数"),
      f.TextMap("app"), f.Text("api_base")};
  if (f.error()) return w.done(*f.error());
  engine::CreateChannel(e, std::move(w), std::move(in));
}

void CreateHousehold(Engine& e, JsonCall call, JsonDone done) {
  auto w = WriteOf<engine::HouseholdView>(call, std::move(done));
  Fields f(call.body);
  engine::HouseholdInput in;
  in.id = f.Text("id");
  in.village = f.Text("village");
  in.head_name = f.Text("head_name");
  in.persons = f.Members();
  if (!in.persons) in.members = f.Int("members");
  in.income_per_capita = f.Number("income_per_capita");
  in.registered_poor = f.Bool("registered_poor");
  in.away_long_term = f.Bool("away_long_term");
  in.rigid_spending = f.Number("rigid_spending");
  if (f.error()) return w.done(*f.error());
  engine::CreateHousehold(e, std::move(w), std::move(in));
}

void UpdateHousehold(Engine& e, JsonCall call, JsonDone done) {
  auto w = WriteOf<engine::HouseholdView>(call, std::move(done));
  Fields f(call.body);
  engine::HouseholdPatch p;
  p.id = call.id;
  p.expected_version = f.Int("expected_version");
  if (f.Has("head_name")) p.head_name = f.Text("head_name");
  if (f.Has("members")) {
    p.persons = f.Members();
    if (!p.persons && !f.error())
      return w.done(engine::InvalidField("members", "应为家庭成员列表（整体替换）"));
  }
  p.income_per_capita = f.Number("income_per_capita");
  p.rigid_spending = f.Number("rigid_spending");
  p.registered_poor = f.Bool("registered_poor");
  p.away_long_term = f.Bool("away_long_term");
  p.comment = f.Text("comment");
  if (f.error()) return w.done(*f.error());
  engine::UpdateHousehold(e, std::move(w), std::move(p));
}

void ImportMembers(Engine& e, JsonCall call, JsonDone done) {
  engine::ImportMembers(e, WriteOf<engine::ImportCount>(call, std::move(done)), {call.raw});
}

void RecordLead(Engine& e, JsonCall call, JsonDone done) {
  auto w = WriteOf<engine::LeadView>(call, std::move(done));
  Fields f(call.body);
  engine::LeadInput in{f.Text("household"), f.Text("id_number"), f.Text("source"),
                       f.Text("indicator"), f.Text("detail")};
  if (f.error()) return w.done(*f.error());
  engine::RecordLead(e, std::move(w), std::move(in));
}

void ImportLeads(Engine& e, JsonCall call, JsonDone done) {
  engine::ImportLeads(e, WriteOf<engine::LeadImport>(call, std::move(done)), {call.raw});
}

void ResolveLead(Engine& e, JsonCall call, JsonDone done) {
  auto w = WriteOf<engine::LeadView>(call, std::move(done));
  Fields f(call.body);
  engine::ResolveLeadInput in{call.id, f.Text("outcome"), f.Text("comment"), f.Object("data")};
  if (f.error()) return w.done(*f.error());
  engine::ResolveLead(e, std::move(w), std::move(in));
}

void ImportHouseholds(Engine& e, JsonCall call, JsonDone done) {
  engine::ImportHouseholds(e, WriteOf<engine::ImportCount>(call, std::move(done)), {call.raw});
}

void AssignContact(Engine& e, JsonCall call, JsonDone done) {
  auto w = WriteOf<engine::ContactAssigned>(call, std::move(done));
  Fields f(call.body);
  engine::ContactInput in{call.id, f.Text("user")};
  if (f.error()) return w.done(*f.error());
  engine::AssignContact(e, std::move(w), std::move(in));
}

void RecordMeasure(Engine& e, JsonCall call, JsonDone done) {
  auto w = WriteOf<engine::Measure>(call, std::move(done));
  Fields f(call.body);
  engine::MeasureInput in{call.id, f.Text("kind"), f.Text("description"), f.Text("department"),
                          f.Text("cause")};
  if (f.error()) return w.done(*f.error());
  engine::RecordMeasure(e, std::move(w), std::move(in));
}

void LogVisit(Engine& e, JsonCall call, JsonDone done) {
  auto w = WriteOf<engine::Visit>(call, std::move(done));
  Fields f(call.body);
  engine::VisitInput in{call.id, f.Text("mode"), f.Text("note")};
  if (f.error()) return w.done(*f.error());
  engine::LogVisit(e, std::move(w), std::move(in));
}

void CreateCase(Engine& e, JsonCall call, JsonDone done) {
  auto w = WriteOf<engine::CaseView>(call, std::move(done));
  Fields f(call.body);
  engine::CaseInput in{f.Text("workflow"), f.Text("household"), f.Object("data")};
  if (f.error()) return w.done(*f.error());
  engine::OpenCase(e, std::move(w), std::move(in));
}

void ApplyAction(Engine& e, JsonCall call, JsonDone done) {
  auto w = WriteOf<engine::CaseView>(call, std::move(done));
  Fields f(call.body);
  engine::ActionInput in{call.id, f.Text("action"), f.Text("comment"), f.Int("expected_version"),
                         f.Object("data")};
  if (f.error()) return w.done(*f.error());
  engine::ActOnCase(e, std::move(w), std::move(in));
}

void CompleteTask(Engine& e, JsonCall call, JsonDone done) {
  engine::CompleteTask(e, WriteOf<engine::TaskClosed>(call, std::move(done)), {call.id});
}

void TransferTask(Engine& e, JsonCall call, JsonDone done) {
  auto w = WriteOf<engine::TaskView>(call, std::move(done));
  Fields f(call.body);
  engine::TransferInput in{call.id, f.Text("user"), f.Text("comment")};
  if (f.error()) return w.done(*f.error());
  engine::TransferTask(e, std::move(w), std::move(in));
}

void UrgeTask(Engine& e, JsonCall call, JsonDone done) {
  auto w = WriteOf<engine::Urged>(call, std::move(done));
  Fields f(call.body);
  engine::UrgeInput in{call.id, f.Text("comment")};
  if (f.error()) return w.done(*f.error());
  engine::UrgeTask(e, std::move(w), std::move(in));
}

}  // namespace dixian::http::api
