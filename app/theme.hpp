// Colours and spacing: calm by default (dark text on the colour of a dried palm leaf), white
// on black with yellow outlines on request.
#pragma once

#include <imgui.h>

#include "app/fonts.hpp"

namespace lontar::app {

struct Look {
  float font_scale = 1.0f;  // 1.0 .. 2.0 (A- / A+)
  bool high_contrast = false;
};

// Applies colours and spacing for `look`. Margins follow the screen (fonts.base_px), so that
// larger text gets the room it needs; the padding inside buttons follows the text.
void ApplyTheme(const Look& look, const Fonts& fonts);

// One theme's colours: Dear ImGui's own (the window, text, buttons and lines) and the named
// ones the screens draw with.
struct Palette {
  ImVec4 window, text, text_disabled, button, button_hovered, button_active, separator;
  // Status text.
  ImVec4 ok, bad, muted;
  // Exam colours: a chosen option and the text on it, the keyboard focus ring (apart from the
  // selected, flagged and border colours of either theme), a flagged (doubtful) item and its
  // text, an answered item in the navigator, and the warning when little time is left.
  ImVec4 selected, focus, on_selected_text, flag, on_flag_text, answered, warning;
};

// The colours of `look`'s theme (high contrast or not); they live as long as the program.
const Palette& Colours(const Look& look);

}  // namespace lontar::app
