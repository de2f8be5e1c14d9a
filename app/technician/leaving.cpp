#include "app/technician/leaving.hpp"

#include <imgui.h>

#include "app/technician/parts.hpp"

namespace lontar::app {

void DrawTechnicianLeaving(const ScreenContext& ctx, const TechnicianView& view) {
  DrawTechnicianHeader(ctx, view, ctx.tr("technician.leaving.title"));
  ImGui::TextWrapped("%s", ctx.tr("technician.leaving.text"));
}

}  // namespace lontar::app
