#include "adapters/chat/app.h"

#include <charconv>

namespace dixian::chat {

std::string PressSummary(const Press& press, const PressOutcome& outcome) {
  switch (outcome.result) {
    case PressResult::kDone:
      return "已" + press.label + (outcome.actor_name.empty() ? "" : "（" + outcome.actor_name + "）");
    case PressResult::kHandledByOthers: return "已被他人处理";
    case PressResult::kForbidden: return "无权限";
    case PressResult::kExpired: return "已过期";
    case PressResult::kFailed: break;
  }
  return "处理失败，请到系统中办理";
}

engine::Status AppApi::CheckSettings(const std::map<std::string, std::string>&) const {
  return engine::OkStatus();
}

DecodedCallback AppApi::DecodeCallback(const engine::Channel&, const CallbackRequest&,
                                       std::int64_t) const {
  DecodedCallback refused;
  refused.reply = {404, "text/plain; charset=utf-8", "not found"};
  refused.why = "this channel kind takes no callbacks";
  return refused;
}

CallbackReply AppApi::PressReply(const engine::Channel&, const Press&, const PressOutcome&) const {
  return {};
}

std::optional<HttpRequest> AppApi::CardUpdate(const engine::Channel&, const Press&,
                                              const PressOutcome&, const std::string&) const {
  return std::nullopt;
}

std::string Setting(const engine::Channel& channel, std::string_view key) {
  auto it = channel.app.find(std::string(key));
  return it == channel.app.end() ? std::string() : it->second;
}

std::string ApiBase(const engine::Channel& channel, const AppApi& app) {
  std::string base = channel.url.empty() ? std::string(app.default_api_base()) : channel.url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

std::string PersonKey(const std::string& channel_id, const std::string& person) {
  return channel_id + "/" + person;
}

std::string ButtonKey(const std::string& case_id, int version, const std::string& action,
                      const std::string& label) {
  return "dx1|" + case_id + "|" + std::to_string(version) + "|" + action + "|" + label;
}

std::optional<ButtonValue> ParseButtonKey(std::string_view key) {
  std::vector<std::string_view> parts;
  std::size_t from = 0;
  for (;;) {
    const std::size_t bar = key.find('|', from);
    parts.push_back(key.substr(from, bar == std::string_view::npos ? bar : bar - from));
    if (bar == std::string_view::npos) break;
    from = bar + 1;
  }
  if (parts.size() != 5 || parts[0] != "dx1" || parts[1].empty() || parts[3].empty()) {
    return std::nullopt;
  }
  ButtonValue v;
  v.case_id = std::string(parts[1]);
  const auto [end, ec] = std::from_chars(parts[2].data(), parts[2].data() + parts[2].size(), v.version);
  if (ec != std::errc() || end != parts[2].data() + parts[2].size() || v.version <= 0) {
    return std::nullopt;
  }
  v.action = std::string(parts[3]);
  v.label = std::string(parts[4]);
  return v;
}

}  // namespace dixian::chat
