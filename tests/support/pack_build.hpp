// The `lontar pack build` command line tests and benchmarks use to make a pack for one or more
// enrolled terminals, valid from 2020 to 2099, with release and proctor codes from files.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

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

}  // namespace lontar::testing
