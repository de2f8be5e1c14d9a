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

// Named colours for status text, chosen per theme.
ImVec4 OkColour(const Look& look);
ImVec4 BadColour(const Look& look);
ImVec4 MutedColour(const Look& look);
// Exam colours: a chosen option and the text on it, a flagged (doubtful) item and its text, an
// answered item in the navigator, and the warning when little time is left.
ImVec4 SelectedColour(const Look& look);
// The keyboard focus ring: apart from the selected, flagged and border colours of either theme.
ImVec4 FocusColour(const Look& look);
ImVec4 OnSelectedTextColour(const Look& look);
ImVec4 FlagColour(const Look& look);
ImVec4 OnFlagTextColour(const Look& look);
ImVec4 AnsweredColour(const Look& look);
ImVec4 WarningColour(const Look& look);

}  // namespace lontar::app
