// The terminal's date, time and time zone (WIB, WITA, WIT), typed on screen and set through the
// root service (core/terminal/clock_set.hpp); a PC whose CMOS battery died boots years off, and
// its packs are refused until the clock is right. Keyboard: the date field has the keyboard, Tab
// moves to the time and the zone, Enter in any field sets the clock.
#pragma once

#include <optional>

#include "app/screens/screen.hpp"
#include "app/technician/view.hpp"

namespace lontar::app {

std::optional<TechnicianAction> DrawTechnicianClock(const ScreenContext& ctx,
                                                    const TechnicianView& view,
                                                    TechnicianForm& form);

}  // namespace lontar::app
