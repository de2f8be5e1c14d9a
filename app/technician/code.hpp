// The technician code prompt (Ctrl+Alt+T): a masked field; a wrong code is refused (and
// journaled), five in a row lock the prompt for some minutes; without a technician code file on
// the terminal it says that technician mode is not available here.
#pragma once

#include <optional>

#include "app/screens/screen.hpp"
#include "app/technician/view.hpp"

namespace lontar::app {

std::optional<TechnicianAction> DrawTechnicianCode(const ScreenContext& ctx,
                                                   const TechnicianView& view,
                                                   TechnicianForm& form);

}  // namespace lontar::app
