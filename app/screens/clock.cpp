// The exam header with the clock: remaining whole-exam and section time, a warning at five
// minutes.
#include <imgui.h>

#include <string>

#include "app/screens/exam_view.hpp"

namespace lontar::app {

void DrawExamHeader(const ScreenContext& ctx, const ExamView& view) {
  const Catalog& tr = ctx.tr;
  const auto& sections = view.exam.sections;
  const bool in_section =
      view.state.phase == exam::Phase::kInProgress && view.state.section < sections.size();
  const bool warn = view.state.phase == exam::Phase::kInProgress &&
                    (view.remaining_ns <= kWarningNs || view.section_remaining_ns <= kWarningNs);
  ImGui::PushFont(ctx.fonts.title);
  const std::string& title =
      in_section ? Pick(tr, sections[view.state.section].title) : Pick(tr, view.exam.title);
  ImGui::TextUnformatted(title.c_str());
  if (view.state.phase == exam::Phase::kInProgress) {
    const std::string clock = FormatDuration(view.remaining_ns);
    AlignRight(clock.c_str());
    if (view.remaining_ns <= kWarningNs) {  // the section's own warning is the line below
      ImGui::TextColored(Colours(ctx.look).warning, "%s", clock.c_str());
    } else {
      ImGui::TextUnformatted(clock.c_str());
    }
    MarkVolatile(ctx, "remaining");
  }
  ImGui::PopFont();
  std::string who = view.state.participant;
  if (!view.participant_name.empty()) who += " · " + view.participant_name;
  ImGui::TextDisabled("%s", who.c_str());
  if (view.state.phase == exam::Phase::kInProgress) {
    std::string times = tr("exam.time_left");
    if (in_section && sections[view.state.section].minutes > 0) {
      times = tr.Format("exam.section_time_left", FormatDuration(view.section_remaining_ns));
    }
    AlignRight(times.c_str());
    ImGui::TextDisabled("%s", times.c_str());
    MarkVolatile(ctx, "section_remaining");
    if (warn) {
      ImGui::PushStyleColor(ImGuiCol_Text, Colours(ctx.look).warning);
      ImGui::TextWrapped("%s", tr("exam.time_warning"));
      Mark(ctx, "shown.time_warning");  // test mode: the report says the warning is up
      ImGui::PopStyleColor();
    }
  }
  ImGui::Separator();
}

}  // namespace lontar::app
