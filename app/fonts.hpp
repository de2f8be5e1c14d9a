// Text: Noto Sans (fonts-noto-core), so every Indonesian character renders, rasterised at the
// size it is shown at on this screen so that text stays sharp at any resolution and pixel density.
#pragma once

#include <imgui.h>

#include "app/window.hpp"
#include "core/util/error.hpp"

namespace lontar::app {

struct Fonts {
  ImFont* body = nullptr;
  ImFont* title = nullptr;
  // Body text at 100%, for the settings buttons: at 200% they would otherwise take a third of a
  // 768-point screen from the item.
  ImFont* settings = nullptr;
  float font_scale = 1.0f;
  // Body text size in points at text size 100% (follows the screen) and as shown (times the
  // text size the candidate chose). Spacing follows the first, text the second.
  float base_px = 0;
  float body_px = 0;
  Geometry built_for;  // the screen these were rasterised for; rebuild when it changes
};

// Rebuilds Dear ImGui's font atlas for `screen` at text size `font_scale` (clamped to 1.0..2.0):
// 22 pt body text on a 768-point-tall screen, proportionally more on taller ones, rasterised at
// screen.pixel_scale times that so a high-density display gets real pixels, not a stretched
// bitmap. kNotFound naming the font file when fonts-noto-core is missing. Call between frames;
// the renderer's font texture is recreated.
[[nodiscard]] Result<Fonts> BuildFonts(const Geometry& screen, float font_scale);

}  // namespace lontar::app
