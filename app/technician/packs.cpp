#include "app/technician/packs.hpp"

#include <imgui.h>

#include "app/technician/parts.hpp"

namespace lontar::app {

std::optional<TechnicianAction> DrawTechnicianPacks(const ScreenContext& ctx,
                                                    const TechnicianView& view) {
  const Catalog& tr = ctx.tr;
  OpenTechnicianScreen(ctx, view, {.title = tr("technician.packs.title")});
  std::optional<TechnicianAction> action;
  if (view.packs.empty()) {
    ImGui::TextWrapped("%s", tr("technician.packs.none"));
  } else {
    ImGui::TextWrapped("%s", tr("technician.packs.prompt"));
    ImGui::Spacing();
  }
  for (std::size_t i = 0; i < view.packs.size(); ++i) {
    ImGui::PushID(static_cast<int>(i));
    const std::string target = "tech.pack." + std::to_string(i);
    if (TechnicianButton(ctx, tr("technician.packs.load"), target.c_str())) {
      action = TechnicianAction{TechnicianAction::kLoadPack, i};
    }
    ImGui::SameLine();
    ImGui::TextUnformatted(view.packs[i].c_str());
    ImGui::PopID();
  }
  return CloseTechnicianScreen(ctx, /*back=*/true, action);
}

}  // namespace lontar::app
