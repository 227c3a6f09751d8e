#pragma once
// The demo county (示范县): a few townships and villages, a few hundred households, cases in every
// state, users whose tokens are written to `tokens_path`. Loaded only into an empty database.
#include <string>

#include "engine/engine.h"

namespace dixian::runtime {

engine::Status LoadDemoCounty(engine::Engine& engine, const std::string& tokens_path);

}  // namespace dixian::runtime
