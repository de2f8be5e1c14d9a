// Durations in the nanoseconds the engine and the sitting count in, for tests.
#pragma once

#include <cstdint>

namespace lontar::testing {

inline constexpr std::int64_t kSecond = 1'000'000'000;
inline constexpr std::int64_t kMinute = 60 * kSecond;

}  // namespace lontar::testing
