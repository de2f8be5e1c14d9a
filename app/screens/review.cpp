#include "app/screens/review.hpp"

#include <string>

#include "app/screens/section_end.hpp"

namespace lontar::app {

std::optional<Action> DrawReview(const ScreenContext& ctx, const ExamView& view) {
  const Catalog& tr = ctx.tr;
  const std::string explain[] = {tr("review.final")};
  return DrawSectionEnd(ctx, view,
                        {.title = tr("review.title"),
                         .explain = explain,
                         .confirm_label = tr("review.submit"),
                         .confirm_target = "review.submit",
                         .confirm = Intent::kConfirmSubmit});
}

}  // namespace lontar::app
