// The kiosk's event loop: waits for input (or the next clock tick), draws the current screen,
// acts on the screen's action: kiosk intents itself, exam commands through the engine.
// Event-driven: an idle kiosk wakes once a second.
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
  // Open the session at startup with the proctor code in this file, and show the session token
  // on the login screen (the demo, tests; in a room the proctor panel will do this).
  std::optional<std::filesystem::path> open_session_with;
  // Where the proctor panel writes hand-off records (a USB stick's mount point); default
  // HOME/handoff.
  std::optional<std::filesystem::path> handoff_dir;
  // Technician mode (Ctrl+Alt+T): the technician code's hash file (no file: technician mode is
  // not available), the USB gate's directory (core/terminal/usb_gate_client.hpp), and for tests
  // and development a directory that counts as an already mounted stick instead of the gate.
  std::filesystem::path technician_code = "/etc/lontar/technician.code";
  std::filesystem::path usb_dir = "/run/lontar/usb";
  std::optional<std::filesystem::path> usb_stick;
  // Technician mode's clock page (core/terminal/clock_set.hpp): the root service's directory,
  // the system's zone file, and the TEST HOOK: with a record file the clock is never set, each
  // request is only appended there (tests and development machines must not change the host's
  // clock).
  std::filesystem::path clock_dir = "/run/lontar/clock";
  std::filesystem::path localtime = "/etc/localtime";
  std::optional<std::filesystem::path> clock_test_record;
  // Test mode: feed this script's input (app/script.hpp), and write what is on screen after
  // every frame to this JSON file (screen, sitting, clock, layout problems).
  std::optional<std::filesystem::path> script;
  std::optional<std::filesystem::path> report;
};

// Runs until the window is closed (development windows only; a locked kiosk runs until its
// process is stopped). Returns the process exit code; prints startup failures to stderr.
int RunKiosk(const KioskOptions& options);

// Where assets/ is: the --assets option, else next to the build tree or the installed share dir.
std::filesystem::path FindAssets(const char* argv0);

}  // namespace lontar::app
