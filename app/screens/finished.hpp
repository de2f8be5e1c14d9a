// The sitting is submitted: who, that it was submitted (by the candidate or when time ran out),
// the place where the receipt code will appear once result bundles exist, and the score only
// when the exam allows showing it (Exam::show_score).
#pragma once

#include <optional>

#include "app/screens/exam_view.hpp"

namespace lontar::app {

std::optional<Action> DrawFinished(const ScreenContext& ctx, const ExamView& view);

}  // namespace lontar::app
