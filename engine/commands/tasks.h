#pragma once
// Tasks: the caller's inbox, and what may be done to one task (confirm, transfer, urge).
#include <string>
#include <vector>

#include "engine/commands/views.h"
#include "engine/commands/write.h"

namespace dixian::engine {

struct TaskRef {
  std::string task_id;
};

struct TaskClosed {
  std::string task_id;
};

struct TransferInput {
  std::string task_id, user, comment;
};

struct UrgeInput {
  std::string task_id, comment;
};

struct Urged {
  std::string task_id;
};

// Confirms a follow-up done whose definition says `completed_by: confirmed` (the handover).
void CompleteTask(Engine& engine, Write<TaskClosed> write, TaskRef task);
void TransferTask(Engine& engine, Write<TaskView> write, TransferInput input);  // 转办
void UrgeTask(Engine& engine, Write<Urged> write, UrgeInput input);             // 催办

// The users an open task may be transferred to (转办): exactly those TransferTask accepts.
Result<std::vector<PersonView>> TransferCandidates(Engine& engine, const Principal& who,
                                                   const std::string& task_id);

// The open tasks the caller may act on (supervisors: the overdue ones of their subtree).
Result<std::vector<TaskView>> MyTasks(Engine& engine, const Principal& who);

}  // namespace dixian::engine
