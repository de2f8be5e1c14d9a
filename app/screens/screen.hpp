// What every screen gets to draw with, and what it may ask for. Screens draw from read-only
// views and return an intent; the kiosk (and, for exam state, the engine) decides.
#pragma once

#include <ctime>
#include <optional>

#include "app/i18n.hpp"
#include "app/theme.hpp"

namespace lontar::app {

struct ScreenContext {
  const Catalog& tr;
  const Fonts& fonts;
  const Look& look;
  std::time_t now;
};

enum class Intent {
  kToggleLanguage,
  kFontSmaller,
  kFontLarger,
  kToggleContrast,
  kRecheck,
};

// "Senin, 23 November 2026" and "13:05:09" in the catalog's language, local time.
std::string FormatDate(const Catalog& tr, std::time_t t);
std::string FormatTime(std::time_t t);

// Places the next item, `text` wide, against the right edge: on the current line when it fits
// after what is there, else on a line of its own.
void AlignRight(const char* text);

// A scrolling region that fills the window down to the bottom bar, so that long content never
// runs under the buttons. Pair with EndBody().
void BeginBody(const ScreenContext& ctx);
void EndBody();

// The bar at the bottom of every screen: language, text size, contrast, check again, wrapping
// onto more rows when the text is large. Returns the button pressed.
std::optional<Intent> DrawBottomBar(const ScreenContext& ctx);

}  // namespace lontar::app
