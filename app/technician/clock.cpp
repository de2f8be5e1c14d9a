#include "app/technician/clock.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "app/technician/parts.hpp"
#include "core/terminal/clock_set.hpp"

namespace lontar::app {

std::optional<TechnicianAction> DrawTechnicianClock(const ScreenContext& ctx,
                                                    const TechnicianView& view,
                                                    TechnicianForm& form) {
  const Catalog& tr = ctx.tr;
  OpenTechnicianScreen(ctx, view, {.title = tr("technician.clock.title")});
  std::optional<TechnicianAction> action;
  ImGui::TextDisabled("%s", tr("technician.clock.now"));
  ImGui::SameLine();
  ImGui::TextWrapped("%s %s · %s", FormatDate(tr, ctx.now).c_str(), FormatTime(ctx.now).c_str(),
                     terminal::ZoneLabel(view.zone).c_str());
  MarkVolatile(ctx, "clock");
  ImGui::Spacing();
  if (view.clock_pending) {
    ImGui::TextWrapped("%s", tr("technician.clock.pending"));
    Mark(ctx, "tech.clock_pending");
  } else {
    ImGui::PushItemWidth(std::min(ImGui::GetContentRegionAvail().x, ctx.fonts.body_px * 10));
    TakeKeyboardFocus(form.focus);
    // Enter in any field sets the clock; each selects all its text when it gets the keyboard, so
    // that typing replaces the value shown rather than adding to it.
    const ImGuiInputTextFlags flags =
        ImGuiInputTextFlags_EnterReturnsTrue | ImGuiInputTextFlags_AutoSelectAll;
    bool entered = TechnicianField(ctx, tr("technician.clock.date"), "##date", form.date,
                                   "tech.clock_date", flags);
    // Named apart from the header's "date" and "time", which would otherwise be replaced here
    // and leave the header's clock in the golden comparison.
    MarkVolatile(ctx, "date_field");
    entered |= TechnicianField(ctx, tr("technician.clock.time"), "##time", form.time,
                               "tech.clock_time", flags);
    MarkVolatile(ctx, "time_field");
    entered |= TechnicianField(ctx, tr("technician.clock.zone"), "##zone", form.zone,
                               "tech.clock_zone", flags);
    ImGui::PopItemWidth();
    // The same choice by pointer: each button fills the zone field.
    const auto typed = terminal::ParseZone(form.zone.data());
    for (const auto z : {terminal::Zone::kWib, terminal::Zone::kWita, terminal::Zone::kWit}) {
      const terminal::ZoneInfo& info = terminal::Describe(z);
      const std::string label = terminal::ZoneLabel(info.iana);
      if (z != terminal::Zone::kWib) ImGui::SameLine();
      if (ImGui::RadioButton(label.c_str(), typed == z)) {
        std::fill(form.zone.begin(), form.zone.end(), '\0');
        std::strncpy(form.zone.data(), info.abbreviation, form.zone.size() - 1);
      }
      Mark(ctx, std::string("tech.zone.") + info.abbreviation);
    }
    ImGui::Spacing();
    if (TechnicianButton(ctx, tr("technician.clock.set"), "tech.clock_set") || entered) {
      action = TechnicianAction{TechnicianAction::kSetClock};
    }
  }
  ImGui::Spacing();
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("%s", tr("technician.clock.note"));
  ImGui::PopStyleColor();
  return CloseTechnicianScreen(ctx, /*back=*/true, action);
}

}  // namespace lontar::app
