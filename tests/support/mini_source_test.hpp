// A fixture for tests of what the authoring reader refuses: a copy of the mini test exam in
// dir_/exam to break, and the problems LoadSource names in it.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/authoring/source.hpp"
#include "tests/support/mini_exam.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::testing {

class MiniSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::copy(kMini, dir_ / "exam", std::filesystem::copy_options::recursive);
  }
  // Replaces the first `from` in dir_/exam/`file` with `to`; fails the test if there is none.
  void Edit(const std::string& file, const std::string& from, const std::string& to) {
    std::string text = ReadText(dir_ / "exam" / file);
    const auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    WriteText(dir_ / "exam" / file, text);
  }
  // Every problem LoadSource names, as text; fails the test if the source loads.
  std::vector<std::string> Problems() {
    auto s = authoring::LoadSource(dir_ / "exam");
    EXPECT_FALSE(s);
    std::vector<std::string> out;
    if (!s) {
      for (const auto& d : s.error()) out.push_back(d.ToString());
    }
    return out;
  }
  // The one problem LoadSource names; fails the test (and returns "") if it names none or several.
  std::string OnlyProblem() {
    const std::vector<std::string> p = Problems();
    EXPECT_EQ(p.size(), 1u) << (p.empty() ? "" : p[0]);
    return p.size() == 1 ? p[0] : "";
  }
  TempDir dir_;
};

}  // namespace lontar::testing
