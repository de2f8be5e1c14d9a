#include "app/theme.hpp"

namespace lontar::app {
namespace {

ImVec4 Rgb(int r, int g, int b) { return ImVec4(r / 255.0f, g / 255.0f, b / 255.0f, 1.0f); }

// White on black with yellow outlines. The focus ring's magenta is apart from the selected,
// flagged and border colours.
const Palette kHighContrast = {
    .window = Rgb(0, 0, 0),
    .text = Rgb(255, 255, 255),
    .text_disabled = Rgb(230, 230, 230),
    .button = Rgb(0, 0, 0),
    .button_hovered = Rgb(60, 60, 0),
    .button_active = Rgb(110, 110, 0),
    .separator = Rgb(255, 255, 0),
    .ok = Rgb(120, 255, 120),
    .bad = Rgb(255, 140, 140),
    .muted = Rgb(230, 230, 230),
    .selected = Rgb(255, 255, 0),
    .focus = Rgb(255, 64, 255),
    .on_selected_text = Rgb(0, 0, 0),
    .flag = Rgb(255, 160, 0),
    .on_flag_text = Rgb(0, 0, 0),
    .answered = Rgb(0, 200, 255),
    .warning = Rgb(255, 140, 140),
};

// Dark text on the colour of a dried palm leaf, lightly.
const Palette kPalmLeaf = {
    .window = Rgb(246, 243, 236),
    .text = Rgb(28, 32, 36),
    .text_disabled = Rgb(92, 96, 102),
    .button = Rgb(226, 220, 206),
    .button_hovered = Rgb(212, 203, 184),
    .button_active = Rgb(196, 185, 162),
    .separator = Rgb(200, 192, 176),
    .ok = Rgb(20, 110, 50),
    .bad = Rgb(170, 30, 30),
    .muted = Rgb(92, 96, 102),
    .selected = Rgb(30, 90, 160),
    .focus = Rgb(160, 0, 160),
    .on_selected_text = Rgb(255, 255, 255),
    .flag = Rgb(230, 170, 40),
    .on_flag_text = Rgb(0, 0, 0),
    .answered = Rgb(60, 140, 90),
    .warning = Rgb(190, 40, 20),
};

}  // namespace

const Palette& Colours(const Look& look) { return look.high_contrast ? kHighContrast : kPalmLeaf; }

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
  const Palette& p = Colours(look);
  ImVec4* c = style.Colors;
  c[ImGuiCol_WindowBg] = p.window;
  c[ImGuiCol_Text] = p.text;
  c[ImGuiCol_TextDisabled] = p.text_disabled;
  c[ImGuiCol_Button] = p.button;
  c[ImGuiCol_ButtonHovered] = p.button_hovered;
  c[ImGuiCol_ButtonActive] = p.button_active;
  c[ImGuiCol_Separator] = p.separator;
  if (look.high_contrast) {
    // Outlined controls; child regions keep Dear ImGui's dark default.
    c[ImGuiCol_Border] = Rgb(255, 255, 0);
    style.FrameBorderSize = 2 * unit;
  } else {
    // Flat controls on a lighter card; borders keep Dear ImGui's light default.
    c[ImGuiCol_ChildBg] = Rgb(255, 253, 248);
    style.FrameBorderSize = 0;
  }
  ImGui::GetStyle() = style;
}

}  // namespace lontar::app
