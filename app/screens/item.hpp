// The item screen: the stem (wrapped), the item's images scaled to fit, the options as large
// targets (checkboxes for multiple response, a scale for Likert items), the navigator, the
// "saved" indicator, and the previous / doubtful / next / finish buttons.
// Keys: 1-5 or A-E choose (toggle, for multiple response), Left / Right / PgUp / PgDn move,
// F marks doubtful, Enter goes on to the next item (the finish screen after the last).
#pragma once

#include <optional>

#include "app/screens/exam_view.hpp"

namespace lontar::app {

std::optional<Action> DrawItem(const ScreenContext& ctx, const ExamView& view);

}  // namespace lontar::app
