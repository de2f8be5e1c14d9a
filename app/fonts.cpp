#include "app/fonts.hpp"

#include <imgui_impl_sdlrenderer.h>

#include <algorithm>
#include <filesystem>
#include <string>

namespace lontar::app {
namespace {

constexpr char kFontDir[] = "/usr/share/fonts/truetype/noto/";

// Basic Latin, Latin-1, Latin Extended-A, general punctuation (dashes, quotes, ellipsis). Noto
// Sans has no U+2212 minus sign, so the catalogs write "A–" with an en dash.
constexpr ImWchar kGlyphRanges[] = {0x0020, 0x00FF, 0x0100, 0x017F, 0x2010, 0x205E, 0};

constexpr float kTitleRatio = 1.6f;

// Glyphs rasterised at this many pixels or more are not oversampled (see BuildFonts).
constexpr float kOversampleBelowPx = 40.0f;

}  // namespace

Result<Fonts> BuildFonts(const Geometry& screen, float font_scale) {
  const float scale = std::clamp(font_scale, 1.0f, 2.0f);
  const float pixels = std::max(screen.pixel_scale, 1.0f);
  Fonts fonts;
  fonts.built_for = screen;
  fonts.base_px = std::max(16.0f, 22.0f * static_cast<float>(screen.height) / 768.0f);
  fonts.body_px = fonts.base_px * scale;

  // Check before clearing the atlas: the fonts in use stay valid when this fails.
  const std::string regular = std::string(kFontDir) + "NotoSans-Regular.ttf";
  const std::string bold = std::string(kFontDir) + "NotoSans-Bold.ttf";
  for (const std::string& path : {regular, bold}) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      return std::unexpected(Error::NotFound("font file " + path +
                                             " is missing (install the fonts-noto-core package)"));
    }
  }
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  io.Fonts->Flags |= ImFontAtlasFlags_NoMouseCursors;  // the kiosk draws no software cursor
  // The atlas as tall as its glyphs, not rounded up to a power of two: the renderer keeps it as
  // a 32-bit texture for the whole run, and the rounding was a fifth of it at 100% text on a
  // 1920x1080 screen (512x1024 for 512x807) and more than a third at 200% (1024x2048 for
  // 1024x1328). The software renderer does not need powers of two.
  io.Fonts->Flags |= ImFontAtlasFlags_NoPowerOfTwoHeight;
  auto add = [&](const std::string& file, float px) {
    ImFontConfig config;
    // Text is laid out on whole pixels vertically, so vertical oversampling only made the atlas
    // twice as tall. Horizontal oversampling keeps sub-pixel placement smooth for small text; at
    // title sizes a glyph is wide enough without it, and the atlas stays a quarter the size.
    config.OversampleH = px < kOversampleBelowPx ? 2 : 1;
    config.OversampleV = 1;
    return io.Fonts->AddFontFromFileTTF(file.c_str(), px, &config, kGlyphRanges);
  };
  fonts.body = add(regular, fonts.body_px * pixels);
  fonts.title = add(bold, fonts.body_px * kTitleRatio * pixels);
  fonts.settings = scale > 1.0f ? add(regular, fonts.base_px * pixels) : fonts.body;
  fonts.font_scale = scale;
  if (fonts.body == nullptr || fonts.title == nullptr || fonts.settings == nullptr) {
    return std::unexpected(Error::Io("cannot read the fonts in " + std::string(kFontDir)));
  }
  // Layout is in points; glyphs were rasterised in pixels.
  io.FontGlobalScale = 1.0f / pixels;
  io.FontDefault = fonts.body;
  ImGui_ImplSDLRenderer_DestroyFontsTexture();
  ImGui_ImplSDLRenderer_CreateFontsTexture();
  // The renderer has its own copy now; the atlas's 8-bit and 32-bit pixel buffers were several
  // megabytes each at large text on a big screen.
  io.Fonts->ClearTexData();
  return fonts;
}

}  // namespace lontar::app
