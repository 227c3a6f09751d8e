#pragma once

namespace dixian::runtime {

// `dixian <command> ...`: serve, workflow, audit, report, backup, channel, outbox, migrate.
// Exit codes: 0 ok, 1 the command failed, 2 bad usage, 3 the database server cannot be reached
// (store::kExitDatabaseUnreachable).
int RunCli(int argc, char** argv);

}  // namespace dixian::runtime
