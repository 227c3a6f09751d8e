#pragma once
// The engine never reads the system clock itself: it is given a Clock.
#include <atomic>

#include "engine/core/time.h"

namespace dixian::engine {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant Now() const = 0;
  // True when time only moves through Advance (tests, --fake-clock).
  virtual bool IsManual() const { return false; }
};

class SystemClock final : public Clock {
 public:
  Instant Now() const override;
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(Instant start) : now_(start) {}
  Instant Now() const override { return now_.load(); }
  bool IsManual() const override { return true; }
  Instant Advance(Instant seconds) { return now_ += seconds; }
  void Set(Instant t) { now_ = t; }

 private:
  std::atomic<Instant> now_;
};

}  // namespace dixian::engine
