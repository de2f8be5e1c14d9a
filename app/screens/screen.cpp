#include "app/screens/screen.hpp"

#include <imgui.h>
#include <imgui_internal.h>  // SetNextWindowScroll

#include <algorithm>
#include <cmath>
#include <string>

#include "app/panel.hpp"

namespace lontar::app {

const std::string& Pick(const Catalog& tr, const model::Text& text) {
  return tr.lang() == "en" && !text.en.empty() ? text.en : text.id;
}

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

std::string FormatDuration(std::int64_t ns) {
  const std::int64_t s = (std::max<std::int64_t>(ns, 0) + 999'999'999) / 1'000'000'000;
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%d:%02d:%02d", static_cast<int>(s / 3600),
                  static_cast<int>(s / 60 % 60), static_cast<int>(s % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%02d:%02d", static_cast<int>(s / 60), static_cast<int>(s % 60));
  }
  return buf;
}

namespace {

float ContentWidth() {
  return ImGui::GetWindowContentRegionMax().x - ImGui::GetWindowContentRegionMin().x;
}

// Compact buttons are drawn in the settings font with padding to match; everything measured
// about a button is measured inside this scope.
class ButtonLook {
 public:
  ButtonLook(const BarButton& b, const Fonts& fonts) : pushed_(b.compact && fonts.font_scale > 1) {
    if (!pushed_) return;
    ImGui::PushFont(fonts.settings);
    const ImVec2 pad = ImGui::GetStyle().FramePadding;
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding,
                        ImVec2(pad.x / fonts.font_scale, pad.y / fonts.font_scale));
  }
  ~ButtonLook() {
    if (!pushed_) return;
    ImGui::PopStyleVar();
    ImGui::PopFont();
  }
  ButtonLook(const ButtonLook&) = delete;
  ButtonLook& operator=(const ButtonLook&) = delete;

 private:
  bool pushed_;
};

struct BarLayoutResult {
  std::vector<bool> starts_row;
  float height = 0;  // all rows, with the spacing between them and the window's bottom padding
};

// Where each bar button goes: at large text on a narrow screen the buttons wrap onto more rows
// instead of running off the edge.
BarLayoutResult BarLayout(const Fonts& fonts, std::span<const BarButton> bar) {
  BarLayoutResult r;
  r.starts_row.resize(bar.size());
  const ImGuiStyle& style = ImGui::GetStyle();
  const float width = ContentWidth(), spacing = style.ItemSpacing.x;
  float x = 0, row_height = 0;
  for (size_t i = 0; i < bar.size(); ++i) {
    float w = 0, h = 0;
    {
      ButtonLook look(bar[i], fonts);
      w = ImGui::CalcTextSize(bar[i].label.c_str()).x + 2 * ImGui::GetStyle().FramePadding.x;
      h = ImGui::GetFrameHeight();
    }
    r.starts_row[i] = i == 0 || x + spacing + w > width;
    if (r.starts_row[i] && i > 0) {
      r.height += row_height + style.ItemSpacing.y;
      row_height = 0;
    }
    x = r.starts_row[i] ? w : x + spacing + w;
    row_height = std::max(row_height, h);
  }
  r.height += row_height + style.WindowPadding.y;
  return r;
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

void DrawTerminalHeader(const ScreenContext& ctx, const char* status, const ImVec4& colour) {
  ImGui::PushFont(ctx.fonts.title);
  ImGui::TextColored(colour, "%s", status);
  const std::string time = FormatTime(ctx.now);
  AlignRight(time.c_str());
  ImGui::TextUnformatted(time.c_str());
  MarkVolatile(ctx, "time");
  ImGui::PopFont();
  ImGui::TextDisabled("Lontar · %s", ctx.tr("health.subtitle"));
  const std::string date = FormatDate(ctx.tr, ctx.now);
  AlignRight(date.c_str());
  ImGui::TextDisabled("%s", date.c_str());
  MarkVolatile(ctx, "date");
  ImGui::Separator();
  ImGui::Spacing();
}

void Mark(const ScreenContext& ctx, const std::string& name) {
  if (ctx.targets == nullptr || !ImGui::IsItemVisible()) return;  // scrolled away: not clickable
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  (*ctx.targets)[name] = Rect{a.x, a.y, b.x, b.y};
}

void MarkVolatile(const ScreenContext& ctx, const std::string& name) {
  Mark(ctx, "volatile." + name);
}

void TakeKeyboardFocus(bool& pending) {
  if (!pending) return;
  ImGui::SetKeyboardFocusHere();
  pending = false;
}

bool Pressed(const ScreenContext& ctx, SDL_Keycode key) {
  return std::find(ctx.keys.begin(), ctx.keys.end(), key) != ctx.keys.end();
}

std::vector<BarButton> SettingsBar(const Catalog& tr, bool recheck) {
  std::vector<BarButton> bar = {
      {tr("a11y.language"), Intent::kToggleLanguage, "a11y.language", false, true},
      {tr("a11y.smaller"), Intent::kFontSmaller, "a11y.smaller", false, true},
      {tr("a11y.larger"), Intent::kFontLarger, "a11y.larger", false, true},
      {tr("a11y.contrast"), Intent::kToggleContrast, "a11y.contrast", false, true},
  };
  if (recheck)
    bar.push_back({tr("health.recheck"), Intent::kRecheck, "health.recheck", false, true});
  return bar;
}

void BeginBody(const ScreenContext& ctx, std::span<const BarButton> bar, const std::string& id,
               int flags) {
  const float height = ImGui::GetWindowHeight() - ImGui::GetCursorPosY() -
                       BarLayout(ctx.fonts, bar).height - ImGui::GetStyle().ItemSpacing.y;
  if (ctx.first_frame) ImGui::SetNextWindowScroll(ImVec2(0, 0));
  BeginPanel(id.c_str(), ImVec2(0, height), ImGuiWindowFlags_AlwaysUseWindowPadding | flags);
}

void EndBody() { ImGui::EndChild(); }

bool Focusable(const ScreenContext& ctx) {
  if (ctx.focus == nullptr) return false;
  if (ctx.focus->count++ != ctx.focus->at) return false;
  // A ring a sixth of a line's height thick at most, never under 3 pixels: plain at 100% text,
  // still plain at 200%; drawn just outside the control so its own border stays visible.
  const float thick = std::max(3.0f, std::floor(ctx.fonts.body_px / 8));
  const ImVec2 a = ImGui::GetItemRectMin();
  const ImVec2 b = ImGui::GetItemRectMax();
  const float out = thick / 2 + 1;
  ImGui::GetWindowDrawList()->AddRect(ImVec2(a.x - out, a.y - out), ImVec2(b.x + out, b.y + out),
                                      ImGui::GetColorU32(Colours(ctx.look).focus),
                                      ImGui::GetStyle().FrameRounding + out, 0, thick);
  if (!ImGui::IsItemVisible()) ImGui::SetScrollHereY(0.5f);
  return ctx.focus->activate;
}

std::optional<Intent> DrawBottomBar(const ScreenContext& ctx, std::span<const BarButton> bar) {
  const BarLayoutResult layout = BarLayout(ctx.fonts, bar);
  ImGui::SetCursorPosY(ImGui::GetWindowHeight() - layout.height);
  const auto& starts_row = layout.starts_row;
  std::optional<Intent> intent;
  for (size_t i = 0; i < bar.size(); ++i) {
    if (!starts_row[i]) ImGui::SameLine();
    if (bar[i].on) ImGui::PushStyleColor(ImGuiCol_Button, Colours(ctx.look).flag);
    if (bar[i].on) ImGui::PushStyleColor(ImGuiCol_Text, Colours(ctx.look).on_flag_text);
    ImGui::PushID(static_cast<int>(i));
    {
      ButtonLook look(bar[i], ctx.fonts);
      const bool clicked = ImGui::Button(bar[i].label.c_str());
      if (Focusable(ctx) || clicked) intent = bar[i].intent;
    }
    ImGui::PopID();
    if (bar[i].on) ImGui::PopStyleColor(2);
    if (bar[i].target != nullptr) Mark(ctx, bar[i].target);
  }
  return intent;
}

bool BigButton(const ScreenContext& ctx, const std::string& id, const std::string& label,
               float width, bool selected, float min_height) {
  const ImGuiStyle& style = ImGui::GetStyle();
  const float avail = ImGui::GetContentRegionAvail().x;
  if (width <= 0)
    width = std::min(avail, ImGui::CalcTextSize(label.c_str()).x + 2 * style.FramePadding.x);
  width = std::min(width, avail);
  const float wrap = width - 2 * style.FramePadding.x;
  const ImVec2 text = ImGui::CalcTextSize(label.c_str(), nullptr, false, wrap);
  const ImVec2 size(
      width, std::max({text.y + 2 * style.FramePadding.y, ImGui::GetFrameHeight(), min_height}));
  const ImVec2 at = ImGui::GetCursorScreenPos();
  bool pressed = ImGui::InvisibleButton(id.c_str(), size);
  Mark(ctx, id);
  pressed = Focusable(ctx) || pressed;
  ImVec4 fill = ImGui::GetStyleColorVec4(ImGui::IsItemActive()    ? ImGuiCol_ButtonActive
                                         : ImGui::IsItemHovered() ? ImGuiCol_ButtonHovered
                                                                  : ImGuiCol_Button);
  if (selected) fill = Colours(ctx.look).selected;
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 end(at.x + size.x, at.y + size.y);
  FillBackdrop(at, end, fill, style.FrameRounding);  // answer buttons are wide: a renderer fill
  if (style.FrameBorderSize > 0 || selected) {
    draw->AddRect(at, end,
                  ImGui::GetColorU32(selected ? Colours(ctx.look).on_selected_text
                                              : ImGui::GetStyleColorVec4(ImGuiCol_Border)),
                  style.FrameRounding, 0, std::max(style.FrameBorderSize, 2.0f));
  }
  const ImU32 ink = selected ? ImGui::GetColorU32(Colours(ctx.look).on_selected_text)
                             : ImGui::GetColorU32(ImGuiCol_Text);
  draw->AddText(ImGui::GetFont(), ImGui::GetFontSize(),
                ImVec2(at.x + style.FramePadding.x, at.y + (size.y - text.y) / 2), ink,
                label.c_str(), nullptr, wrap);
  return pressed;
}

}  // namespace lontar::app
