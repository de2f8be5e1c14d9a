// What every screen gets to draw with, and what it may ask for. Screens draw from read-only
// views and return an action: an intent for the kiosk (a screen to show, a setting to change) or
// a command for the exam engine, which decides. Screens keep no state of their own.
#pragma once

#include <SDL.h>

#include <ctime>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "app/i18n.hpp"
#include "app/theme.hpp"
#include "core/exam/sitting.hpp"
#include "core/model/exam.hpp"

namespace lontar::app {

// Screen rectangles of named controls, recorded in test mode so that a script can click them.
struct Rect {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};
using Targets = std::map<std::string, Rect>;

// The keyboard focus ring: Tab and Shift+Tab move it over the screen's controls in the order
// they are drawn (top to bottom, left to right, the bottom bar last), Space presses the control
// under it. The kiosk keeps it (screens keep no state) and clears it when the screen or item
// changes; until Tab is pressed no ring is drawn, so a screen looks as it did without one.
struct Focus {
  int at = -1;            // the ringed control's place in drawing order; -1: none
  int count = 0;          // controls drawn so far this frame
  bool activate = false;  // Space this frame: the ringed control is pressed
};

struct ScreenContext {
  const Catalog& tr;
  const Fonts& fonts;
  const Look& look;
  std::time_t now;
  // Keys pressed since the last frame (SDL keycodes), for shortcuts; empty while a text field
  // has the keyboard.
  const std::vector<SDL_Keycode>& keys;
  Targets* targets = nullptr;  // test mode only
  // The first frame of this screen (or item): the body starts scrolled to its top, not where the
  // last screen, or a field focused on the login screen, left it.
  bool first_frame = false;
  Focus* focus = nullptr;  // null: no keyboard focus (the technician's screens)
  std::string zone;        // the terminal's time zone, e.g. "WIB (UTC+7)"; "UTC" when unset
};

enum class Intent {
  kToggleLanguage,
  kFontSmaller,
  kFontLarger,
  kToggleContrast,
  kRecheck,
  kLogin,         // with what the login form holds
  kBeginItems,    // instructions read: show the items
  kPreviousItem,  // the kiosk turns these into Goto commands in the candidate's item order
  kNextItem,
  kToggleFlag,
  kShowReview,  // submit (last section) or next-section confirmation
  kBackToItems,
  kConfirmSubmit,
  kConfirmNextSection,
  kReadAloud,  // read the current item aloud, or stop (read-aloud on)
  kVolumeUp,
  kVolumeDown,
};
using Action = std::variant<Intent, exam::Command>;

// A button of the bottom bar.
struct BarButton {
  std::string label;
  Intent intent;
  const char* target = nullptr;  // name for scripted clicks
  bool on = false;               // drawn highlighted (the flag when set)
  bool compact = false;          // a setting: drawn at 100% text whatever the text size
};

// The text in the catalog's language, falling back to Bahasa Indonesia when a pack has no
// English.
const std::string& Pick(const Catalog& tr, const model::Text& text);

// "Senin, 23 November 2026" and "13:05:09" in the catalog's language, local time.
std::string FormatDate(const Catalog& tr, std::time_t t);
std::string FormatTime(std::time_t t);
// "1:05:09" or "05:09" for a duration in nanoseconds, rounded up to the second.
std::string FormatDuration(std::int64_t ns);

// Places the next item, `text` wide, against the right edge: on the current line when it fits
// after what is there, else on a line of its own.
void AlignRight(const char* text);

// The header of the terminal's own screens (waiting, health, error): `status` in large type and
// `colour` with the clock on the right, then "Lontar", what this is, and the date, quietly.
void DrawTerminalHeader(const ScreenContext& ctx, const char* status, const ImVec4& colour);

// Records the last item's rectangle as `name` (test mode).
void Mark(const ScreenContext& ctx, const std::string& name);
// Records the last item as text that differs from run to run (the clock, a session token, a
// key id) as "volatile.<name>", so that comparisons with golden images leave it out.
void MarkVolatile(const ScreenContext& ctx, const std::string& name);

// Counts the control just drawn (ImGui's last item) in the focus ring's order. When the ring is
// on it: draws the ring around it, thick enough to see at every text size, in the theme's focus
// colour, scrolls it into view, and returns true when Space pressed it this frame.
bool Focusable(const ScreenContext& ctx);

// Gives the next control the keyboard when `pending` (a form's "focus on the next frame"), and
// clears it, so that the keyboard is given once and the person can then move it elsewhere.
void TakeKeyboardFocus(bool& pending);

// True when `key` was pressed this frame.
bool Pressed(const ScreenContext& ctx, SDL_Keycode key);

// The language, text size and contrast buttons, and "check again" when `recheck`.
std::vector<BarButton> SettingsBar(const Catalog& tr, bool recheck);

// A scrolling region that fills the window down to the bottom bar, so that long content never
// runs under the buttons. Pair with EndBody().
// `flags` are added to the region's (e.g. ImGuiWindowFlags_AlwaysVerticalScrollbar).
void BeginBody(const ScreenContext& ctx, std::span<const BarButton> bar,
               const std::string& id = "body", int flags = 0);
void EndBody();

// The bar at the bottom of the screen, wrapping onto more rows when the text is large. Returns
// the button pressed.
std::optional<Intent> DrawBottomBar(const ScreenContext& ctx, std::span<const BarButton> bar);

// A large button as wide as `width` (0: as the text), with the label wrapped to fit; returns
// true when pressed. `selected` draws it in the selected colour; `min_height` evens out a row.
bool BigButton(const ScreenContext& ctx, const std::string& id, const std::string& label,
               float width, bool selected = false, float min_height = 0);

}  // namespace lontar::app
