#pragma once
// Platform-neutral rendering of outbox messages into notices (title, lines, link, mentions),
// and combining many messages into digests grouped by step and due date.
#include <cstddef>
#include <string>
#include <vector>

#include "adapters/chat/templates.h"
#include "engine/outbox/outbox.h"

namespace dixian::chat {

struct Notice {
  std::string kind;
  std::string format;   // text | markdown | card (from the kind's template)
  std::string title;    // masked
  std::vector<std::string> lines;  // masked; markdown-free text
  std::string link;     // absolute console URL, or empty
  std::vector<std::string> mobiles;          // unmasked, to @mention (never printed as is)
  std::vector<std::string> feishu_user_ids;  // Feishu custom bots can @ only by user/open id
  std::string message_id;
  bool urgent = false;
  // App channels (a message to one person):
  std::string to;  // the recipient's id on the platform
  struct Action {
    std::string action;  // the engine action a button runs, e.g. approve
    std::string label;   // what the button says, e.g. 通过
    bool needs_comment = false;  // e.g. 退回 needs a reason: its button opens the console page
  };
  std::vector<Action> actions;  // what the recipient may do on the step now (buttons)
  std::string case_id;
  int case_version = 0;  // carried in each button as the expected version
};

// One task row of a message (or of a digest payload's "rows").
struct TaskRow {
  std::string head_name, village, step, step_label, due_date, org_name, link;
  int days_left = 0;
  bool has_days_left = false;
  int escalation_level = 0;
  std::vector<std::string> mobiles;
  std::vector<std::string> feishu_user_ids;
};

std::vector<TaskRow> RowsOf(const engine::OutboxMessage& m);
std::string AbsoluteLink(const Templates& t, const std::string& path);

// A single message as one notice.
Notice RenderNotice(const engine::OutboxMessage& m, const Templates& t);

// Combines messages into digests, most urgent group first (most days late, then soonest due),
// rows grouped by step and due date. A new digest starts only when the next line would push
// the content past max_content_bytes. covers[i] lists indexes into `messages` that digest i
// holds rows of (a message whose rows span two digests is listed in both).
struct DigestPlan {
  std::vector<Notice> notices;
  std::vector<std::vector<std::size_t>> covers;
};
DigestPlan RenderDigests(const std::vector<engine::OutboxMessage>& messages, const Templates& t,
                         std::size_t max_content_bytes);

// Largest prefix of `text` of at most max_bytes bytes that ends on a UTF-8 character boundary.
std::string CutUtf8(const std::string& text, std::size_t max_bytes);

}  // namespace dixian::chat
