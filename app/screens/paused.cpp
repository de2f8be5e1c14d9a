#include "app/screens/paused.hpp"

#include <imgui.h>

namespace lontar::app {

std::optional<Action> DrawPaused(const ScreenContext& ctx, const ExamView& view) {
  const Catalog& tr = ctx.tr;
  DrawExamHeader(ctx, view);
  const auto bar = SettingsBar(tr, /*recheck=*/false);
  BeginBody(ctx, bar);
  ImGui::PushFont(ctx.fonts.title);
  ImGui::TextWrapped("%s", tr("paused.title"));
  ImGui::PopFont();
  ImGui::Spacing();
  ImGui::TextWrapped("%s", tr("paused.body"));
  ImGui::TextWrapped("%s", tr.Format("finished.participant", view.state.participant).c_str());
  EndBody();
  if (auto pressed = DrawBottomBar(ctx, bar)) return *pressed;
  return std::nullopt;
}

}  // namespace lontar::app
