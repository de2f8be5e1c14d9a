#include "app/theme.hpp"

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

ImVec4 Rgb(int r, int g, int b) { return ImVec4(r / 255.0f, g / 255.0f, b / 255.0f, 1.0f); }

}  // namespace

Result<Fonts> BuildFonts(int height_px, float font_scale) {
  const float scale = std::clamp(font_scale, 1.0f, 2.0f);
  // 22 px body text on a 768-line screen, proportionally more on taller ones.
  const float body_px = std::max(16.0f, 22.0f * static_cast<float>(height_px) / 768.0f) * scale;
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  ImFontConfig config;
  config.OversampleH = 2;
  config.OversampleV = 2;
  Fonts fonts;
  fonts.body_px = body_px;
  auto load = [&](const char* file, float px) -> ImFont* {
    const std::string path = std::string(kFontDir) + file;
    if (!std::filesystem::exists(path)) return nullptr;
    return io.Fonts->AddFontFromFileTTF(path.c_str(), px, &config, kGlyphRanges);
  };
  fonts.body = load("NotoSans-Regular.ttf", body_px);
  fonts.title = load("NotoSans-Bold.ttf", body_px * 1.6f);
  if (fonts.body == nullptr || fonts.title == nullptr) {
    return std::unexpected(Error::NotFound(std::string("font files missing from ") + kFontDir +
                                           " (install the fonts-noto-core package)"));
  }
  io.FontDefault = fonts.body;
  ImGui_ImplSDLRenderer_DestroyFontsTexture();
  ImGui_ImplSDLRenderer_CreateFontsTexture();
  return fonts;
}

void ApplyTheme(const Look& look, float body_px) {
  ImGuiStyle style;
  if (look.high_contrast) {
    ImGui::StyleColorsDark(&style);
  } else {
    ImGui::StyleColorsLight(&style);
  }
  const float unit = body_px / 22.0f;
  style.WindowPadding = ImVec2(32 * unit, 24 * unit);
  style.FramePadding = ImVec2(16 * unit, 10 * unit);
  style.ItemSpacing = ImVec2(14 * unit, 12 * unit);
  style.FrameRounding = 6 * unit;
  style.WindowRounding = 0;
  style.WindowBorderSize = 0;
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

}  // namespace lontar::app
