// The sitting has ended. Submitted: who, that it was submitted (by the candidate or when time
// ran out), the receipt code of its result bundle, and the score only when the exam allows
// showing it (Exam::show_score). Voided by the proctor, or handed over to a spare terminal: what
// happened and what to do, nothing else.
#pragma once

#include <optional>

#include "app/screens/exam_view.hpp"

namespace lontar::app {

std::optional<Action> DrawFinished(const ScreenContext& ctx, const ExamView& view);

}  // namespace lontar::app
