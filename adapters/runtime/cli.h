#pragma once

namespace dixian::runtime {

// `dixian <command> ...`: serve, workflow, audit, report, backup, channel, outbox.
// Exit codes: 0 ok, 1 the command failed, 2 bad usage.
int RunCli(int argc, char** argv);

}  // namespace dixian::runtime
