#pragma once
// How a write command is called and answered. Every command is a function
//
//   void Verb(Engine& engine, Write<Result> write, Command command);
//
// (engine/commands/<capability>.h) that checks the command, runs it in one transaction (state,
// audit event, tasks, outbox notices) and calls write.done with the typed result once the
// transaction is durable. `done` runs on the writer thread: it should only hand the result on;
// the HTTP edge renders JSON on its own thread. RunNow below waits for the answer (CLI, tests).
#include <functional>
#include <future>
#include <optional>
#include <string>
#include <type_traits>

#include "engine/access/access.h"
#include "engine/core/error.h"

namespace dixian::engine {

class Engine;

// What a durable write answers: its result, or on a repeated Idempotency-Key the reply stored
// with the first request (rendered then; the command did not run again).
template <class R>
struct Answer {
  std::optional<R> value;
  std::string replay;
  bool replayed() const { return !value.has_value(); }
};

template <class R>
using Done = std::function<void(Result<Answer<R>>)>;

struct Idempotency {
  std::string key;          // the Idempotency-Key header; empty: none
  std::string scope;        // what the key is scoped to besides the caller (method and path)
  std::string fingerprint;  // identifies the request body: the same key with another body -> 422
};

template <class R>
struct Write {
  Principal who;
  Done<R> done;             // may be empty
  Idempotency idempotency;  // optional
  // The reply stored with an Idempotency-Key, rendered inside the transaction (keyed writes
  // only; without it "{}" is stored).
  std::function<std::string(const R&)> render;
};

// Calls `command` and waits for its result. Not on the writer thread.
template <class R, class Command>
Result<R> RunNow(Engine& engine, void (*command)(Engine&, Write<R>, Command), const Principal& who,
                 std::type_identity_t<Command> input) {
  std::promise<Result<Answer<R>>> promise;
  auto future = promise.get_future();
  command(engine,
          Write<R>{who, [&promise](Result<Answer<R>> a) { promise.set_value(std::move(a)); }},
          std::move(input));
  auto answer = future.get();
  if (!answer.ok()) return answer.error();
  if (answer->replayed()) return Error::Internal("内部错误：未带幂等键的请求不应重放");
  return std::move(*answer->value);
}

}  // namespace dixian::engine
