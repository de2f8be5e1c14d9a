// The item packs (*.lpk) on the USB stick, each with a button that loads it the way
// `lontar terminal load` does; the result or the refusal shows above the list.
#pragma once

#include <optional>

#include "app/screens/screen.hpp"
#include "app/technician/view.hpp"

namespace lontar::app {

std::optional<TechnicianAction> DrawTechnicianPacks(const ScreenContext& ctx,
                                                    const TechnicianView& view);

}  // namespace lontar::app
