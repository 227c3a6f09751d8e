#include "engine/model/model.h"

namespace dixian::engine {

int LevelRank(const std::string& level) {
  for (int i = 0; i < 5; ++i)
    if (level == kLevels[i]) return i;
  return -1;
}

}  // namespace dixian::engine
