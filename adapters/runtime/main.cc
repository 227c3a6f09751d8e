#include <sys/stat.h>

#include "adapters/runtime/cli.h"

int main(int argc, char** argv) {
  ::umask(077);  // every file dixian creates (database, WAL, backups, keys, tokens) is the owner's only
  return dixian::runtime::RunCli(argc, argv);
}
