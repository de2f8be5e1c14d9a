#include "app/panel.hpp"

#include <algorithm>

namespace lontar::app {
namespace {

std::vector<PanelFill>& Pending() {
  static std::vector<PanelFill> panels;  // the UI thread's only: Dear ImGui is single-threaded
  return panels;
}

}  // namespace

bool BeginPanel(const char* id, const ImVec2& size, ImGuiWindowFlags flags) {
  const ImVec4 colour = ImGui::GetStyleColorVec4(ImGuiCol_ChildBg);
  // What the parent shows: the child's background never reached past it.
  const ImVec2 clip_min = ImGui::GetWindowDrawList()->GetClipRectMin();
  const ImVec2 clip_max = ImGui::GetWindowDrawList()->GetClipRectMax();
  ImGui::PushStyleColor(ImGuiCol_ChildBg, ImVec4(0, 0, 0, 0));
  const bool open = ImGui::BeginChild(id, size, false, flags);
  ImGui::PopStyleColor();
  if (colour.w <= 0) return open;
  const ImVec2 pos = ImGui::GetWindowPos();
  const ImVec2 end(pos.x + ImGui::GetWindowWidth(), pos.y + ImGui::GetWindowHeight());
  const float r =
      std::min(ImGui::GetStyle().ChildRounding, std::min(end.x - pos.x, end.y - pos.y) / 2);
  PanelFill fill{.min = ImVec2(std::max(pos.x, clip_min.x), std::max(pos.y, clip_min.y)),
                 .max = ImVec2(std::min(end.x, clip_max.x), std::min(end.y, clip_max.y)),
                 .rounding = r,
                 .colour = colour};
  if (fill.max.x <= fill.min.x || fill.max.y <= fill.min.y) return open;
  Pending().push_back(fill);
  if (r > 0) {
    // The corners, drawn first in the child's list so that its content lies over them.
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const ImU32 col = ImGui::GetColorU32(colour);
    draw->PushClipRect(clip_min, clip_max, false);
    draw->AddRectFilled(pos, ImVec2(pos.x + r, pos.y + r), col, r, ImDrawFlags_RoundCornersTopLeft);
    draw->AddRectFilled(ImVec2(end.x - r, pos.y), ImVec2(end.x, pos.y + r), col, r,
                        ImDrawFlags_RoundCornersTopRight);
    draw->AddRectFilled(ImVec2(pos.x, end.y - r), ImVec2(pos.x + r, end.y), col, r,
                        ImDrawFlags_RoundCornersBottomLeft);
    draw->AddRectFilled(ImVec2(end.x - r, end.y - r), end, col, r,
                        ImDrawFlags_RoundCornersBottomRight);
    draw->PopClipRect();
  }
  return open;
}

std::vector<PanelFill> TakePanels() {
  std::vector<PanelFill> panels;
  panels.swap(Pending());
  return panels;
}

}  // namespace lontar::app
