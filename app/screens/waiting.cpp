#include "app/screens/waiting.hpp"

#include <imgui.h>

#include <string>

#include "app/screens/health.hpp"

namespace lontar::app {

std::optional<Intent> DrawWaiting(const ScreenContext& ctx, const health::TerminalStatus& s,
                                  std::size_t sessions_valid, const std::string& next_title,
                                  const std::string& next_window) {
  const Catalog& tr = ctx.tr;
  DrawTerminalHeader(ctx, tr("health.ready"), Colours(ctx.look).ok);
  const auto bar = SettingsBar(tr, /*recheck=*/true);
  BeginBody(ctx, bar);
  ImGui::PushFont(ctx.fonts.title);
  ImGui::TextWrapped("%s", tr("waiting.title"));
  ImGui::PopFont();
  ImGui::TextWrapped("%s", tr("waiting.for_candidate"));
  ImGui::Spacing();
  ImGui::TextDisabled("%s", tr("waiting.for_proctor"));
  ImGui::TextWrapped("%s", tr(s.packs.empty() ? "waiting.load" : "waiting.release"));
  if (sessions_valid > 1) {
    ImGui::Spacing();
    ImGui::PushFont(ctx.fonts.title);
    ImGui::TextWrapped("%s", next_title.empty()
                                 ? tr("waiting.choose_session")
                                 : tr.Format("waiting.next_session", next_title).c_str());
    ImGui::PopFont();
    if (!next_window.empty()) ImGui::TextWrapped("%s", next_window.c_str());
    Mark(ctx, "shown.next_session");
  }
  ImGui::Spacing();
  DrawHealthTable(ctx, s);
  EndBody();
  return DrawBottomBar(ctx, bar);
}

}  // namespace lontar::app
