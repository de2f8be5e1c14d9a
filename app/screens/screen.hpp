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

// The row of language / text size / contrast buttons every screen offers. Returns a click.
std::optional<Intent> DrawAccessibilityBar(const ScreenContext& ctx);

}  // namespace lontar::app
