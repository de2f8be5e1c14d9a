// A test fixture for tests that draw PDFs: the report fonts, loaded once per test, and a scratch
// directory to write into.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "core/report/document.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::testing {

class FontsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto f = report::Fonts::Create();
    ASSERT_TRUE(f) << f.error().message();
    fonts_ = std::move(*f);
  }
  std::unique_ptr<report::Fonts> fonts_;
  TempDir dir_;
};

}  // namespace lontar::testing
