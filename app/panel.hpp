// Panels: Dear ImGui child windows whose solid background the renderer fills directly, instead of
// Dear ImGui blending a textured quad over every pixel of it. On a software rasteriser (SDL's
// software renderer, Mesa's llvmpipe) those quads were most of the cost of a frame: the screen's
// body panel alone is most of the screen, and the kiosk redraws once a second for the clock.
// Rounded corners stay Dear ImGui's (four small shapes); the rest is two renderer fills.
#pragma once

#include <imgui.h>

#include <vector>

namespace lontar::app {

struct PanelFill {
  ImVec2 min, max;  // in points, clipped to what the parent window shows
  float rounding = 0;
  ImVec4 colour;
};

// A solid rounded rectangle under everything Dear ImGui draws after it in the current window:
// the renderer fills it (clipped as the window clips), Dear ImGui draws its four corners. For
// large opaque areas: panels, the big answer buttons.
void FillBackdrop(const ImVec2& min, const ImVec2& max, const ImVec4& colour, float rounding);

// ImGui::BeginChild(id, size, false, flags) with its ChildBg background as a backdrop.
// Pair with ImGui::EndChild().
bool BeginPanel(const char* id, const ImVec2& size, ImGuiWindowFlags flags = 0);

// The panels begun since the last call, outermost first; clears the list. Window::EndFrame fills
// them before Dear ImGui draws.
std::vector<PanelFill> TakePanels();

}  // namespace lontar::app
