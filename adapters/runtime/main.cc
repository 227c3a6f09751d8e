#include "adapters/runtime/cli.h"

int main(int argc, char** argv) { return dixian::runtime::RunCli(argc, argv); }
