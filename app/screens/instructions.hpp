// After login: the exam's title and instructions from the pack, its sections with their items
// and time, the rules of the screen, and a Start button (Enter).
#pragma once

#include <optional>

#include "app/screens/exam_view.hpp"

namespace lontar::app {

std::optional<Action> DrawInstructions(const ScreenContext& ctx, const ExamView& view);

}  // namespace lontar::app
