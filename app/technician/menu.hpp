// Technician mode's main screen: the terminal's health in more detail than the health screen
// (vault, keys, packs, journal, outbox, free disk, USB stick, server address) and the actions:
// load packs, export bundles, write the enrollment record, set the server, initialise (only on a
// terminal that is not yet), and return to the kiosk.
#pragma once

#include <optional>

#include "app/screens/screen.hpp"
#include "app/technician/view.hpp"

namespace lontar::app {

std::optional<TechnicianAction> DrawTechnicianMenu(const ScreenContext& ctx,
                                                   const TechnicianView& view);

}  // namespace lontar::app
