#include "app/technician/menu.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "app/screens/health.hpp"
#include "app/technician/parts.hpp"
#include "core/terminal/clock_set.hpp"

namespace lontar::app {
namespace {

std::string Gigabytes(std::uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f GB", static_cast<double>(bytes) / 1e9);
  return buf;
}

void Line(const ScreenContext& ctx, const char* label, const std::string& value,
          const char* volatile_name = nullptr) {
  ImGui::TextDisabled("%s", label);
  ImGui::SameLine();
  ImGui::TextWrapped("%s", value.c_str());
  if (volatile_name != nullptr) MarkVolatile(ctx, volatile_name);
}

// SameLine when a button labelled `label` still fits on this line (at large text it goes below).
void SameLineIfFits(const std::string& label) {
  const float width = ImGui::CalcTextSize(label.c_str()).x + 2 * ImGui::GetStyle().FramePadding.x;
  ImGui::SameLine();
  if (ImGui::GetContentRegionAvail().x < width) ImGui::NewLine();
}

}  // namespace

std::optional<TechnicianAction> DrawTechnicianMenu(const ScreenContext& ctx,
                                                   const TechnicianView& view) {
  const Catalog& tr = ctx.tr;
  OpenTechnicianScreen(ctx, view,
                       {.title = tr("technician.title"), .back = false, .scrollbar = true});
  std::optional<TechnicianAction> action;
  const bool stick = view.usb.kind == terminal::UsbStateKind::kMounted;
  // The actions first, so that they are on screen whatever the health table's length.
  if (!stick) {
    ImGui::TextWrapped("%s", tr("technician.needs_stick"));
    ImGui::Spacing();
  }
  ImGui::BeginDisabled(!stick);
  if (view.status) {
    if (TechnicianButton(ctx, tr("technician.load_packs"), "tech.packs")) {
      action = TechnicianAction{TechnicianAction::kShowPacks};
    }
    SameLineIfFits(tr("technician.export"));
    if (TechnicianButton(ctx, tr("technician.export"), "tech.export")) {
      action = TechnicianAction{TechnicianAction::kExport};
    }
    if (TechnicianButton(ctx, tr("technician.enrollment"), "tech.enrollment")) {
      action = TechnicianAction{TechnicianAction::kEnrollment};
    }
    SameLineIfFits(tr("technician.set_server"));
    if (TechnicianButton(ctx, tr("technician.set_server"), "tech.set_server")) {
      action = TechnicianAction{TechnicianAction::kShowServer};
    }
  } else if (TechnicianButton(ctx, tr("technician.init"), "tech.init")) {
    action = TechnicianAction{TechnicianAction::kShowInit};
  }
  ImGui::EndDisabled();
  // The clock needs no stick (a dead CMOS battery is set right before packs are loaded); F2 opens
  // it from the keyboard, as the menu's buttons take no keyboard focus.
  if (TechnicianButton(ctx, tr("technician.clock"), "tech.clock") ||
      std::find(ctx.keys.begin(), ctx.keys.end(), SDLK_F2) != ctx.keys.end()) {
    action = TechnicianAction{TechnicianAction::kShowClock};
  }
  ImGui::Spacing();
  ImGui::Separator();
  ImGui::Spacing();
  if (view.status) {
    DrawHealthTable(ctx, *view.status);
    Line(ctx, tr("technician.outbox"),
         tr.Format("technician.outbox_counts", std::to_string(view.bundles_pending)) + " · " +
             tr.Format("technician.outbox_delivered", std::to_string(view.bundles_delivered)),
         "outbox");
  } else {
    ImGui::PushStyleColor(ImGuiCol_Text, Colours(ctx.look).bad);
    ImGui::TextWrapped("%s", tr("technician.not_initialised"));
    ImGui::PopStyleColor();
    ImGui::TextWrapped("%s", view.status_problem.c_str());
    MarkVolatile(ctx, "problem");
    // The health table has the clock; a terminal without one still shows it (set it first).
    Line(ctx, tr("technician.clock_now"),
         FormatDate(tr, ctx.now) + " " + FormatTime(ctx.now) + " · " +
             terminal::ZoneLabel(view.zone),
         "clock");
  }
  Line(ctx, tr("technician.disk_free"), Gigabytes(view.disk_free_bytes), "disk");
  Line(ctx, tr("technician.server"),
       view.server.empty() ? std::string(tr("technician.server_unset")) : view.server, "server");
  Line(ctx, tr("technician.audio"), view.audio, "audio");  // read-aloud's output
  return CloseTechnicianScreen(ctx, /*back=*/false, action);
}

}  // namespace lontar::app
