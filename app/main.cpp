// `lontar-kiosk --home DIR`: the candidates' and proctors' full-screen terminal.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include "app/kiosk.hpp"

int main(int argc, char** argv) {
  lontar::app::KioskOptions options;
  options.home = "/var/lib/lontar";
  std::string windowed;
  std::string screenshot;
  std::string assets;
  std::string open_session_with, script, report, handoff_dir;
  CLI::App cli{"lontar-kiosk: the Lontar exam terminal's full-screen kiosk"};
  cli.add_option("--home", options.home, "terminal home directory")->capture_default_str();
  cli.add_option("--lang", options.lang, "id (Bahasa Indonesia) or en")
      ->check(CLI::IsMember({"id", "en"}))
      ->capture_default_str();
  cli.add_option("--font-scale", options.look.font_scale, "text size, 1.0 to 2.0")
      ->check(CLI::Range(1.0, 2.0));
  cli.add_flag("--high-contrast", options.look.high_contrast, "white on black");
  cli.add_option("--windowed", windowed,
                 "development only: a normal WxH window instead of the locked full screen");
  cli.add_option("--screenshot", screenshot, "render once, write this PNG and exit");
  cli.add_option("--assets", assets, "assets directory (translations)");
  cli.add_option("--open-session-with", open_session_with,
                 "open the session at startup with the proctor code in this file and show the "
                 "session token on the login screen (demo, tests)");
  cli.add_option("--handoff-dir", handoff_dir,
                 "where the proctor panel writes hand-off records (default HOME/handoff)");
  cli.add_option("--technician-code", options.technician_code,
                 "hash file of the technician code (lontar technician code); without it "
                 "technician mode is not available")
      ->capture_default_str();
  cli.add_option("--usb", options.usb_dir,
                 "directory shared with the root service that turns USB storage on")
      ->capture_default_str();
  std::string usb_stick;
  cli.add_option("--usb-stick", usb_stick,
                 "tests and development: this directory counts as an already mounted USB stick "
                 "(no root service)");
  cli.add_option("--clock-dir", options.clock_dir,
                 "directory shared with the root service that sets the clock")
      ->capture_default_str();
  cli.add_option("--localtime", options.localtime, "the system's time zone file")
      ->capture_default_str();
  std::string clock_test_record;
  cli.add_option("--clock-test-record", clock_test_record,
                 "TEST HOOK, tests and development: never set the clock; append each request of "
                 "the clock page to this file instead");
  cli.add_option("--script", script, "test mode: feed the input in this script (app/script.hpp)");
  cli.add_option("--report", report, "test mode: write what is on screen to this JSON file");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }
  if (!windowed.empty()) {
    int w = 0, h = 0;
    if (std::sscanf(windowed.c_str(), "%dx%d", &w, &h) != 2 || w < 320 || h < 240) {
      std::fprintf(stderr, "lontar-kiosk: --windowed wants WIDTHxHEIGHT, e.g. 1280x800\n");
      return 2;
    }
    options.window.windowed = std::make_pair(w, h);
  }
  if (!screenshot.empty()) options.screenshot = screenshot;
  if (!open_session_with.empty()) options.open_session_with = open_session_with;
  if (!script.empty()) options.script = script;
  if (!handoff_dir.empty()) options.handoff_dir = handoff_dir;
  if (!report.empty()) options.report = report;
  if (!usb_stick.empty()) options.usb_stick = usb_stick;
  if (!clock_test_record.empty()) options.clock_test_record = clock_test_record;
  options.assets =
      assets.empty() ? lontar::app::FindAssets(argv[0]) : std::filesystem::path(assets);
  return lontar::app::RunKiosk(options);
}
