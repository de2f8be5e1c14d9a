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
  ImFontConfig config;
  config.OversampleH = 2;
  config.OversampleV = 2;
  fonts.body =
      io.Fonts->AddFontFromFileTTF(regular.c_str(), fonts.body_px * pixels, &config, kGlyphRanges);
  fonts.title = io.Fonts->AddFontFromFileTTF(bold.c_str(), fonts.body_px * kTitleRatio * pixels,
                                             &config, kGlyphRanges);
  fonts.settings = scale > 1.0f
                       ? io.Fonts->AddFontFromFileTTF(regular.c_str(), fonts.base_px * pixels,
                                                      &config, kGlyphRanges)
                       : fonts.body;
  fonts.font_scale = scale;
  if (fonts.body == nullptr || fonts.title == nullptr || fonts.settings == nullptr) {
    return std::unexpected(Error::Io("cannot read the fonts in " + std::string(kFontDir)));
  }
  // Layout is in points; glyphs were rasterised in pixels.
  io.FontGlobalScale = 1.0f / pixels;
  io.FontDefault = fonts.body;
  ImGui_ImplSDLRenderer_DestroyFontsTexture();
  ImGui_ImplSDLRenderer_CreateFontsTexture();
  return fonts;
}

}  // namespace lontar::app
