#include "app/technician/server.hpp"

#include <imgui.h>

#include <algorithm>
#include <string>

#include "app/technician/parts.hpp"

namespace lontar::app {

void DrawKeyChoice(const ScreenContext& ctx, const TechnicianView& view, TechnicianForm& form) {
  if (view.public_keys.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, Colours(ctx.look).bad);
    ImGui::TextWrapped("%s", ctx.tr("technician.no_keys"));
    ImGui::PopStyleColor();
    return;
  }
  for (std::size_t i = 0; i < view.public_keys.size(); ++i) {
    ImGui::PushID(static_cast<int>(i));
    if (ImGui::RadioButton(view.public_keys[i].c_str(), form.key_choice == i)) {
      form.key_choice = i;
    }
    Mark(ctx, "tech.key." + std::to_string(i));
    ImGui::PopID();
  }
}

bool KeyedButton(const ScreenContext& ctx, const TechnicianView& view, const char* label,
                 const char* target) {
  ImGui::BeginDisabled(view.public_keys.empty());
  const bool pressed = TechnicianButton(ctx, label, target);
  ImGui::EndDisabled();
  return pressed;
}

std::optional<TechnicianAction> DrawTechnicianServer(const ScreenContext& ctx,
                                                     const TechnicianView& view,
                                                     TechnicianForm& form) {
  const Catalog& tr = ctx.tr;
  OpenTechnicianScreen(ctx, view, {.title = tr("technician.server.title")});
  std::optional<TechnicianAction> action;
  ImGui::PushItemWidth(std::min(ImGui::GetContentRegionAvail().x, ctx.fonts.body_px * 24));
  TakeKeyboardFocus(form.focus);
  TechnicianField(ctx, tr("technician.server.address"), "##server", form.server,
                  "tech.server_address");
  ImGui::PopItemWidth();
  ImGui::Spacing();
  ImGui::TextWrapped("%s", tr("technician.server.key"));
  DrawKeyChoice(ctx, view, form);
  ImGui::Spacing();
  if (!view.public_keys.empty()) {
    // Optional: only a terminal whose results go through a site relay needs the relay's key.
    // One row (wrapping at large text), so that Save stays on screen.
    ImGui::TextWrapped("%s", tr("technician.server.relay_key"));
    const ImGuiStyle& style = ImGui::GetStyle();
    for (std::size_t n = 0; n <= view.public_keys.size(); ++n) {
      const std::string label =
          n == 0 ? std::string(tr("technician.server.no_relay")) : view.public_keys[n - 1];
      if (n > 0) {
        const float width = ImGui::GetFrameHeight() + style.ItemInnerSpacing.x +
                            ImGui::CalcTextSize(label.c_str()).x + style.ItemSpacing.x * 2;
        ImGui::SameLine(0, style.ItemSpacing.x * 2);
        if (ImGui::GetContentRegionAvail().x < width) ImGui::NewLine();
      }
      ImGui::PushID(static_cast<int>(1000 + n));
      if (ImGui::RadioButton(label.c_str(), form.relay_choice == n)) form.relay_choice = n;
      Mark(ctx, n == 0 ? std::string("tech.relay.none") : "tech.relay." + std::to_string(n - 1));
      ImGui::PopID();
    }
    ImGui::Spacing();
  }
  if (KeyedButton(ctx, view, tr("technician.server.save"), "tech.server_save")) {
    action = TechnicianAction{TechnicianAction::kSaveServer};
  }
  return CloseTechnicianScreen(ctx, /*back=*/true, action);
}

}  // namespace lontar::app
