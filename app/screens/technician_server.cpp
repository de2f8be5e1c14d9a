#include "app/screens/technician_server.hpp"

#include <imgui.h>

#include <algorithm>

#include "app/screens/technician_parts.hpp"

namespace lontar::app {

void DrawKeyChoice(const ScreenContext& ctx, const TechnicianView& view, TechnicianForm& form) {
  if (view.public_keys.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, BadColour(ctx.look));
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

std::optional<TechnicianAction> DrawTechnicianServer(const ScreenContext& ctx,
                                                     const TechnicianView& view,
                                                     TechnicianForm& form) {
  const Catalog& tr = ctx.tr;
  DrawTechnicianHeader(ctx, view, tr("technician.server.title"));
  BeginTechnicianBody(ctx, /*back=*/true);
  std::optional<TechnicianAction> action;
  DrawTechnicianMessage(ctx, view);
  ImGui::TextWrapped("%s", tr("technician.server.address"));
  ImGui::PushItemWidth(std::min(ImGui::GetContentRegionAvail().x, ctx.fonts.body_px * 24));
  if (form.focus) {
    ImGui::SetKeyboardFocusHere();
    form.focus = false;
  }
  ImGui::InputText("##server", form.server.data(), form.server.size());
  Mark(ctx, "tech.server_address");
  ImGui::PopItemWidth();
  ImGui::Spacing();
  ImGui::TextWrapped("%s", tr("technician.server.key"));
  DrawKeyChoice(ctx, view, form);
  ImGui::Spacing();
  ImGui::BeginDisabled(view.public_keys.empty());
  if (TechnicianButton(ctx, tr("technician.server.save"), "tech.server_save")) {
    action = TechnicianAction{TechnicianAction::kSaveServer};
  }
  ImGui::EndDisabled();
  if (auto a = EndTechnicianBody(ctx, /*back=*/true)) action = a;
  return action;
}

}  // namespace lontar::app
