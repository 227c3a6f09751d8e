#include "engine/store/store.h"

#include <future>

namespace dixian::engine {

Status Store::Wait(WriteJob job) {
  std::promise<Status> promise;
  auto future = promise.get_future();
  Enqueue(std::move(job), [&promise](Status st) { promise.set_value(std::move(st)); });
  return future.get();
}

}  // namespace dixian::engine
