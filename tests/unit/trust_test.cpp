#include "core/terminal/trust.hpp"

#include <gtest/gtest.h>

#include "tests/support/test_support.hpp"

namespace lontar::terminal {
namespace {

using lontar::testing::TempDir;

class TrustTest : public ::testing::Test {
 protected:
  void SetUp() override {
    a_.emplace(crypto::SigningKey::Generate().value());
    b_.emplace(crypto::SigningKey::Generate().value());
    c_.emplace(crypto::SigningKey::Generate().value());
    InitOptions init{.site = "SITE-01", .name = "", .trusted = {}};
    init.trusted.push_back({a_->public_key(), "a.pub"});
    auto t = Terminal::Init(dir_.path(), init, clock_);
    ASSERT_TRUE(t) << t.error().message();
    t_.emplace(std::move(*t));
  }
  Result<TrustUpdate> Apply(const TrustUpdate& u, const crypto::SigningKey& signer) {
    const std::string text = WriteTrustUpdate(u, signer, clock_.WallMs());
    return ApplyTrustUpdate(*t_, AsBytes(text));
  }
  std::vector<std::string> Trusted() {
    std::vector<std::string> ids;
    const std::vector<TrustedKey> keys = t_->TrustedKeys().value();
    for (const auto& k : keys) ids.push_back(k.key.id().ToString());
    std::sort(ids.begin(), ids.end());
    return ids;
  }
  TempDir dir_;
  ManualClock clock_;
  std::optional<crypto::SigningKey> a_, b_, c_;
  std::optional<Terminal> t_;
};

TEST_F(TrustTest, RotateToANewKeyThenRevokeTheOld) {
  ASSERT_TRUE(Apply({1, {{b_->public_key(), "b.pub"}}, {}}, *a_));
  auto both = std::vector<std::string>{a_->id().ToString(), b_->id().ToString()};
  std::sort(both.begin(), both.end());
  EXPECT_EQ(Trusted(), both);
  ASSERT_TRUE(Apply({2, {}, {a_->id()}}, *b_));
  EXPECT_EQ(Trusted(), std::vector<std::string>{b_->id().ToString()});
  // The revoked key can no longer change anything.
  auto r = Apply({3, {{c_->public_key(), "c.pub"}}, {}}, *a_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::kUntrusted);
  auto records = t_->journal().Read(1, 10).value();
  EXPECT_EQ(records.back().type, "trust.updated");
  auto report = journal::VerifyJournal(t_->vault(), t_->signing_key().public_key());
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok);
}

TEST_F(TrustTest, UntrustedSignerIsRefused) {
  auto r = Apply({1, {{c_->public_key(), "c.pub"}}, {}}, *c_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::kUntrusted);
  EXPECT_NE(r.error().message().find("only a currently trusted authority key"), std::string::npos);
  EXPECT_EQ(Trusted(), std::vector<std::string>{a_->id().ToString()});
}

TEST_F(TrustTest, ReplayedOrOldSequenceIsRefused) {
  ASSERT_TRUE(Apply({5, {{b_->public_key(), "b.pub"}}, {}}, *a_));
  for (std::uint64_t seq : {5u, 4u}) {
    auto r = Apply({seq, {{c_->public_key(), "c.pub"}}, {}}, *a_);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message().find("is not newer than number 5"), std::string::npos)
        << r.error().message();
  }
}

TEST_F(TrustTest, CannotLeaveTheTerminalTrustingNothing) {
  auto r = Apply({1, {}, {a_->id()}}, *a_);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("trusting no authority key"), std::string::npos);
  EXPECT_EQ(Trusted(), std::vector<std::string>{a_->id().ToString()});
}

TEST_F(TrustTest, AlteredUpdateFailsItsSignature) {
  std::string text = WriteTrustUpdate({1, {}, {a_->id()}}, *a_, 0);
  text.replace(text.find("sequence"), 8, "sequenze");
  auto r = ApplyTrustUpdate(*t_, AsBytes(text));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::kBadSignature);
}

}  // namespace
}  // namespace lontar::terminal
