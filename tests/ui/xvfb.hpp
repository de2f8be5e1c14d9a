// The command line that runs one program under its own Xvfb, for every UI test. Two tests (ctest
// -j2) may start xvfb-run at the same moment: with -a alone both look for the first free display
// from the same number, both see it free and one server dies on the other's lock. Each run here
// starts its search at a number of its own, spread by the process id and a counter within the
// process (so two runs from one test, or from two tests, never start at the same number), and
// keeps -a so a number already taken by anything else is skipped.
#pragma once

#include <unistd.h>

#include <atomic>
#include <string>
#include <vector>

namespace lontar::testing {

inline constexpr char kXvfbRun[] = "/usr/bin/xvfb-run";

// xvfb-run's arguments for `command` on a WxH 24-bit screen: the first display tried is
// 1000 + 16 * (pid mod 2000) + (run mod 16), below 33000; a run never touches the disk itself.
inline std::vector<std::string> XvfbArgs(int w, int h, std::vector<std::string> command) {
  static std::atomic<unsigned> runs{0};
  const unsigned slot = static_cast<unsigned>(::getpid()) % 2000u;
  const unsigned display = 1000u + 16u * slot + (runs.fetch_add(1) % 16u);
  std::vector<std::string> args = {
      "-a", "-n", std::to_string(display), "-s",
      "-screen 0 " + std::to_string(w) + "x" + std::to_string(h) + "x24"};
  args.insert(args.end(), command.begin(), command.end());
  return args;
}

}  // namespace lontar::testing
