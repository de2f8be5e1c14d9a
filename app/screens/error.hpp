// Shown when the terminal cannot be opened: what happened, in words for the proctor, what the
// technician should do, and the exact message for the technician's log.
#pragma once

#include <optional>

#include "app/screens/screen.hpp"
#include "core/util/error.hpp"

namespace lontar::app {

std::optional<Intent> DrawError(const ScreenContext& ctx, const Error& error);

}  // namespace lontar::app
