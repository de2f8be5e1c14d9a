// Before moving on to the next section: this section's counts, a plain warning that it closes
// for good, and what comes next. Enter confirms, Escape goes back.
#pragma once

#include <optional>

#include "app/screens/exam_view.hpp"

namespace lontar::app {

std::optional<Action> DrawNextSection(const ScreenContext& ctx, const ExamView& view);

}  // namespace lontar::app
