#pragma once
// Tests that prove durability by killing processes over and over, or that need big data, run in
// the Release stage only: the asan preset sets DIXIAN_SKIP_SLOW=1 in their environment and they
// report themselves skipped there (the CI budget; a killed process has nothing for ASan to check).
// Put DIXIAN_SLOW_TEST(); first in such a test's body.

#include <cstdlib>

#include <gtest/gtest.h>

#define DIXIAN_SLOW_TEST()                                  \
  if (std::getenv("DIXIAN_SKIP_SLOW") != nullptr)           \
  GTEST_SKIP() << "slow test: runs in the Release stage only"
