// A test fixture holding what packs and bundles are made with: a fresh exam authority's signing
// key, a fresh results key pair, a temporary directory and a manual clock. Tests that build a
// pack take its options from DayPackOptions.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <vector>

#include "core/crypto/box.hpp"
#include "core/crypto/sign.hpp"
#include "core/pack/build.hpp"
#include "core/terminal/enrollment.hpp"
#include "core/util/clock.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::testing {

// The options of a pack built at kNov24: version 1, valid a day either side of it, signed by
// `authority` for `targets`, released by `release_code`, its results sealed to `results`, with
// the fastest valid Argon2id setting (the build command defaults to the interactive preset, which
// would make these tests slow), written to `out`. The keys and the code must outlive the options.
pack::BuildOptions DayPackOptions(const crypto::SigningKey& authority,
                                  const crypto::BoxPublicKey& results,
                                  const crypto::SecretBytes& release_code,
                                  std::vector<terminal::Enrollment> targets,
                                  const std::filesystem::path& out);

class AuthorityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    authority_.emplace(crypto::SigningKey::Generate().value());
    results_.emplace(crypto::BoxSecretKey::Generate().value());
  }

  // DayPackOptions with this fixture's keys, written to dir_ / name.
  pack::BuildOptions DayPackOptions(const std::string& name,
                                    const crypto::SecretBytes& release_code,
                                    std::vector<terminal::Enrollment> targets) const {
    return testing::DayPackOptions(*authority_, results_->public_key(), release_code,
                                   std::move(targets), dir_ / name);
  }

  TempDir dir_;
  ManualClock clock_;
  std::optional<crypto::SigningKey> authority_;
  std::optional<crypto::BoxSecretKey> results_;
};

}  // namespace lontar::testing
