// Audit verification and checkpoints (issue 17 item 5): the walk fails closed (a failed read is an
// error, never a verdict) and names the first event that does not hold.
#include "engine/audit/audit_chain.h"
#include "engine/engine.h"
#include "engine/engine_tx.h"

namespace dixian::engine {

using nlohmann::json;

namespace {

constexpr const char* kSwitchOver = "audit_hmac_from";
constexpr const char* kSwitchOverMac = "audit_hmac_from_mac";

json Bad(std::int64_t events, std::int64_t seq, const std::string& why) {
  return json{{"ok", false}, {"events", events}, {"first_bad_seq", seq},
              {"message", "审计记录第 " + std::to_string(seq) + " 条" + why}};
}

}  // namespace

Result<json> Engine::VerifyAudit(const Principal& who, const std::string& checkpoint_text) {
  if (auto st = Require(who, Capability::kVerifyAudit, who.user.org_path); !st.ok()) return st.error();
  std::optional<engine::AuditCheckpoint> checkpoint;
  if (!checkpoint_text.empty()) {
    auto parsed = ParseAuditCheckpoint(checkpoint_text);
    if (!parsed.ok()) return parsed.error();
    checkpoint = parsed.value();
  }
  auto view = store_.Read();
  const auto switch_text = view->Meta(kSwitchOver);
  const auto switch_mac = view->Meta(kSwitchOverMac);
  if (view->failure()) return *view->failure();
  std::int64_t hmac_from = 0;
  if (switch_text && !switch_text->empty() && switch_text->size() < 19 &&
      switch_text->find_first_not_of("0123456789") == std::string::npos)
    hmac_from = std::stoll(*switch_text);
  if (hmac_from < 1 || !switch_mac || !audit_chain_.SwitchOverValid(hmac_from, *switch_mac))
    return json{{"ok", false}, {"events", 0}, {"first_bad_seq", std::max<std::int64_t>(hmac_from, 1)},
                {"message", "审计链的切换点缺失或签名不符：数据库可能被改动（或由开发版本创建，见 dixian audit "
                            "mark-legacy） (the switch-over point is missing or its MAC does not match)"}};
  if (checkpoint && !audit_chain_.CheckpointValid(*checkpoint))
    return json{{"ok", false}, {"events", 0}, {"first_bad_seq", checkpoint->seq},
                {"message", "检查点签名不符：检查点被改动，或不是用本系统的密钥生成的 (the checkpoint's MAC does not match)"}};
  std::string prev;
  std::int64_t count = 0, after = 0;
  std::optional<std::string> at_checkpoint;
  while (true) {
    const auto page = view->AuditPage(after, 5000);
    if (view->failure()) return *view->failure();  // a partial walk is no verdict
    if (page.empty()) break;
    for (const auto& e : page) {
      if (e.prev_hash != prev || (!e.key_id.empty() && !audit_chain_.KnowsKey(e.key_id)) || !audit_chain_.Matches(e))
        return Bad(count, e.seq, "与审计链不符，可能被篡改 (event does not match the chain)");
      if (e.key_id.empty() && e.seq >= hmac_from)
        return Bad(count, e.seq, "没有密钥签名，却在切换点之后：伪造的记录 (an unsigned event after the switch-over)");
      if (checkpoint && e.seq == checkpoint->seq) at_checkpoint = e.hash;
      prev = e.hash;
      after = e.seq;
      ++count;
    }
  }
  if (checkpoint && !at_checkpoint)
    return Bad(count, checkpoint->seq, "在检查点中存在，现已不见：审计记录被截断 (the chain was truncated)");
  if (checkpoint && *at_checkpoint != checkpoint->hash)
    return Bad(count, checkpoint->seq, "与检查点不符：审计记录被改写 (the event differs from the checkpoint)");
  json out = {{"ok", true}, {"events", count}, {"head", {{"seq", after}, {"hash", prev}}}, {"hmac_from", hmac_from}};
  if (checkpoint) out["checkpoint_seq"] = checkpoint->seq;
  return out;
}

Result<json> Engine::CheckpointAudit(const Principal& who) {
  if (auto st = Require(who, Capability::kVerifyAudit, who.user.org_path); !st.ok()) return st.error();
  // Only a chain that verifies gets a signed head: the walk first, then its head.
  auto verdict = VerifyAudit(who);
  if (!verdict.ok()) return verdict.error();
  if (!verdict.value()["ok"].get<bool>())
    return Error::Unprocessable("audit_chain_broken", "审计链校验未通过，不能签发检查点：" +
                                                          verdict.value()["message"].get<std::string>());
  const auto& head = verdict.value()["head"];
  if (head["seq"].get<std::int64_t>() == 0)
    return Error::Unprocessable("audit_empty", "审计记录为空，没有可签名的检查点 (no events yet)");
  const auto c = audit_chain_.Checkpoint(head["seq"].get<std::int64_t>(), head["hash"].get<std::string>(),
                                         FormatRfc3339(wall_clock_.Now()));
  return json{{"checkpoint", FormatAuditCheckpoint(c)}, {"seq", c.seq}, {"hash", c.hash}};
}

}  // namespace dixian::engine
