// The `lontar pack build` command line tests and benchmarks use to make a pack for one or more
// enrolled terminals, valid from 2020 to 2099, with release and proctor codes from files.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/mini_exam.hpp"

namespace lontar::testing {

struct PackBuildArgs {
  std::filesystem::path source, authority_key, results_pub, release_code_file, proctor_code_file,
      out;
  std::vector<std::filesystem::path> enrollments;  // --for, one per target terminal
};

inline std::vector<std::string> PackBuildCommand(const PackBuildArgs& a) {
  std::vector<std::string> args = {"pack",
                                   "build",
                                   a.source.string(),
                                   "--key",
                                   a.authority_key.string(),
                                   "--version",
                                   "1",
                                   "--valid-from",
                                   "2020-01-01T00:00:00Z",
                                   "--valid-until",
                                   "2099-01-01T00:00:00Z",
                                   "--release-code-file",
                                   a.release_code_file.string(),
                                   "--proctor-code-file",
                                   a.proctor_code_file.string(),
                                   "--results-pub",
                                   a.results_pub.string(),
                                   "--out",
                                   a.out.string()};
  for (const auto& e : a.enrollments) args.insert(args.end(), {"--for", e.string()});
  return args;
}

// `source` (by default the mini test exam) with the mini exam's release and proctor codes
// (tests/fixtures/mini-*-code.txt), signed and sealed with the keys `lontar keys new authority`
// and `lontar keys new results` wrote to `keys`, into `out` for `enrollments`.
inline PackBuildArgs MiniCodesPackBuild(const std::filesystem::path& keys,
                                        std::filesystem::path out,
                                        std::vector<std::filesystem::path> enrollments,
                                        std::filesystem::path source = kMini) {
  const std::filesystem::path fixtures = kMini.parent_path();
  return {.source = std::move(source),
          .authority_key = keys / "authority.key",
          .results_pub = keys / "results.pub",
          .release_code_file = fixtures / "mini-release-code.txt",
          .proctor_code_file = fixtures / "mini-proctor-code.txt",
          .out = std::move(out),
          .enrollments = std::move(enrollments)};
}

}  // namespace lontar::testing
