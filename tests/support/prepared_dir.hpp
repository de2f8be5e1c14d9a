// A directory a fixture makes once per build and copies for each test. Every test runs in its
// own process under ctest, so a fixture whose set-up runs the `lontar` binary many times (keys,
// terminals, enrollments: 8 processes, 4 s of CPU under AddressSanitizer) paid for it in every
// test; made once, each test copies it in milliseconds.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

namespace lontar::testing {

// Copies the prepared directory `name`'s contents into `into` (made if missing), making it first
// with `make` if this build has not: `make` fills the empty directory it is given and reports
// failures through GoogleTest's assertions. Parallel test processes make it once (an flock);
// the copy is keyed by the `lontar` binary's size and time, so a rebuilt binary makes it again.
// Returns false (and the test has failed) when it could not be made or copied.
[[nodiscard]] bool CopyPrepared(const std::string& name,
                                const std::function<void(const std::filesystem::path&)>& make,
                                const std::filesystem::path& into);

}  // namespace lontar::testing
