#include "app/technician/code.hpp"

#include <imgui.h>

#include <algorithm>

#include "app/screens/code_field.hpp"
#include "app/technician/parts.hpp"

namespace lontar::app {
std::optional<TechnicianAction> DrawTechnicianCode(const ScreenContext& ctx,
                                                   const TechnicianView& view,
                                                   TechnicianForm& form) {
  const Catalog& tr = ctx.tr;
  OpenTechnicianScreen(ctx, view,
                       {.title = tr("technician.code.title"), .back = false, .subtitle = false});
  std::optional<TechnicianAction> action;
  if (!view.available) {
    ImGui::TextWrapped("%s", tr.Format("technician.code.unavailable", view.code_file).c_str());
    Mark(ctx, "tech.unavailable");
  } else if (view.checking) {
    ImGui::TextWrapped("%s", tr("technician.code.checking"));
    Mark(ctx, "tech.checking");
  } else if (view.locked_seconds > 0) {
    const std::string minutes = std::to_string((view.locked_seconds + 59) / 60);
    ImGui::TextWrapped("%s", tr.Format("technician.code.locked", minutes).c_str());
    Mark(ctx, "tech.locked");
  } else {
    ImGui::PushItemWidth(std::min(ImGui::GetContentRegionAvail().x, ctx.fonts.body_px * 24));
    if (DrawCodeField(ctx,
                      {.prompt = tr("technician.code.prompt"),
                       .id = "##technician-code",
                       .code = form.code,
                       .target = "tech.code",
                       .button = tr("technician.code.submit"),
                       .button_target = "tech.submit",
                       .generation = form.attempt},
                      &form.focus)) {
      action = TechnicianAction{TechnicianAction::kSubmitCode};
    }
    ImGui::PopItemWidth();
    ImGui::Spacing();
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::TextWrapped("%s", tr("technician.code.note"));
    ImGui::PopStyleColor();
  }
  if (EndTechnicianBody(ctx, /*back=*/false)) action = TechnicianAction{TechnicianAction::kCancel};
  // A cancel too (the submit has already wiped them); the kiosk takes the code from `form`.
  if (action) WipeTypedCopies();
  return action;
}

}  // namespace lontar::app
