// Shown while technician mode closes: USB storage is being turned off (the kiosk waits for the
// root service to say "closed", or gives up after a while), then the kiosk comes back.
#pragma once

#include "app/screens/screen.hpp"
#include "app/technician/view.hpp"

namespace lontar::app {

void DrawTechnicianLeaving(const ScreenContext& ctx, const TechnicianView& view);

}  // namespace lontar::app
