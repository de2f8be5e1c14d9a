// Helpers shared by Lontar's tests: scratch directories and running the real binaries.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/mini_exam.hpp"

namespace lontar::testing {

// tests/fixtures in the source tree.
inline const std::string kFixtures = std::string(LONTAR_SOURCE_DIR) + "/tests/fixtures";

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;  // exit status, or 128 + signal number if killed
  std::string out;
  std::string err;
};

// Runs build/bin/<program> (or <program> itself when it is a path) with `args` (no shell), optional
// extra environment "NAME=VALUE" entries, and collects its output. Standard input is /dev/null, or
// the file `stdin_file` when given.
CommandResult RunProgram(const std::string& program, const std::vector<std::string>& args,
                         const std::vector<std::string>& extra_env = {},
                         const std::filesystem::path& stdin_file = {});
inline CommandResult RunLontar(const std::vector<std::string>& args,
                               const std::vector<std::string>& extra_env = {}) {
  return RunProgram("lontar", args, extra_env);
}

// Through the real `lontar` binary: authority and results keys in dir/keys, a terminal at each of
// dir/<home> (site SITE-01, enrolled as dir/<home>.enroll), and `source` (by default the mini test
// exam) built with the mini exam's codes into dir/exam.lpk for all of them. Fails the current test
// on any error.
void MakeMiniPackWithCli(const std::filesystem::path& dir, const std::vector<std::string>& homes,
                         const std::filesystem::path& source = kMini);

// MakeMiniPackWithCli, then the pack loaded and released, and the session opened, on each
// terminal. Returns the session token; fails the current test on any error.
std::string MakeMiniSessionWithCli(const std::filesystem::path& dir,
                                   const std::vector<std::string>& homes);

// Writes dir/plain-roster.csv: the SKD demo roster's header and first two participants (no
// position or group) and returns its path.
std::filesystem::path WritePlainRoster(const std::filesystem::path& dir);

std::string ReadText(const std::filesystem::path& path);
void WriteText(const std::filesystem::path& path, const std::string& text);

}  // namespace lontar::testing
