// The kiosk's event loop: waits for input (or the next clock tick), draws the current screen,
// acts on the screen's intent. Event-driven: an idle kiosk wakes once a second.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "app/theme.hpp"
#include "app/window.hpp"

namespace lontar::app {

struct KioskOptions {
  std::filesystem::path home;
  std::filesystem::path assets;
  std::string lang = "id";
  WindowOptions window;
  Look look;
  // Render until the screen is settled, write it to this PNG, and exit (tests, docs).
  std::optional<std::filesystem::path> screenshot;
};

// Runs until the window is closed (development windows only; a locked kiosk runs until its
// process is stopped). Returns the process exit code; prints startup failures to stderr.
int RunKiosk(const KioskOptions& options);

// Where assets/ is: the --assets option, else next to the build tree or the installed share dir.
std::filesystem::path FindAssets(const char* argv0);

}  // namespace lontar::app
