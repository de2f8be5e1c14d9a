// Engine::TryLogin's typed refusals (what the kiosk tells a candidate), one test per refusal, and
// the score the engine keeps from sealing (what the finished screen shows).
#include <gtest/gtest.h>

#include "core/exam/engine.hpp"
#include "core/scoring/score_json.hpp"
#include "tests/support/exam_terminals.hpp"
#include "tests/support/exam_terminals_test.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::exam {
namespace {

constexpr char kParticipantA[] = "TEST-0001";
constexpr char kParticipantB[] = "TEST-0002";

class EngineLoginRefusalTest : public testing::ExamTerminalsTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(MakeTerminals({.terminals = 1}));
    auto e = Engine::Open(terminals_[0], clock_);
    ASSERT_TRUE(e) << e.error().message();
    engine_.emplace(std::move(*e));
  }
  std::string Open() { return engine_->OpenSession(AsBytes(testing::kMiniProctorCode)).value(); }
  ProctorAuth Auth() {
    return engine_->AuthorizeProctor(AsBytes(testing::kMiniProctorCode)).value();
  }
  LoginRefused Refused(const std::string& who, std::string_view pin, std::string_view token) {
    auto r = engine_->TryLogin(who, AsBytes(pin), token);
    EXPECT_FALSE(r) << who << " was let in";
    return r ? LoginRefused{LoginRefusal::kFailed, Error::Internal("let in")} : r.error();
  }

  std::optional<Engine> engine_;
};

TEST_F(EngineLoginRefusalTest, BeforeTheSessionOpens) {
  const LoginRefused r = Refused(kParticipantA, "111111", "ABCDEF");
  EXPECT_EQ(r.why, LoginRefusal::kSessionNotOpen);
  EXPECT_NE(r.error.message().find("not open yet"), std::string::npos);
}

// The case the kiosk once read as "locked": both are kPermission.
TEST_F(EngineLoginRefusalTest, ARoomPauseIsNotALock) {
  const std::string token = Open();
  ASSERT_TRUE(engine_->PauseRoom(Auth(), "fire drill"));
  const LoginRefused r = Refused(kParticipantA, "111111", token);
  EXPECT_EQ(r.why, LoginRefusal::kRoomPaused);
  EXPECT_EQ(r.error.kind(), ErrorKind::kPermission);
  EXPECT_NE(r.error.message().find("paused"), std::string::npos);
  EXPECT_FALSE(engine_->locked(kParticipantA));
}

TEST_F(EngineLoginRefusalTest, ANumberNotOnTheRoster) {
  const LoginRefused r = Refused("TEST-9999", "111111", Open());
  EXPECT_EQ(r.why, LoginRefusal::kNotOnRoster);
  EXPECT_NE(r.error.message().find("not on this session's list"), std::string::npos);
}

TEST_F(EngineLoginRefusalTest, WrongTokenAndWrongPinAreCountedThenTheFifthLocks) {
  const std::string token = Open();
  LoginRefused r = Refused(kParticipantB, "222222", "ZZZZZZ");
  EXPECT_EQ(r.why, LoginRefusal::kWrongToken);
  EXPECT_EQ(r.failures, 1);
  EXPECT_NE(r.error.message().find("wrong session token (1 of 5"), std::string::npos);
  for (int i = 2; i <= 4; ++i) {
    r = Refused(kParticipantB, "000000", token);
    EXPECT_EQ(r.why, LoginRefusal::kWrongPin);
    EXPECT_EQ(r.failures, i);
  }
  r = Refused(kParticipantB, "000000", token);
  EXPECT_EQ(r.why, LoginRefusal::kLocked) << "the fifth wrong attempt locks";
  EXPECT_EQ(r.failures, 5);
  r = Refused(kParticipantB, "222222", token);
  EXPECT_EQ(r.why, LoginRefusal::kLocked) << "the right PIN does not open a lock";
  EXPECT_NE(r.error.message().find("the proctor must unlock it"), std::string::npos);
}

TEST_F(EngineLoginRefusalTest, AFinishedAndAVoidedSitting) {
  const std::string token = Open();
  ASSERT_TRUE(engine_->TryLogin(kParticipantA, AsBytes("111111"), token));
  ASSERT_TRUE(engine_->Execute(kParticipantA, Submit{}));
  EXPECT_EQ(Refused(kParticipantA, "111111", token).why, LoginRefusal::kFinished);
  ASSERT_TRUE(engine_->TryLogin(kParticipantB, AsBytes("222222"), token));
  ASSERT_TRUE(engine_->Proctor(Auth(), kParticipantB, Void{"seen with a phone"}));
  EXPECT_EQ(Refused(kParticipantB, "222222", token).why, LoginRefusal::kVoided);
}

TEST_F(EngineLoginRefusalTest, TheScoreSealedIsTheScoreKept) {
  const std::string token = Open();
  ASSERT_TRUE(engine_->TryLogin(kParticipantA, AsBytes("111111"), token));
  ASSERT_TRUE(engine_->Execute(kParticipantA, Answer{"tiu-01", {"A"}}));
  EXPECT_EQ(engine_->SealedScore(kParticipantA), nullptr) << "nothing sealed before the end";
  ASSERT_TRUE(engine_->Execute(kParticipantA, Submit{}));
  const scoring::ScoreReport* kept = engine_->SealedScore(kParticipantA);
  ASSERT_NE(kept, nullptr);
  auto again = scoring::ScoreRosterParticipant(
      engine_->exam(), engine_->State(kParticipantA).answers, kParticipantA);
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(scoring::ReportToJson(*kept), scoring::ReportToJson(*again));
  EXPECT_FALSE(engine_->ReceiptCode(kParticipantA).empty());
}

}  // namespace
}  // namespace lontar::exam
