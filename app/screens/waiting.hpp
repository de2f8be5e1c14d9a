// No released pack yet: the terminal is ready, the exam is not. Says so, says what the proctor
// does (load and release the session's pack), and shows the terminal's health underneath. With
// several sessions' packs valid now, says which session is next (`next_title` and its time window
// `next_window`, the proctor's choice in the panel; "" when not chosen yet), or that the proctor
// chooses it; with one, nothing more.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "app/screens/screen.hpp"
#include "core/health/health.hpp"

namespace lontar::app {

std::optional<Intent> DrawWaiting(const ScreenContext& ctx, const health::TerminalStatus& status,
                                  std::size_t sessions_valid, const std::string& next_title,
                                  const std::string& next_window);

}  // namespace lontar::app
