#include "app/screens/section_end.hpp"

#include <imgui.h>

#include <string>
#include <vector>

namespace lontar::app {

// The counts as one wrapped paragraph each, the unanswered and doubtful ones in colour.
void DrawCounts(const ScreenContext& ctx, const Counts& c) {
  const Catalog& tr = ctx.tr;
  ImGui::TextWrapped("%s", tr.Format("review.answered",
                                     std::to_string(c.answered) + " / " + std::to_string(c.items))
                               .c_str());
  ImGui::PushStyleColor(ImGuiCol_Text, c.unanswered > 0 ? Colours(ctx.look).warning
                                                        : ImGui::GetStyleColorVec4(ImGuiCol_Text));
  ImGui::TextWrapped("%s", tr.Format("review.unanswered", std::to_string(c.unanswered)).c_str());
  ImGui::PopStyleColor();
  ImGui::PushStyleColor(ImGuiCol_Text, c.flagged > 0 ? Colours(ctx.look).warning
                                                     : ImGui::GetStyleColorVec4(ImGuiCol_Text));
  ImGui::TextWrapped("%s", tr.Format("review.doubtful", std::to_string(c.flagged)).c_str());
  ImGui::PopStyleColor();
}

std::optional<Action> DrawSectionEnd(const ScreenContext& ctx, const ExamView& view,
                                     const SectionEnd& screen) {
  const Catalog& tr = ctx.tr;
  DrawExamHeader(ctx, view);
  std::vector<BarButton> bar = {
      {tr("review.back"), Intent::kBackToItems, "review.back"},
      {screen.confirm_label, screen.confirm, screen.confirm_target},
  };
  for (BarButton& b : SettingsBar(tr, /*recheck=*/false)) bar.push_back(std::move(b));
  BeginBody(ctx, bar);
  ImGui::PushFont(ctx.fonts.title);
  ImGui::TextWrapped("%s", screen.title);
  ImGui::PopFont();
  DrawCounts(ctx, SectionCounts(view));
  ImGui::Spacing();
  for (const std::string& line : screen.explain) ImGui::TextWrapped("%s", line.c_str());
  ImGui::Spacing();
  ImGui::TextDisabled("%s", tr("review.go_back"));
  const std::optional<Action> action = DrawNavigator(ctx, view);
  EndBody();
  const auto pressed = DrawBottomBar(ctx, bar);
  if (action) return action;  // the navigator's item, whatever else this frame pressed
  if (pressed) return *pressed;
  if (Pressed(ctx, SDLK_RETURN) || Pressed(ctx, SDLK_KP_ENTER)) return screen.confirm;
  if (Pressed(ctx, SDLK_ESCAPE)) return Intent::kBackToItems;
  return std::nullopt;
}

}  // namespace lontar::app
