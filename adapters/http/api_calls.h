#pragma once
// The write endpoints of the API as JSON in, JSON out: each reads its fields from the request
// JSON into the engine's typed command, runs it, and answers with a Body that renders the typed
// result as JSON when called: after the commit, on the thread that sends the reply (never on
// the writer thread). The routes (api_routes.cc) and the engine tests call these.
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/engine.h"

namespace dixian::http::api {

struct JsonCall {
  engine::Principal who;
  nlohmann::json body = nlohmann::json::object();
  std::string id;     // the path parameter, when the route has one
  std::string key;    // Idempotency-Key header (may be empty)
  std::string raw;    // the raw body: CSV imports; identifies the request for Idempotency-Key
  std::string scope;  // method and path: what an Idempotency-Key is scoped to
};

// Renders the reply's JSON text. Copyable; call it at most once per reply.
using Body = std::function<std::string()>;
using JsonDone = std::function<void(engine::Result<Body>)>;
using JsonWrite = void (*)(engine::Engine&, JsonCall, JsonDone);

void CreateOrg(engine::Engine& e, JsonCall call, JsonDone done);
void ImportOrgs(engine::Engine& e, JsonCall call, JsonDone done);  // CSV in call.raw
void CreateUser(engine::Engine& e, JsonCall call, JsonDone done);
void RevokeUser(engine::Engine& e, JsonCall call, JsonDone done);
void ReissueToken(engine::Engine& e, JsonCall call, JsonDone done);
void CreateChannel(engine::Engine& e, JsonCall call, JsonDone done);
void CreateHousehold(engine::Engine& e, JsonCall call, JsonDone done);
void ImportHouseholds(engine::Engine& e, JsonCall call, JsonDone done);  // CSV in call.raw
void ImportMembers(engine::Engine& e, JsonCall call, JsonDone done);     // CSV in call.raw
void UpdateHousehold(engine::Engine& e, JsonCall call, JsonDone done);
void RecordLead(engine::Engine& e, JsonCall call, JsonDone done);
void ImportLeads(engine::Engine& e, JsonCall call, JsonDone done);  // CSV in call.raw
void ResolveLead(engine::Engine& e, JsonCall call, JsonDone done);
void AssignContact(engine::Engine& e, JsonCall call, JsonDone done);
void RecordMeasure(engine::Engine& e, JsonCall call, JsonDone done);
void LogVisit(engine::Engine& e, JsonCall call, JsonDone done);
void CreateCase(engine::Engine& e, JsonCall call, JsonDone done);
void ApplyAction(engine::Engine& e, JsonCall call, JsonDone done);
void CompleteTask(engine::Engine& e, JsonCall call, JsonDone done);
void TransferTask(engine::Engine& e, JsonCall call, JsonDone done);
void UrgeTask(engine::Engine& e, JsonCall call, JsonDone done);

// JSON text as the API writes it (compact, UTF-8 kept; invalid UTF-8 from stored data replaced).
std::string Dump(const nlohmann::json& value);

}  // namespace dixian::http::api
