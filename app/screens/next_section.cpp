#include "app/screens/next_section.hpp"

#include <string>
#include <vector>

#include "app/screens/section_end.hpp"

namespace lontar::app {

std::optional<Action> DrawNextSection(const ScreenContext& ctx, const ExamView& view) {
  const Catalog& tr = ctx.tr;
  const auto& current = view.exam.sections.at(view.state.section);
  std::vector<std::string> explain = {tr.Format("next_section.closes", Pick(tr, current.title))};
  if (view.state.section + 1 < view.exam.sections.size()) {
    const auto& next = view.exam.sections[view.state.section + 1];
    std::string what = Pick(tr, next.title) + " · " +
                       tr.Format("instructions.items", std::to_string(next.items.size()));
    if (next.minutes > 0) {
      what += " · " + tr.Format("instructions.minutes", std::to_string(next.minutes));
    }
    explain.push_back(tr.Format("next_section.next", what));
  }
  return DrawSectionEnd(ctx, view,
                        {.title = tr("next_section.title"),
                         .explain = explain,
                         .confirm_label = tr("next_section.confirm"),
                         .confirm_target = "next_section.confirm",
                         .confirm = Intent::kConfirmNextSection});
}

}  // namespace lontar::app
