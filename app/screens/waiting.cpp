#include "app/screens/waiting.hpp"

#include <imgui.h>

#include <string>

#include "app/screens/health.hpp"

namespace lontar::app {

std::optional<Intent> DrawWaiting(const ScreenContext& ctx, const status::TerminalStatus& s) {
  const Catalog& tr = ctx.tr;
  ImGui::PushFont(ctx.fonts.title);
  ImGui::TextColored(OkColour(ctx.look), "%s", tr("health.ready"));
  const std::string time = FormatTime(ctx.now);
  AlignRight(time.c_str());
  ImGui::TextUnformatted(time.c_str());
  ImGui::PopFont();
  ImGui::TextDisabled("Lontar · %s", tr("health.subtitle"));
  const std::string date = FormatDate(tr, ctx.now);
  AlignRight(date.c_str());
  ImGui::TextDisabled("%s", date.c_str());
  ImGui::Separator();
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
