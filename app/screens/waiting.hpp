// No released pack yet: the terminal is ready, the exam is not. Says so, says what the proctor
// does (load and release the session's pack), and shows the terminal's health underneath.
#pragma once

#include <optional>

#include "app/screens/screen.hpp"
#include "core/health/health.hpp"

namespace lontar::app {

std::optional<Intent> DrawWaiting(const ScreenContext& ctx, const health::TerminalStatus& status);

}  // namespace lontar::app
