#include "app/screens/waiting.hpp"

#include <imgui.h>

#include <string>

#include "app/screens/health.hpp"

namespace lontar::app {

std::optional<Intent> DrawWaiting(const ScreenContext& ctx, const health::TerminalStatus& s) {
  const Catalog& tr = ctx.tr;
  DrawTerminalHeader(ctx, tr("health.ready"), OkColour(ctx.look));
  const auto bar = SettingsBar(tr, /*recheck=*/true);
  BeginBody(ctx, bar);
  ImGui::PushFont(ctx.fonts.title);
  ImGui::TextWrapped("%s", tr("waiting.title"));
  ImGui::PopFont();
  ImGui::TextWrapped("%s", tr("waiting.for_candidate"));
  ImGui::Spacing();
  ImGui::TextDisabled("%s", tr("waiting.for_proctor"));
  ImGui::TextWrapped("%s", tr(s.packs.empty() ? "waiting.load" : "waiting.release"));
  ImGui::Spacing();
  DrawHealthTable(ctx, s);
  EndBody();
  return DrawBottomBar(ctx, bar);
}

}  // namespace lontar::app
