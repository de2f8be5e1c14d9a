#include "tests/support/cli_collection.hpp"

#include <gtest/gtest.h>

namespace lontar::testing {

std::string MakeMiniCollectionWithCli(const std::filesystem::path& dir,
                                      const std::vector<std::string>& homes) {
  const std::string token = MakeMiniSessionWithCli(dir, homes);
  const CommandResult keys = RunLontar({"keys", "new", "server", "--out", (dir / "keys").string()});
  EXPECT_EQ(keys.exit_code, 0) << keys.err;
  std::filesystem::create_directories(dir / "enrolled");
  for (const std::string& home : homes) {
    std::filesystem::copy_file(dir / (home + ".enroll"), dir / "enrolled" / (home + ".enroll"));
  }
  return token;
}

std::string MakeOneMiniSittingWithCli(const std::filesystem::path& dir) {
  const std::string token = MakeMiniCollectionWithCli(dir, {"t0"});
  const CommandResult sat = SitWithCli(dir, "t0", "TEST-0001", "111111", token,
                                       "{\"cmd\":\"answer\",\"item\":\"tiu-01\",\"option\":\"B\"}\n"
                                       "{\"cmd\":\"submit\"}\n");
  EXPECT_EQ(sat.exit_code, 0) << sat.err;
  return token;
}

CommandResult SitWithCli(const std::filesystem::path& dir, const std::string& home,
                         const std::string& participant, const std::string& pin,
                         const std::string& token, const std::string& script,
                         const std::vector<std::string>& more_args) {
  const std::filesystem::path pin_file = dir / (participant + ".pin");
  const std::filesystem::path script_file = dir / (participant + ".jsonl");
  WriteText(pin_file, pin + "\n");
  WriteText(script_file, script);
  std::vector<std::string> args = {
      "exam",          "run",       "--home",     (dir / home).string(),
      "--participant", participant, "--pin-file", pin_file.string(),
      "--token",       token,       "--script",   script_file.string()};
  args.insert(args.end(), more_args.begin(), more_args.end());
  return RunLontar(args);
}

}  // namespace lontar::testing
