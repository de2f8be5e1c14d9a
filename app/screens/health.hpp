// Start and health screen: who this terminal is, whether its vault and journal are sound, and
// the time. What a technician checks after provisioning and a proctor sees before a session.
#pragma once

#include <optional>

#include "app/screens/screen.hpp"
#include "core/health/health.hpp"

namespace lontar::app {

// The table of the terminal's identity, vault, journal and pack (also on the waiting screen).
void DrawHealthTable(const ScreenContext& ctx, const health::TerminalStatus& status);

std::optional<Intent> DrawHealth(const ScreenContext& ctx, const health::TerminalStatus& status);

}  // namespace lontar::app
