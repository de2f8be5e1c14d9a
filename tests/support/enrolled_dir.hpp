// The collection server's --enrolled folder, written for tests that run a store over terminals
// made in-process.
#pragma once

#include <filesystem>
#include <vector>

#include "core/terminal/terminal.hpp"

namespace lontar::testing {

// Creates `dir` and writes each terminal's enrollment (enrolled at 0 ms) into it as
// <terminal id>.enroll, the way `lontar terminal enroll` leaves them for `lontar serve`. Touches
// disk.
void WriteEnrolledDir(const std::filesystem::path& dir,
                      const std::vector<terminal::Terminal>& terminals);

}  // namespace lontar::testing
