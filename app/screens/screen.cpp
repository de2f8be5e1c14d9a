#include "app/screens/screen.hpp"

#include <imgui.h>

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

float BottomBarHeight() {
  return ImGui::GetFrameHeightWithSpacing() + ImGui::GetStyle().WindowPadding.y;
}

}  // namespace

void BeginBody() {
  const float height = ImGui::GetWindowHeight() - ImGui::GetCursorPosY() - BottomBarHeight() -
                       ImGui::GetStyle().ItemSpacing.y;
  ImGui::BeginChild("body", ImVec2(0, height), false, ImGuiWindowFlags_AlwaysUseWindowPadding);
}

void EndBody() { ImGui::EndChild(); }

std::optional<Intent> DrawBottomBar(const ScreenContext& ctx) {
  ImGui::SetCursorPosY(ImGui::GetWindowHeight() - BottomBarHeight());
  std::optional<Intent> intent;
  if (ImGui::Button(ctx.tr("a11y.language"))) intent = Intent::kToggleLanguage;
  ImGui::SameLine();
  if (ImGui::Button(ctx.tr("a11y.smaller"))) intent = Intent::kFontSmaller;
  ImGui::SameLine();
  if (ImGui::Button(ctx.tr("a11y.larger"))) intent = Intent::kFontLarger;
  ImGui::SameLine();
  if (ImGui::Button(ctx.tr("a11y.contrast"))) intent = Intent::kToggleContrast;
  ImGui::SameLine();
  if (ImGui::Button(ctx.tr("health.recheck"))) intent = Intent::kRecheck;
  return intent;
}

}  // namespace lontar::app
