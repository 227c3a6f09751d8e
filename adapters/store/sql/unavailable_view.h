#pragma once
// A read view for when no connection could be had: every query returns nothing and failure()
// says why, so every answer built on it is refused (engine::Checked).
#include <memory>

#include "engine/core/error.h"
#include "engine/store/store.h"

namespace dixian::store {

std::unique_ptr<engine::ReadView> UnavailableReadView(const engine::Error& error);

}  // namespace dixian::store
