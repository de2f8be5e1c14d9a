// A command's standard output read as JSON, for tests of `--json` output.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/test_support.hpp"

namespace lontar::testing {

// The JSON on `r`'s standard output; a discarded value (and a failed expectation naming the
// output and the error stream) when it is not JSON.
inline nlohmann::json JsonOutput(const CommandResult& r) {
  auto j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
  return j;
}

}  // namespace lontar::testing
