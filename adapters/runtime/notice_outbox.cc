#include "adapters/runtime/notice_outbox.h"

namespace dixian::runtime {

using nlohmann::json;

namespace {

json RowPayload(const engine::NoticeRow& r) {
  const auto& t = r.task;
  json p = json::object();
  p["task_id"] = std::to_string(t.id);
  p["case_id"] = t.case_id.empty() ? json(nullptr) : json(t.case_id);
  p["household_id"] = t.household;
  p["head_name"] = r.head_name;
  p["village"] = r.village;
  p["step"] = t.step;
  p["step_label"] = r.step_label;
  p["due_at"] = engine::FormatRfc3339(t.due_at);
  p["days_left"] = r.days_left;
  p["org"] = t.org;
  p["org_name"] = r.org_name;
  p["role"] = engine::Name(t.role);
  if (!t.assignee.empty()) p["assignee"] = t.assignee;
  p["escalation_level"] = r.escalation_level;
  p["link"] = r.link;
  p["mobiles"] = r.mobiles;
  return p;
}

}  // namespace

json NoticePayload(const engine::NoticeView& view, const engine::OutboxMessage& m) {
  if (m.kind == engine::Name(engine::NoticeKind::kDigest)) {
    json rows = json::array();
    for (const auto& r : view.rows) rows.push_back(RowPayload(r));
    return {{"org", view.org},
            {"org_name", view.org_name},
            {"total", view.total},
            {"rows", rows},
            {"link", view.link}};
  }
  json p = view.rows.empty() ? json::object() : RowPayload(view.rows.front());
  if (!view.text.empty()) p["text"] = view.text;
  if (!view.to_im.empty()) {  // a message to one person on an app channel
    p["to"] = view.to_im;
    p["case_version"] = view.case_version;
    json actions = json::array();
    for (const auto& a : view.actions)
      actions.push_back(
          {{"action", a.name}, {"label", a.label}, {"needs_comment", a.needs_console}});
    p["actions"] = actions;
    p["mobiles"] = json::array();  // a card to the person: nobody to @
  }
  return p;
}

void ResolvePayloads(engine::ReadView& view, const engine::WorkflowRegistry& workflows,
                     const std::string& console_base_url,
                     std::vector<engine::OutboxMessage>& messages) {
  for (auto& m : messages)
    if (auto notice = engine::ResolveNotice(view, workflows, m, console_base_url))
      m.payload = NoticePayload(*notice, m);
}

engine::Result<std::vector<engine::OutboxMessage>> ResolvingOutbox::Ready(
    engine::Instant wall_now, int limit, const std::vector<std::string>& skip,
    const std::string& after_channel) {
  auto messages = outbox_.Ready(wall_now, limit, skip, after_channel);
  if (!messages.ok() || messages->empty()) return messages;
  auto view = store_.Read();
  ResolvePayloads(*view, workflows_, base_, messages.value());
  // A notice built of a failed read would go out without names: postpone, as a failed read of
  // the outbox itself does.
  if (const auto& failure = view->failure()) return *failure;
  return messages;
}

}  // namespace dixian::runtime
