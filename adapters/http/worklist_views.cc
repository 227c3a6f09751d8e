#include "adapters/http/worklist_views.h"

#include "adapters/http/json_views.h"
#include "engine/core/time.h"

namespace dixian::http {

using nlohmann::json;

namespace {

json OrNull(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

}  // namespace

json DoneJson(const std::vector<engine::DoneRow>& rows) {
  json out = json::array();
  for (const auto& r : rows) {
    const auto& ev = r.event;
    json j = {{"seq", ev.seq},
              {"at", engine::FormatRfc3339(ev.at)},
              {"action", ev.action},
              {"action_label", OrNull(r.action_label)},
              {"case", OrNull(ev.case_id)},
              {"household", ev.household},
              {"head_name", r.head_name},
              {"village", r.village},
              {"step", ev.from_state},
              {"step_label", OrNull(r.step_label)},
              {"comment", ev.comment}};
    if (r.now) {
      j["workflow"] = r.now->workflow;
      j["workflow_label"] = r.workflow_label;
      j["state"] = r.now->state;
      j["state_label"] = r.state_label;
      j["closed"] = r.now->closed;
    }
    out.push_back(std::move(j));
  }
  return out;
}

json StartedJson(const std::vector<engine::StartedRow>& rows) {
  json out = json::array();
  for (const auto& r : rows) {
    const auto& c = r.c;
    out.push_back({{"case", c.id},
                   {"workflow", c.workflow},
                   {"workflow_label", r.workflow_label},
                   {"household", c.household},
                   {"head_name", r.head_name},
                   {"village", r.village},
                   {"state", c.state},
                   {"state_label", r.state_label},
                   {"closed", c.closed},
                   {"created_at", engine::FormatRfc3339(c.created_at)},
                   {"updated_at", engine::FormatRfc3339(c.updated_at)},
                   {"waiting", ToJson(r.waiting)}});
  }
  return out;
}

json CopiedJson(const std::vector<engine::CopiedRow>& rows) {
  json out = json::array();
  for (const auto& r : rows) {
    json j = ToJson(r.task);
    j["escalated_up"] = r.up;
    j["org_name"] = r.org_name;
    out.push_back(std::move(j));
  }
  return out;
}

json HitsJson(const std::vector<engine::HouseholdHit>& hits) {
  json out = json::array();
  for (const auto& hit : hits) {
    json j = ToJson(hit.household);
    j["village_name"] = hit.village_name;
    if (hit.monitoring)
      j["monitoring"] = {{"type", engine::Name(hit.monitoring->type)},
                         {"status", engine::Name(hit.monitoring->status)}};
    else
      j["monitoring"] = nullptr;
    out.push_back(std::move(j));
  }
  return out;
}

json SessionJson(const engine::SessionView& s) {
  return {{"session", s.token},
          {"expires_at", engine::FormatRfc3339(s.expires_at)},
          {"expires_in", engine::kSessionSeconds},
          {"me", ToJson(s.me)}};
}

}  // namespace dixian::http
