#include "app/screens/instructions.hpp"

#include <imgui.h>

#include <string>

namespace lontar::app {

std::optional<Action> DrawInstructions(const ScreenContext& ctx, const ExamView& view) {
  const Catalog& tr = ctx.tr;
  DrawExamHeader(ctx, view);
  std::vector<BarButton> bar = {
      {tr("instructions.start"), Intent::kBeginItems, "instructions.start"}};
  for (BarButton& b : SettingsBar(tr, /*recheck=*/false)) bar.push_back(std::move(b));
  BeginBody(ctx, bar);
  ImGui::PushFont(ctx.fonts.title);
  ImGui::TextWrapped("%s", Pick(tr, view.exam.title).c_str());
  ImGui::PopFont();
  ImGui::TextWrapped("%s", Pick(tr, view.exam.instructions).c_str());
  ImGui::Spacing();
  ImGui::TextWrapped(
      "%s", tr.Format("instructions.duration", std::to_string(view.exam.duration_minutes)).c_str());
  if (ImGui::BeginTable("sections", 3, ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableSetupColumn("title", ImGuiTableColumnFlags_WidthStretch, 0.6f);
    ImGui::TableSetupColumn("items", ImGuiTableColumnFlags_WidthStretch, 0.2f);
    ImGui::TableSetupColumn("time", ImGuiTableColumnFlags_WidthStretch, 0.2f);
    for (std::size_t i = 0; i < view.exam.sections.size(); ++i) {
      const auto& s = view.exam.sections[i];
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::TextWrapped("%zu. %s", i + 1, Pick(tr, s.title).c_str());
      ImGui::TableSetColumnIndex(1);
      ImGui::TextWrapped("%s",
                         tr.Format("instructions.items", std::to_string(s.items.size())).c_str());
      ImGui::TableSetColumnIndex(2);
      ImGui::TextWrapped(
          "%s", s.minutes > 0 ? tr.Format("instructions.minutes", std::to_string(s.minutes)).c_str()
                              : tr("instructions.no_limit"));
    }
    ImGui::EndTable();
  }
  ImGui::Spacing();
  ImGui::PushFont(ctx.fonts.title);
  ImGui::TextWrapped("%s", tr("instructions.rules"));
  ImGui::PopFont();
  for (const char* rule :
       {"instructions.rule.order", "instructions.rule.navigate", "instructions.rule.doubtful",
        "instructions.rule.keys", "instructions.rule.saved", "instructions.rule.time",
        "instructions.rule.help"}) {
    ImGui::Bullet();
    ImGui::TextWrapped("%s", tr(rule));
  }
  EndBody();
  if (auto pressed = DrawBottomBar(ctx, bar)) return *pressed;
  if (Pressed(ctx, SDLK_RETURN) || Pressed(ctx, SDLK_KP_ENTER)) return Intent::kBeginItems;
  return std::nullopt;
}

}  // namespace lontar::app
