// Initialising a terminal that is not yet one (the error screen's "not initialised"): the site
// code and name typed on screen, the exam authority's public key chosen from the USB stick; the
// same as `lontar terminal init`.
#pragma once

#include <optional>

#include "app/screens/screen.hpp"
#include "app/technician/view.hpp"

namespace lontar::app {

std::optional<TechnicianAction> DrawTechnicianInit(const ScreenContext& ctx,
                                                   const TechnicianView& view,
                                                   TechnicianForm& form);

}  // namespace lontar::app
