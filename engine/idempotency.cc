#include "engine/idempotency.h"

namespace dixian::engine {

nlohmann::json StorableReply(const nlohmann::json& reply) {
  if (!reply.is_object() || !reply.contains("token")) return reply;
  nlohmann::json stored = reply;
  stored.erase("token");
  stored["token_withheld"] = true;
  return stored;
}

}  // namespace dixian::engine
