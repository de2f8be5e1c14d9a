// What the review (before submitting) and next-section screens share: the end of a section,
// confirmed or gone back from. The section's counts, what confirming does, the navigator to go
// back to any item, and the bar: back, confirm, then the settings. Enter confirms, Escape goes
// back.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "app/screens/exam_view.hpp"

namespace lontar::app {

struct SectionEnd {
  const char* title;                     // the screen's title
  std::span<const std::string> explain;  // what confirming does, a wrapped paragraph each
  const char* confirm_label;             // the confirm button's label
  const char* confirm_target;            // and its scripted-click target
  Intent confirm;                        // what confirming asks for
};

std::optional<Action> DrawSectionEnd(const ScreenContext& ctx, const ExamView& view,
                                     const SectionEnd& screen);

}  // namespace lontar::app
