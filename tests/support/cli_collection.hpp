// What the collection end-to-end tests set up through the real `lontar` binary: the mini session
// with a collection server's key and its --enrolled folder, and candidates' scripted sittings.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/test_support.hpp"

namespace lontar::testing {

// MakeMiniSessionWithCli on `homes`, then a collection server's key pair in dir/keys (`lontar
// keys new server`) and each terminal's enrollment copied into dir/enrolled. Returns the session
// token; fails the current test on any error.
std::string MakeMiniCollectionWithCli(const std::filesystem::path& dir,
                                      const std::vector<std::string>& homes);

// MakeMiniCollectionWithCli on one terminal, dir/t0, where TEST-0001 (PIN 111111) has sat: tiu-01
// answered B, then submitted, which leaves one bundle in t0's outbox. Returns the session token;
// fails the current test on any error.
std::string MakeOneMiniSittingWithCli(const std::filesystem::path& dir);

// The script of a candidate who submits without answering.
inline constexpr char kSubmitScript[] = "{\"cmd\":\"submit\"}\n";

// `lontar exam run` on the terminal at dir/<home>: `participant` logs in with `pin` to the session
// `token` and the commands of `script` (JSON lines) are sent, with `more_args` (e.g. "--json")
// after. The PIN and the script are written to dir/<participant>.pin and dir/<participant>.jsonl.
// Returns the run's exit code and output; checks nothing.
CommandResult SitWithCli(const std::filesystem::path& dir, const std::string& home,
                         const std::string& participant, const std::string& pin,
                         const std::string& token, const std::string& script,
                         const std::vector<std::string>& more_args = {});

}  // namespace lontar::testing
