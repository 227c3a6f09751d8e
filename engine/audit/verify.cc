// Audit verification and checkpoints (issue 17 items 4 and 5): the walk fails closed (a failed read
// is an error, never a verdict) and names the first event that does not hold.
#include "engine/audit/audit_chain.h"
#include "engine/commands/reports.h"
#include "engine/engine.h"
#include "engine/engine_tx.h"

namespace dixian::engine {

namespace {

constexpr const char* kSwitchOver = "audit_hmac_from";
constexpr const char* kSwitchOverMac = "audit_hmac_from_mac";

AuditCheck Bad(std::int64_t events, std::int64_t seq, const std::string& why) {
  AuditCheck out;
  out.ok = false;
  out.events = events;
  out.first_bad_seq = seq;
  out.message = "审计记录第 " + std::to_string(seq) + " 条" + why;
  return out;
}

std::int64_t SeqOf(const std::optional<std::string>& text) {
  if (!text || text->empty() || text->size() > 18 || text->find_first_not_of("0123456789") != std::string::npos)
    return 0;
  return std::stoll(*text);
}

}  // namespace

Result<AuditCheck> VerifyAudit(Engine& e, const Principal& who, const std::string& checkpoint_text) {
  if (auto st = Require(who, Capability::kVerifyAudit, who.user.org_path); !st.ok()) return st.error();
  std::optional<AuditCheckpoint> checkpoint;
  if (!checkpoint_text.empty()) {
    auto parsed = ParseAuditCheckpoint(checkpoint_text);
    if (!parsed.ok()) return parsed.error();
    checkpoint = parsed.value();
  }
  const AuditChain& chain = e.audit_chain();
  auto view = e.store().Read();
  const std::int64_t hmac_from = SeqOf(view->Meta(kSwitchOver));
  const auto switch_mac = view->Meta(kSwitchOverMac);
  if (view->failure()) return *view->failure();
  if (hmac_from < 1 || !switch_mac || !chain.SwitchOverValid(hmac_from, *switch_mac))
    return Bad(0, std::max<std::int64_t>(hmac_from, 1),
               "处的切换点缺失或签名不符：数据库可能被改动（由开发版本创建的数据库见 dixian audit mark-legacy）");
  if (checkpoint && !chain.CheckpointValid(*checkpoint))
    return Bad(0, checkpoint->seq, "的检查点签名不符：检查点被改动，或不是用本系统的密钥签发的");
  std::string prev;
  std::int64_t count = 0, after = 0;
  std::optional<std::string> at_checkpoint;
  while (true) {
    const auto page = view->AuditPage(after, 5000);
    if (view->failure()) return *view->failure();  // a partial walk is no verdict
    if (page.empty()) break;
    for (const auto& ev : page) {
      if (ev.prev_hash != prev || !chain.Matches(ev)) return Bad(count, ev.seq, "与审计链不符，可能被篡改");
      if (ev.key_id.empty() && ev.seq >= hmac_from)
        return Bad(count, ev.seq, "没有密钥签名，却在切换点之后：是伪造的记录");
      if (checkpoint && ev.seq == checkpoint->seq) at_checkpoint = ev.hash;
      prev = ev.hash;
      after = ev.seq;
      ++count;
    }
  }
  if (checkpoint && !at_checkpoint) return Bad(count, checkpoint->seq, "在检查点中存在，现已不见：审计记录被截断");
  if (checkpoint && *at_checkpoint != checkpoint->hash)
    return Bad(count, checkpoint->seq, "与检查点不符：审计记录被改写");
  AuditCheck out;
  out.events = count;
  out.head_seq = after;
  out.head_hash = prev;
  out.hmac_from = hmac_from;
  if (checkpoint) out.checkpoint_seq = checkpoint->seq;
  return out;
}

Result<AuditHead> CheckpointAudit(Engine& e, const Principal& who) {
  // Only a chain that verifies gets a signed head.
  auto check = VerifyAudit(e, who);
  if (!check.ok()) return check.error();
  if (!check->ok)
    return Error::Unprocessable("audit_chain_broken", "审计链校验未通过，不能签发检查点：" + check->message);
  if (check->head_seq == 0) return Error::Unprocessable("audit_empty", "审计记录为空，没有可签发的检查点");
  const auto c = e.audit_chain().Checkpoint(check->head_seq, check->head_hash, FormatRfc3339(e.wall_clock().Now()));
  return AuditHead{FormatAuditCheckpoint(c), c.seq, c.hash};
}

}  // namespace dixian::engine
