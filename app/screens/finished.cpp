#include "app/screens/finished.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace lontar::app {
namespace {

std::string Points(double v) {
  char buf[32];
  if (std::floor(v) == v) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f", v);
  }
  return buf;
}

}  // namespace

std::optional<Action> DrawFinished(const ScreenContext& ctx, const ExamView& view) {
  const Catalog& tr = ctx.tr;
  DrawExamHeader(ctx, view);
  const auto bar = SettingsBar(tr, /*recheck=*/false);
  BeginBody(ctx, bar);
  ImGui::PushFont(ctx.fonts.title);
  ImGui::TextColored(OkColour(ctx.look), "%s", tr("finished.title"));
  ImGui::PopFont();
  ImGui::TextWrapped("%s", tr.Format("finished.participant", view.state.participant).c_str());
  ImGui::TextWrapped(
      "%s", tr(view.state.reason == exam::SubmitReason::kTimeUp ? "finished.submitted_time_up"
                                                                : "finished.submitted"));
  ImGui::Spacing();
  // The receipt: a framed area that will hold the code from the result bundle.
  ImGui::BeginChild(
      "receipt", ImVec2(0, ImGui::GetTextLineHeightWithSpacing() * 2 + ImGui::GetFrameHeight() * 2),
      true);
  ImGui::TextDisabled("%s", tr("finished.receipt"));
  ImGui::TextWrapped("%s", tr("finished.receipt_later"));
  ImGui::EndChild();
  ImGui::GetWindowDrawList()->AddRect(
      ImGui::GetItemRectMin(), ImGui::GetItemRectMax(), ImGui::GetColorU32(MutedColour(ctx.look)),
      ImGui::GetStyle().ChildRounding, 0, std::max(1.0f, ImGui::GetStyle().FrameBorderSize));
  ImGui::Spacing();
  if (view.exam.show_score && view.score != nullptr) {
    const scoring::ScoreReport& s = *view.score;
    ImGui::PushFont(ctx.fonts.title);
    ImGui::TextWrapped(
        "%s", tr.Format("finished.score", Points(s.total) + " / " + Points(s.max_total)).c_str());
    ImGui::PopFont();
    for (const auto& section : s.sections) {
      std::string title = section.id;
      for (const auto& def : view.exam.sections) {
        if (def.id == section.id) title = Pick(tr, def.title);
      }
      std::string line = title + ": " + Points(section.total) + " / " + Points(section.max);
      if (section.threshold) {
        line += " · " + tr.Format("finished.threshold", std::to_string(*section.threshold));
      }
      ImGui::TextWrapped("%s", line.c_str());
    }
    ImGui::TextColored(s.passed ? OkColour(ctx.look) : BadColour(ctx.look), "%s",
                       tr(s.passed ? "finished.passed" : "finished.not_passed"));
  }
  ImGui::Spacing();
  ImGui::TextWrapped("%s", tr("finished.leave"));
  EndBody();
  if (auto pressed = DrawBottomBar(ctx, bar)) return *pressed;
  return std::nullopt;
}

}  // namespace lontar::app
