#include "app/theme.hpp"

namespace lontar::app {
namespace {

ImVec4 Rgb(int r, int g, int b) { return ImVec4(r / 255.0f, g / 255.0f, b / 255.0f, 1.0f); }

}  // namespace

void ApplyTheme(const Look& look, const Fonts& fonts) {
  ImGuiStyle style;
  if (look.high_contrast) {
    ImGui::StyleColorsDark(&style);
  } else {
    ImGui::StyleColorsLight(&style);
  }
  const float unit = fonts.base_px / 22.0f;  // the screen
  const float text = fonts.body_px / 22.0f;  // the text as shown
  style.WindowPadding = ImVec2(32 * unit, 24 * unit);
  style.FramePadding = ImVec2(16 * text, 10 * text);
  style.ItemSpacing = ImVec2(14 * unit, 10 * text);
  style.CellPadding = ImVec2(8 * unit, 4 * text);
  style.FrameRounding = 6 * unit;
  style.WindowRounding = 0;
  style.ChildRounding = 6 * unit;
  style.WindowBorderSize = 0;
  style.ChildBorderSize = 0;
  style.ScrollbarSize = 18 * unit;
  ImVec4* c = style.Colors;
  if (look.high_contrast) {
    c[ImGuiCol_WindowBg] = Rgb(0, 0, 0);
    c[ImGuiCol_Text] = Rgb(255, 255, 255);
    c[ImGuiCol_TextDisabled] = Rgb(230, 230, 230);
    c[ImGuiCol_Button] = Rgb(0, 0, 0);
    c[ImGuiCol_ButtonHovered] = Rgb(60, 60, 0);
    c[ImGuiCol_ButtonActive] = Rgb(110, 110, 0);
    c[ImGuiCol_Border] = Rgb(255, 255, 0);
    c[ImGuiCol_Separator] = Rgb(255, 255, 0);
    style.FrameBorderSize = 2 * unit;
  } else {
    c[ImGuiCol_WindowBg] = Rgb(246, 243, 236);  // the colour of a dried palm leaf, lightly
    c[ImGuiCol_Text] = Rgb(28, 32, 36);
    c[ImGuiCol_TextDisabled] = Rgb(92, 96, 102);
    c[ImGuiCol_Button] = Rgb(226, 220, 206);
    c[ImGuiCol_ButtonHovered] = Rgb(212, 203, 184);
    c[ImGuiCol_ButtonActive] = Rgb(196, 185, 162);
    c[ImGuiCol_Separator] = Rgb(200, 192, 176);
    c[ImGuiCol_ChildBg] = Rgb(255, 253, 248);
    style.FrameBorderSize = 0;
  }
  ImGui::GetStyle() = style;
}

ImVec4 OkColour(const Look& look) {
  return look.high_contrast ? Rgb(120, 255, 120) : Rgb(20, 110, 50);
}
ImVec4 BadColour(const Look& look) {
  return look.high_contrast ? Rgb(255, 140, 140) : Rgb(170, 30, 30);
}
ImVec4 MutedColour(const Look& look) {
  return look.high_contrast ? Rgb(230, 230, 230) : Rgb(92, 96, 102);
}

ImVec4 SelectedColour(const Look& look) {
  return look.high_contrast ? Rgb(255, 255, 0) : Rgb(30, 90, 160);
}
ImVec4 FocusColour(const Look& look) {
  return look.high_contrast ? Rgb(255, 64, 255) : Rgb(160, 0, 160);
}
ImVec4 OnSelectedTextColour(const Look& look) {
  return look.high_contrast ? Rgb(0, 0, 0) : Rgb(255, 255, 255);
}
ImVec4 FlagColour(const Look& look) {
  return look.high_contrast ? Rgb(255, 160, 0) : Rgb(230, 170, 40);
}
ImVec4 OnFlagTextColour(const Look&) { return Rgb(0, 0, 0); }
ImVec4 AnsweredColour(const Look& look) {
  return look.high_contrast ? Rgb(0, 200, 255) : Rgb(60, 140, 90);
}
ImVec4 WarningColour(const Look& look) {
  return look.high_contrast ? Rgb(255, 140, 140) : Rgb(190, 40, 20);
}

}  // namespace lontar::app
