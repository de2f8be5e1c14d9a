#include "app/screens/next_section.hpp"

#include <imgui.h>

#include <string>

namespace lontar::app {

std::optional<Action> DrawNextSection(const ScreenContext& ctx, const ExamView& view) {
  const Catalog& tr = ctx.tr;
  DrawExamHeader(ctx, view);
  std::vector<BarButton> bar = {
      {tr("review.back"), Intent::kBackToItems, "review.back"},
      {tr("next_section.confirm"), Intent::kConfirmNextSection, "next_section.confirm"},
  };
  for (BarButton& b : SettingsBar(tr, /*recheck=*/false)) bar.push_back(std::move(b));
  BeginBody(ctx, bar);
  ImGui::PushFont(ctx.fonts.title);
  ImGui::TextWrapped("%s", tr("next_section.title"));
  ImGui::PopFont();
  DrawCounts(ctx, SectionCounts(view));
  ImGui::Spacing();
  const auto& current = view.exam.sections.at(view.state.section);
  ImGui::TextWrapped("%s", tr.Format("next_section.closes", Pick(tr, current.title)).c_str());
  if (view.state.section + 1 < view.exam.sections.size()) {
    const auto& next = view.exam.sections[view.state.section + 1];
    std::string what = Pick(tr, next.title) + " · " +
                       tr.Format("instructions.items", std::to_string(next.items.size()));
    if (next.minutes > 0) {
      what += " · " + tr.Format("instructions.minutes", std::to_string(next.minutes));
    }
    ImGui::TextWrapped("%s", tr.Format("next_section.next", what).c_str());
  }
  ImGui::Spacing();
  ImGui::TextDisabled("%s", tr("review.go_back"));
  std::optional<Action> action = DrawNavigator(ctx, view);
  EndBody();
  auto pressed = DrawBottomBar(ctx, bar);
  if (action) return action;
  if (pressed) return *pressed;
  if (Pressed(ctx, SDLK_RETURN) || Pressed(ctx, SDLK_KP_ENTER)) return Intent::kConfirmNextSection;
  if (Pressed(ctx, SDLK_ESCAPE)) return Intent::kBackToItems;
  return std::nullopt;
}

}  // namespace lontar::app
