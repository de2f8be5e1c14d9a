#include "app/screens/screen.hpp"

#include <imgui.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <string>

namespace lontar::app {

std::string FormatDate(const Catalog& tr, std::time_t t) {
  std::tm local{};
  localtime_r(&t, &local);
  return std::string(tr("day." + std::to_string(local.tm_wday))) + ", " +
         std::to_string(local.tm_mday) + " " + tr("month." + std::to_string(local.tm_mon + 1)) +
         " " + std::to_string(local.tm_year + 1900);
}

std::string FormatTime(std::time_t t) {
  std::tm local{};
  localtime_r(&t, &local);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &local);
  return buf;
}

namespace {

struct BarButton {
  const char* key;
  Intent intent;
};

constexpr BarButton kBar[] = {
    {"a11y.language", Intent::kToggleLanguage}, {"a11y.smaller", Intent::kFontSmaller},
    {"a11y.larger", Intent::kFontLarger},       {"a11y.contrast", Intent::kToggleContrast},
    {"health.recheck", Intent::kRecheck},
};

float ContentWidth() {
  return ImGui::GetWindowContentRegionMax().x - ImGui::GetWindowContentRegionMin().x;
}

float ButtonWidth(const char* label) {
  return ImGui::CalcTextSize(label).x + 2 * ImGui::GetStyle().FramePadding.x;
}

// Whether each bar button starts a new row: at large text on a narrow screen the buttons wrap
// instead of running off the edge.
std::array<bool, std::size(kBar)> BarLayout(const Catalog& tr) {
  std::array<bool, std::size(kBar)> starts_row{};
  const float width = ContentWidth(), spacing = ImGui::GetStyle().ItemSpacing.x;
  float x = 0;
  for (size_t i = 0; i < std::size(kBar); ++i) {
    const float w = ButtonWidth(tr(kBar[i].key));
    starts_row[i] = i == 0 || x + spacing + w > width;
    x = starts_row[i] ? w : x + spacing + w;
  }
  return starts_row;
}

float BottomBarHeight(const Catalog& tr) {
  const auto starts_row = BarLayout(tr);
  const auto rows = static_cast<float>(std::count(starts_row.begin(), starts_row.end(), true));
  const ImGuiStyle& style = ImGui::GetStyle();
  return rows * ImGui::GetFrameHeight() + (rows - 1) * style.ItemSpacing.y + style.WindowPadding.y;
}

}  // namespace

void AlignRight(const char* text) {
  const float width = ImGui::CalcTextSize(text).x;
  const float right = ImGui::GetWindowContentRegionMax().x;
  const float used = ImGui::GetItemRectMax().x - ImGui::GetWindowPos().x;
  if (used + ImGui::GetStyle().ItemSpacing.x + width <= right) {
    ImGui::SameLine(right - width);
  } else {
    ImGui::SetCursorPosX(right - width);
  }
}

void BeginBody(const ScreenContext& ctx) {
  const float height = ImGui::GetWindowHeight() - ImGui::GetCursorPosY() - BottomBarHeight(ctx.tr) -
                       ImGui::GetStyle().ItemSpacing.y;
  ImGui::BeginChild("body", ImVec2(0, height), false, ImGuiWindowFlags_AlwaysUseWindowPadding);
}

void EndBody() { ImGui::EndChild(); }

std::optional<Intent> DrawBottomBar(const ScreenContext& ctx) {
  ImGui::SetCursorPosY(ImGui::GetWindowHeight() - BottomBarHeight(ctx.tr));
  const auto starts_row = BarLayout(ctx.tr);
  std::optional<Intent> intent;
  for (size_t i = 0; i < std::size(kBar); ++i) {
    if (!starts_row[i]) ImGui::SameLine();
    if (ImGui::Button(ctx.tr(kBar[i].key))) intent = kBar[i].intent;
  }
  return intent;
}

}  // namespace lontar::app
