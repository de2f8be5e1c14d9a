#include "app/technician/init.hpp"

#include <imgui.h>

#include <algorithm>

#include "app/technician/parts.hpp"
#include "app/technician/server.hpp"

namespace lontar::app {

std::optional<TechnicianAction> DrawTechnicianInit(const ScreenContext& ctx,
                                                   const TechnicianView& view,
                                                   TechnicianForm& form) {
  const Catalog& tr = ctx.tr;
  OpenTechnicianScreen(ctx, view, {.title = tr("technician.init.title")});
  std::optional<TechnicianAction> action;
  ImGui::PushItemWidth(std::min(ImGui::GetContentRegionAvail().x, ctx.fonts.body_px * 24));
  TakeKeyboardFocus(form.focus);
  TechnicianField(ctx, tr("technician.init.site"), "##site", form.site, "tech.site");
  TechnicianField(ctx, tr("technician.init.name"), "##name", form.name, "tech.name");
  ImGui::PopItemWidth();
  ImGui::Spacing();
  ImGui::TextWrapped("%s", tr("technician.init.key"));
  DrawKeyChoice(ctx, view, form);
  ImGui::Spacing();
  if (KeyedButton(ctx, view, tr("technician.init.do"), "tech.init_do")) {
    action = TechnicianAction{TechnicianAction::kInit};
  }
  return CloseTechnicianScreen(ctx, /*back=*/true, action);
}

}  // namespace lontar::app
