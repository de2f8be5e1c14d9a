// Fonts and colours: calm by default, high contrast on request; Noto Sans so every Indonesian
// character renders, rasterised at the pixel size it is shown at so text stays sharp.
#pragma once

#include <imgui.h>

#include "core/util/error.hpp"

namespace lontar::app {

struct Fonts {
  ImFont* body = nullptr;
  ImFont* title = nullptr;
  float body_px = 0;
};

struct Look {
  float font_scale = 1.0f;  // 1.0 .. 2.0 (A- / A+)
  bool high_contrast = false;
};

// Rebuilds the font atlas for a screen `height_px` tall. kNotFound naming the font file when
// fonts-noto-core is missing. Call between frames; the renderer's font texture is recreated.
[[nodiscard]] Result<Fonts> BuildFonts(int height_px, float font_scale);

// Applies colours and spacing for `look` at the current font size.
void ApplyTheme(const Look& look, float body_px);

// Named colours for status text, chosen per theme.
ImVec4 OkColour(const Look& look);
ImVec4 BadColour(const Look& look);
ImVec4 MutedColour(const Look& look);

}  // namespace lontar::app
