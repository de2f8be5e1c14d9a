// The kiosk's screenshots against their goldens in tests/ui/golden (the comparison itself is
// tests/support/golden.hpp, shared with the report tests).
#pragma once

#include "tests/support/golden.hpp"

namespace lontar::testing {

inline ::testing::AssertionResult MatchesGolden(const std::filesystem::path& shot) {
  return MatchesGolden(shot, std::filesystem::path(LONTAR_SOURCE_DIR) / "tests/ui/golden");
}

}  // namespace lontar::testing
