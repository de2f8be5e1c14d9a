// The proctor has paused this sitting (or the whole room): the clock is stopped and nothing can
// be answered until the proctor resumes it. Nothing to press but the settings.
#pragma once

#include <optional>

#include "app/screens/exam_view.hpp"

namespace lontar::app {

std::optional<Action> DrawPaused(const ScreenContext& ctx, const ExamView& view);

}  // namespace lontar::app
