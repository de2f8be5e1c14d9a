// A gtest fixture over terminals with the mini test exam loaded and released (MakeExamTerminals),
// for the engine, accommodation and result tests that each kept the same three members and set-up.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/terminal/terminal.hpp"
#include "core/util/clock.hpp"
#include "tests/support/exam_terminals.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::testing {

class ExamTerminalsTest : public ::testing::Test {
 protected:
  // Sets the clock to 1'795'478'400'000 ms and makes options.terminals terminals in dir_/`under`
  // (dir_ itself when empty); fails the current test when fewer were made.
  void MakeTerminals(const ExamTerminalOptions& options, const std::string& under = "") {
    clock_.SetWallMs(1'795'478'400'000);
    terminals_ = MakeExamTerminals(under.empty() ? dir_.path() : dir_ / under, clock_, options);
    ASSERT_EQ(terminals_.size(), static_cast<std::size_t>(options.terminals));
  }

  TempDir dir_;
  ManualClock clock_;
  std::vector<terminal::Terminal> terminals_;
};

}  // namespace lontar::testing
