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
  const exam::Phase phase = view.state.phase;
  if (phase != exam::Phase::kSubmitted) {
    // Voided by the proctor, or moved to a spare terminal: no receipt and no score here.
    const bool voided = phase == exam::Phase::kVoided;
    ImGui::PushFont(ctx.fonts.title);
    ImGui::TextWrapped("%s", tr(voided ? "finished.voided_title" : "finished.handed_off_title"));
    ImGui::PopFont();
    ImGui::TextWrapped("%s", tr.Format("finished.participant", view.state.participant).c_str());
    ImGui::TextWrapped("%s", tr(voided ? "finished.voided" : "finished.handed_off"));
    EndBody();
    if (auto pressed = DrawBottomBar(ctx, bar)) return *pressed;
    return std::nullopt;
  }
  ImGui::PushFont(ctx.fonts.title);
  ImGui::TextColored(Colours(ctx.look).ok, "%s", tr("finished.title"));
  ImGui::PopFont();
  ImGui::TextWrapped("%s", tr.Format("finished.participant", view.state.participant).c_str());
  ImGui::TextWrapped(
      "%s", tr(view.state.reason == exam::SubmitReason::kTimeUp ? "finished.submitted_time_up"
                                                                : "finished.submitted"));
  ImGui::Spacing();
  // The receipt code of the result bundle, which the engine made durable before this screen
  // could show; without it (the disk refused) the candidate is told to call the proctor.
  // A group, not a child window: its height follows the wrapped text at any size.
  const float pad = ImGui::GetStyle().FramePadding.x * 2;
  ImGui::Indent(pad);
  ImGui::Dummy(ImVec2(0, pad / 2));
  ImGui::BeginGroup();
  ImGui::PushTextWrapPos(ImGui::GetContentRegionMax().x - pad);
  ImGui::TextDisabled("%s", tr("finished.receipt"));
  if (!view.receipt.empty()) {
    ImGui::PushFont(ctx.fonts.title);
    ImGui::TextUnformatted(view.receipt.c_str());
    MarkVolatile(ctx, "receipt");
    ImGui::PopFont();
    ImGui::TextWrapped("%s", tr("finished.receipt_keep"));
  } else {
    ImGui::TextColored(Colours(ctx.look).bad, "%s", tr("finished.receipt_later"));
  }
  ImGui::PopTextWrapPos();
  ImGui::EndGroup();
  ImGui::Unindent(pad);
  const ImVec2 min(ImGui::GetItemRectMin().x - pad, ImGui::GetItemRectMin().y - pad / 2);
  const ImVec2 max(ImGui::GetContentRegionMax().x + ImGui::GetWindowPos().x,
                   ImGui::GetItemRectMax().y + pad / 2);
  ImGui::Dummy(ImVec2(0, pad / 2));
  ImGui::GetWindowDrawList()->AddRect(min, max, ImGui::GetColorU32(Colours(ctx.look).muted),
                                      ImGui::GetStyle().ChildRounding, 0,
                                      std::max(1.0f, ImGui::GetStyle().FrameBorderSize));
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
    ImGui::TextColored(s.passed ? Colours(ctx.look).ok : Colours(ctx.look).bad, "%s",
                       tr(s.passed ? "finished.passed" : "finished.not_passed"));
  }
  ImGui::Spacing();
  ImGui::TextWrapped("%s", tr("finished.leave"));
  EndBody();
  if (auto pressed = DrawBottomBar(ctx, bar)) return *pressed;
  return std::nullopt;
}

}  // namespace lontar::app
