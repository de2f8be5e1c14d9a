// Before submitting: how many items are answered, unanswered and doubtful, the navigator to go
// back to any of them, and the confirmation. Enter submits, Escape goes back.
#pragma once

#include <optional>

#include "app/screens/exam_view.hpp"

namespace lontar::app {

std::optional<Action> DrawReview(const ScreenContext& ctx, const ExamView& view);

}  // namespace lontar::app
