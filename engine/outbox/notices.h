#pragma once
// What a notice shows, looked up after commit from the compact facts its outbox row holds (the
// writer records only what happened: kind, task, escalation level, note). Names, labels and whom
// to @mention are read here, on the delivery side, through a read view.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/model/model.h"
#include "engine/outbox/outbox.h"
#include "engine/store/store.h"
#include "engine/workflow/loader.h"

namespace dixian::engine {

struct NoticeRow {  // one task a notice is about
  Task task;
  std::string head_name, village, step_label, org_name;
  std::int64_t days_left = 0;  // at the notice's time; negative = days late
  int escalation_level = 0;
  std::string link;  // console page of the case (or of the household, for follow-ups)
  std::vector<std::string> mobiles;  // unmasked: the assignee's, or up to five holders of the role
};

struct NoticeView {
  std::vector<NoticeRow> rows;  // one for a task notice; the oldest overdue tasks for a digest
  std::string text;             // a note (urge, transfer) or a test message's text
  // digest only
  std::string org, org_name, link;
  std::int64_t total = 0;
  // a message to one person (app channels): their id on the platform, and what they may do on
  // the case's step now (buttons), at the case's version now
  std::string to_im;
  std::int64_t case_version = 0;
  struct Action {
    std::string name, label;
    bool needs_console = false;  // needs a comment or data: done on the console page
  };
  std::vector<Action> actions;
};

// Looks up what `message` shows. nullopt when it carries no facts (test messages, rows written
// before schema 5): its payload is what it shows.
std::optional<NoticeView> ResolveNotice(ReadView& view, const WorkflowRegistry& workflows,
                                        const OutboxMessage& message,
                                        const std::string& console_base_url);

}  // namespace dixian::engine
