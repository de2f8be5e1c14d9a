// How UI tests build a demo exam (assets/demo/EXAM) for the terminal they enrolled.
#pragma once

#include <filesystem>
#include <string>

#include "tests/support/pack_build.hpp"
#include "tests/ui/ui_paths.hpp"

namespace lontar::testing {

// assets/demo/EXAM with the demo's release and proctor codes, signed with `authority_key`, its
// results sealed to `results_pub`, into `out` for the terminal whose enrollment record is
// `enrollment`.
inline PackBuildArgs DemoPackBuild(const std::string& exam,
                                   const std::filesystem::path& authority_key,
                                   const std::filesystem::path& results_pub,
                                   const std::filesystem::path& out,
                                   const std::filesystem::path& enrollment) {
  return {.source = kDemo / exam,
          .authority_key = authority_key,
          .results_pub = results_pub,
          .release_code_file = kDemo / "release-code.txt",
          .proctor_code_file = kDemo / "proctor-code.txt",
          .out = out,
          .enrollments = {enrollment}};
}

}  // namespace lontar::testing
