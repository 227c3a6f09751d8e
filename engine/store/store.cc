#include "engine/store/store.h"

#include <future>

namespace dixian::engine {

Result<nlohmann::json> Store::Run(WriteJob job) {
  std::promise<Result<nlohmann::json>> promise;
  auto future = promise.get_future();
  Submit(std::move(job), [&promise](Result<nlohmann::json> r) { promise.set_value(std::move(r)); });
  return future.get();
}

}  // namespace dixian::engine
