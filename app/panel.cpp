#include "app/panel.hpp"

#include <algorithm>

namespace lontar::app {
namespace {

std::vector<PanelFill>& Pending() {
  static std::vector<PanelFill> panels;  // the UI thread's only: Dear ImGui is single-threaded
  return panels;
}

}  // namespace

void FillBackdrop(const ImVec2& min, const ImVec2& max, const ImVec4& colour, float rounding) {
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 clip_min = draw->GetClipRectMin();
  const ImVec2 clip_max = draw->GetClipRectMax();
  const float r = std::max(0.0f, std::min(rounding, std::min(max.x - min.x, max.y - min.y) / 2));
  PanelFill fill{.min = ImVec2(std::max(min.x, clip_min.x), std::max(min.y, clip_min.y)),
                 .max = ImVec2(std::min(max.x, clip_max.x), std::min(max.y, clip_max.y)),
                 .rounding = r,
                 .colour = colour};
  if (colour.w <= 0 || fill.max.x <= fill.min.x || fill.max.y <= fill.min.y) return;
  // Clipped at an edge, a corner there is cut off; the fill reaches into it and Dear ImGui's
  // clipped corner shape does the same.
  if (min.x < clip_min.x || min.y < clip_min.y || max.x > clip_max.x || max.y > clip_max.y) {
    fill.rounding = 0;
  }
  Pending().push_back(fill);
  if (fill.rounding <= 0) return;
  // Each corner shape reaches a pixel into the fill, so that the anti-aliased fringe of its
  // inner edges lies over the same colour instead of drawing a seam.
  const ImU32 col = ImGui::GetColorU32(colour);
  const float e = r + 1;
  draw->AddRectFilled(min, ImVec2(min.x + e, min.y + e), col, r, ImDrawFlags_RoundCornersTopLeft);
  draw->AddRectFilled(ImVec2(max.x - e, min.y), ImVec2(max.x, min.y + e), col, r,
                      ImDrawFlags_RoundCornersTopRight);
  draw->AddRectFilled(ImVec2(min.x, max.y - e), ImVec2(min.x + e, max.y), col, r,
                      ImDrawFlags_RoundCornersBottomLeft);
  draw->AddRectFilled(ImVec2(max.x - e, max.y - e), max, col, r,
                      ImDrawFlags_RoundCornersBottomRight);
}

bool BeginPanel(const char* id, const ImVec2& size, ImGuiWindowFlags flags) {
  const ImVec4 colour = ImGui::GetStyleColorVec4(ImGuiCol_ChildBg);
  // What the parent shows: the child's background never reached past it.
  ImDrawList* parent = ImGui::GetWindowDrawList();
  const ImVec2 clip_min = parent->GetClipRectMin();
  const ImVec2 clip_max = parent->GetClipRectMax();
  ImGui::PushStyleColor(ImGuiCol_ChildBg, ImVec4(0, 0, 0, 0));
  const bool open = ImGui::BeginChild(id, size, false, flags);
  ImGui::PopStyleColor();
  // In the child's list, drawn first, clipped as its background was.
  const ImVec2 pos = ImGui::GetWindowPos();
  ImGui::PushClipRect(clip_min, clip_max, false);
  FillBackdrop(pos, ImVec2(pos.x + ImGui::GetWindowWidth(), pos.y + ImGui::GetWindowHeight()),
               colour, ImGui::GetStyle().ChildRounding);
  ImGui::PopClipRect();
  return open;
}

std::vector<PanelFill> TakePanels() {
  std::vector<PanelFill> panels;
  panels.swap(Pending());
  return panels;
}

}  // namespace lontar::app
