// The mini test exam (tests/fixtures/mini-exam) and the figures its pack tests build it with.
#pragma once

#include <cstdint>
#include <filesystem>

namespace lontar::testing {

inline const std::filesystem::path kMini =
    std::filesystem::path(LONTAR_SOURCE_DIR) / "tests/fixtures/mini-exam";
// The release code tests/fixtures/mini-release-code.txt holds.
inline constexpr char kMiniReleaseCode[] = "MINI-RELEASE-2026";
inline constexpr std::int64_t kNov24 = 1'795'478'400'000;  // 2026-11-24T00:00:00Z, in ms
inline constexpr std::int64_t kDay = 86'400'000;           // ms

}  // namespace lontar::testing
