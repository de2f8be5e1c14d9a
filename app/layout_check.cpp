#include "app/layout_check.hpp"

#include <imgui.h>
#include <imgui_internal.h>

#include <cstdio>

namespace lontar::app {
namespace {

constexpr float kTolerance = 2.0f;  // outlines are drawn centred on an item's edge

std::string Describe(const char* what, const ImGuiWindow* w, float a, float b) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s in window '%s' (%.0f > %.0f)", what, w->Name, a, b);
  return buf;
}

}  // namespace

std::vector<std::string> CheckLayout() {
  std::vector<std::string> problems;
  const ImGuiContext& g = *ImGui::GetCurrentContext();
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  for (const ImGuiWindow* w : g.Windows) {
    if (!w->WasActive || w->Hidden) continue;
    if (w->Pos.x + w->Size.x > display.x + kTolerance) {
      problems.push_back(Describe("past the right edge", w, w->Pos.x + w->Size.x, display.x));
    }
    if (w->Pos.y + w->Size.y > display.y + kTolerance) {
      problems.push_back(Describe("past the bottom edge", w, w->Pos.y + w->Size.y, display.y));
    }
    // This frame's content (ContentSize is the previous frame's, a frame behind after a change).
    const ImVec2 content(w->DC.CursorMaxPos.x - w->DC.CursorStartPos.x,
                         w->DC.CursorMaxPos.y - w->DC.CursorStartPos.y);
    const float width = w->ContentRegionRect.GetWidth();
    if (content.x > width + kTolerance) {
      problems.push_back(Describe("content cut at the side", w, content.x, width));
    }
    const float height = w->ContentRegionRect.GetHeight();
    // Cut at the bottom only once the content is as tall as in the frame before: ImGui gives a
    // window the scrollbar its content needs from the frame after the content grew (an image
    // that arrived, under load, in the frame a script step waited for), so a frame in which it
    // grew is a frame behind in layout, not yet the one people see.
    const bool grew = content.y > w->ContentSize.y + kTolerance;
    if (!w->ScrollbarY && !grew && content.y > height + kTolerance) {
      problems.push_back(Describe("content cut at the bottom", w, content.y, height));
    }
  }
  const ImDrawData* data = ImGui::GetDrawData();
  if (data == nullptr) return problems;
  for (int l = 0; l < data->CmdListsCount; ++l) {
    const ImDrawList* list = data->CmdLists[l];
    for (const ImDrawCmd& cmd : list->CmdBuffer) {
      if (cmd.UserCallback != nullptr) continue;
      const ImVec4 clip = cmd.ClipRect;
      for (unsigned i = 0; i < cmd.ElemCount; ++i) {
        const ImDrawVert& v = list->VtxBuffer[static_cast<int>(
            cmd.VtxOffset + list->IdxBuffer[static_cast<int>(cmd.IdxOffset + i)])];
        const bool visible =
            v.pos.x >= clip.x && v.pos.x <= clip.z && v.pos.y >= clip.y && v.pos.y <= clip.w;
        if (visible && (v.pos.x < -kTolerance || v.pos.y < -kTolerance ||
                        v.pos.x > display.x + kTolerance || v.pos.y > display.y + kTolerance)) {
          char buf[160];
          std::snprintf(buf, sizeof buf, "visible vertex off the screen at (%.0f, %.0f) in %s",
                        v.pos.x, v.pos.y, list->_OwnerName ? list->_OwnerName : "?");
          problems.push_back(buf);
          break;
        }
      }
    }
  }
  return problems;
}

}  // namespace lontar::app
