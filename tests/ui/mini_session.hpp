// A terminal with an exam session open on it, made through the `lontar` command as an operator
// would, for UI tests of exams built from a source in a test's own directory DIR: the keys in
// DIR/keys (authority.key, authority.pub, results.pub), the source in DIR/src, the terminal at
// DIR/t, with the mini exam's release and proctor codes (tests/fixtures/mini-*-code.txt).
// Each step fails the current test, and the test goes on, when `lontar` refuses it.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/pack_build.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::testing {

inline void ExpectDone(const CommandResult& r) { EXPECT_EQ(r.exit_code, 0) << r.out << r.err; }

// The terminal at DIR/t for `site`, trusting DIR/keys/authority.pub, and its enrollment record
// at DIR/t.enroll.
inline void EnrolMiniTerminal(const std::filesystem::path& dir, const std::string& site) {
  ExpectDone(RunLontar({"terminal", "init", "--home", (dir / "t").string(), "--site", site,
                        "--trust", (dir / "keys/authority.pub").string()}));
  ExpectDone(RunLontar({"terminal", "enrollment", "--home", (dir / "t").string(), "--out",
                        (dir / "t.enroll").string(), "--force"}));
}

// What builds DIR/src into DIR/PACK for that terminal.
inline PackBuildArgs MiniSourceBuild(const std::filesystem::path& dir, const std::string& pack) {
  return MiniCodesPackBuild(dir / "keys", dir / pack, {dir / "t.enroll"}, dir / "src");
}

// DIR/PACK loaded on the terminal and released, and its session opened: the session's token,
// "" when a step failed.
inline std::string LoadAndOpenMiniSession(const std::filesystem::path& dir,
                                          const std::string& pack) {
  const std::filesystem::path fixtures = kMini.parent_path();
  ExpectDone(
      RunLontar({"terminal", "load", "--home", (dir / "t").string(), (dir / pack).string()}));
  ExpectDone(RunLontar({"session", "release", "--home", (dir / "t").string(), "--code-file",
                        (fixtures / "mini-release-code.txt").string()}));
  auto open = RunLontar({"session", "open", "--home", (dir / "t").string(), "--proctor-code-file",
                         (fixtures / "mini-proctor-code.txt").string(), "--json"});
  ExpectDone(open);
  return open.exit_code == 0 ? nlohmann::json::parse(open.out)["token"].get<std::string>() : "";
}

// All three: DIR/src built into DIR/PACK for a new terminal, loaded, released and its session
// opened. Returns the session's token.
inline std::string MiniSession(const std::filesystem::path& dir, const std::string& site,
                               const std::string& pack = "mini.lpk") {
  EnrolMiniTerminal(dir, site);
  ExpectDone(RunLontar(PackBuildCommand(MiniSourceBuild(dir, pack))));
  return LoadAndOpenMiniSession(dir, pack);
}

}  // namespace lontar::testing
