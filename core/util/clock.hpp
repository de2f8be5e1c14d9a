// Time sources, injected so that tests control time and exam time is measured, not trusted.
#pragma once

#include <cstdint>

namespace lontar {

class Clock {
 public:
  virtual ~Clock() = default;
  // Nanoseconds since boot, counting suspend (CLOCK_BOOTTIME). Never goes backwards within a
  // boot; restarts at an unknown value after a reboot. Setting the wall clock does not move it.
  virtual std::int64_t MonotonicNs() const = 0;
  // Milliseconds since the Unix epoch (CLOCK_REALTIME): for people and reports, never for timing.
  virtual std::int64_t WallMs() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t MonotonicNs() const override;
  std::int64_t WallMs() const override;
};

// A clock that moves only when told: for tests.
class ManualClock final : public Clock {
 public:
  std::int64_t MonotonicNs() const override { return mono_ns_; }
  std::int64_t WallMs() const override { return wall_ms_; }
  void Advance(std::int64_t ns) {
    mono_ns_ += ns;
    wall_ms_ += ns / 1'000'000;
  }
  void SetWallMs(std::int64_t ms) { wall_ms_ = ms; }

 private:
  std::int64_t mono_ns_ = 1'000'000'000;
  std::int64_t wall_ms_ = 1'795'000'000'000;  // late 2026
};

}  // namespace lontar
