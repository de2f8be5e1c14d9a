// Terminals with the mini test exam loaded and released, for engine tests: every terminal is a
// target of the same pack, so sittings can be handed over between them.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/crypto/box.hpp"
#include "core/terminal/terminal.hpp"
#include "core/util/clock.hpp"

namespace lontar::testing {

inline constexpr char kMiniProctorCode[] = "PROCTOR-2026";

// Terminal::Init at `home` for `site`, named `name`, trusting `authority` (as authority.pub).
// Fails the current test as well as returning the error.
Result<terminal::Terminal> InitTerminal(const std::filesystem::path& home,
                                        const crypto::VerifyKey& authority, const Clock& clock,
                                        const std::string& name = "t1",
                                        const std::string& site = "SITE-01");

// InitTerminal trusting an authority key made for the purpose and then dropped: for tests that
// load no pack, where whose key the terminal trusts does not matter.
Result<terminal::Terminal> InitTerminalOfUnknownAuthority(const std::filesystem::path& home,
                                                          const Clock& clock,
                                                          const std::string& name = "t1",
                                                          const std::string& site = "SITE-01");

struct ExamTerminalOptions {
  int terminals = 1;
  bool charge_downtime = false;
  bool release = true;
  int duration_minutes = 0;  // > 0: the exam's length instead of 10, without section limits
  int tiu_minutes = 0;       // > 0 with duration_minutes: section tiu's limit after all
  std::string roster{};      // not empty: roster.csv's text instead of the fixture's
  const crypto::BoxSecretKey* results_key = nullptr;  // whose public half the pack names
};

// Builds the mini exam (tests/fixtures/mini-exam) into a pack for `options.terminals` new
// terminals under `dir` (dir/t0, dir/t1, ...), loads it on each and releases it. Fails the
// current test (and returns fewer terminals) on any error.
std::vector<terminal::Terminal> MakeExamTerminals(const std::filesystem::path& dir,
                                                  const Clock& clock,
                                                  const ExamTerminalOptions& options);

}  // namespace lontar::testing
