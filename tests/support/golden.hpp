// Screenshots compared with reviewed golden images (GOLDEN_DIR/NAME.png: the kiosk's in
// tests/ui/golden, the reports' in tests/report/golden), tolerantly: fonts
// and renderers may shift a few anti-aliased pixels, a changed layout, colour or word may not.
//
// Goldens are the screenshot at a third of its size (3x3 pixels averaged), which keeps the 84 of
// them under 2 MB; words stay recognisable at 200% text, and the full-size screenshots are
// beside them in the artifacts for review. Text that differs from run to run (the clock,
// the session token, terminal ids: the kiosk lists it in SHOT.regions.json) is painted magenta
// in the golden and left out of the comparison. A pixel differs when any channel is more than
// kChannelTolerance away; a screenshot matches when at most kMaxDifferingFraction of the
// compared pixels differ. On a mismatch SHOT.diff.png is written next to the screenshot
// (differing pixels red over a faded copy of the screenshot).
//
// After a reviewed change to a screen: run the UI tests with LONTAR_UPDATE_GOLDEN=1, which
// writes the goldens instead of comparing, look at every changed file in the golden directory,
// and commit them.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>

namespace lontar::testing {

inline constexpr int kGoldenScale = 3;
inline constexpr int kChannelTolerance = 40;
inline constexpr double kMaxDifferingFraction = 0.001;

// Compares `shot` (a PNG) with `golden_dir`/<shot's file name>; masks come from
// SHOT.regions.json when it exists: {"volatile": {"name": [x0, y0, x1, y1], ...}} in the
// screenshot's pixels.
::testing::AssertionResult MatchesGolden(const std::filesystem::path& shot,
                                         const std::filesystem::path& golden_dir);

}  // namespace lontar::testing
