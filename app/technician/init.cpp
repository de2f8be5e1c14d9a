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
  ImGui::TextWrapped("%s", tr("technician.init.site"));
  TakeKeyboardFocus(form.focus);
  ImGui::InputText("##site", form.site.data(), form.site.size());
  Mark(ctx, "tech.site");
  ImGui::TextWrapped("%s", tr("technician.init.name"));
  ImGui::InputText("##name", form.name.data(), form.name.size());
  Mark(ctx, "tech.name");
  ImGui::PopItemWidth();
  ImGui::Spacing();
  ImGui::TextWrapped("%s", tr("technician.init.key"));
  DrawKeyChoice(ctx, view, form);
  ImGui::Spacing();
  ImGui::BeginDisabled(view.public_keys.empty());
  if (TechnicianButton(ctx, tr("technician.init.do"), "tech.init_do")) {
    action = TechnicianAction{TechnicianAction::kInit};
  }
  ImGui::EndDisabled();
  if (auto a = EndTechnicianBody(ctx, /*back=*/true)) action = a;
  return action;
}

}  // namespace lontar::app
