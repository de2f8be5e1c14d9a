// Pieces every technician screen shares: the header, the last action's result, buttons that are
// scripted-click targets, and the bottom bar (back to the menu, or return to the kiosk).
#pragma once

#include <optional>
#include <span>
#include <string>

#include "app/screens/screen.hpp"
#include "app/technician/view.hpp"

namespace lontar::app {

// The terminal header with `title`, then "Technician mode" and the USB state in one line.
void DrawTechnicianHeader(const ScreenContext& ctx, const TechnicianView& view, const char* title);

// The last action's result (green) or refusal (red), when there is one.
void DrawTechnicianMessage(const ScreenContext& ctx, const TechnicianView& view);

// A text field under its label, also the scripted-click target `target`; returns what
// ImGui::InputText returns (with ImGuiInputTextFlags_EnterReturnsTrue in `flags`: Enter pressed).
bool TechnicianField(const ScreenContext& ctx, const char* label, const char* id,
                     std::span<char> text, const char* target, ImGuiInputTextFlags flags = 0);

// A button that is also the scripted-click target `target`.
bool TechnicianButton(const ScreenContext& ctx, const std::string& label, const char* target);

// The USB state in words ("Stick KINGSTON (sdb1) ready", "Insert a USB stick", ...).
std::string UsbStateText(const Catalog& tr, const terminal::UsbState& usb);

// How a technician screen opens (OpenTechnicianScreen).
struct TechnicianScreen {
  const char* title;
  bool back = true;        // the bar's button: back to the menu, else return to the kiosk
  bool scrollbar = false;  // see BeginTechnicianBody
  bool subtitle = true;    // "Technician mode" and the USB state under the title; not on the
                           // code prompt, which comes before technician mode is entered
};

// Opens a technician screen: the header (DrawTechnicianHeader, or the terminal header alone
// without `subtitle`), the body above the bottom bar (BeginTechnicianBody) and the last action's
// message (DrawTechnicianMessage). Pair with CloseTechnicianScreen (or EndTechnicianBody).
void OpenTechnicianScreen(const ScreenContext& ctx, const TechnicianView& view,
                          const TechnicianScreen& screen);

// Begins the body above a bottom bar holding one button: `back` to the menu when true, else
// "Return to the kiosk". Pair with EndTechnicianBody, which draws the bar and returns its action.
// `scrollbar`: always show the vertical scrollbar (content whose length changes with each action,
// so that it never appears for a frame cut off before Dear ImGui adds the bar).
void BeginTechnicianBody(const ScreenContext& ctx, bool back, bool scrollbar = false);
std::optional<TechnicianAction> EndTechnicianBody(const ScreenContext& ctx, bool back);

// Closes a screen OpenTechnicianScreen opened with `back`: EndTechnicianBody. Returns the bar's
// action when its button was pressed this frame, else `action` (what the body asked for).
std::optional<TechnicianAction> CloseTechnicianScreen(const ScreenContext& ctx, bool back,
                                                      std::optional<TechnicianAction> action);

}  // namespace lontar::app
