#pragma once
// The chat adapter's one logger ("delivery"): sends, tokens and callbacks log to the same stream.
#include <memory>

#include <spdlog/logger.h>

namespace dixian::chat {

std::shared_ptr<spdlog::logger> ChatLogger();

}  // namespace dixian::chat
