// Proctor actions through the engine on real terminals: pause and resume (one sitting and the
// room), added time, void, unlock, the room-wide session token, and handing a sitting over to a
// spare terminal. Every action must survive a replay of the journal.
#include <gtest/gtest.h>

#include "core/exam/engine.hpp"
#include "tests/support/durations.hpp"
#include "tests/support/exam_terminals.hpp"
#include "tests/support/exam_terminals_test.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::exam {
namespace {

using lontar::testing::kMinute;
using lontar::testing::kSecond;
constexpr char kP1[] = "TEST-0001";
constexpr char kP2[] = "TEST-0002";

class EngineProctorTest : public testing::ExamTerminalsTest {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(MakeTerminals({.terminals = 2})); }
  Engine Open(std::size_t t = 0) {
    auto e = Engine::Open(terminals_.at(t), clock_);
    EXPECT_TRUE(e) << e.error().message();
    return std::move(*e);
  }
  static ProctorAuth Auth(Engine& engine) {
    auto auth = engine.AuthorizeProctor(AsBytes(testing::kMiniProctorCode));
    EXPECT_TRUE(auth) << auth.error().message();
    return *auth;
  }
  static std::string Why(const auto& result) {
    EXPECT_FALSE(result) << "accepted";
    return result ? "" : result.error().message();
  }
};

TEST_F(EngineProctorTest, AWrongProctorCodeIsRefusedAndJournaled) {
  Engine engine = Open();
  const auto before = terminals_[0].journal().head().seq;
  auto denied = engine.AuthorizeProctor(AsBytes("PROCTOR-2025"));
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().kind(), ErrorKind::kWrongKey);
  auto records = terminals_[0].journal().Read(before + 1, 10).value();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].type, "session.proctor_denied");
}

TEST_F(EngineProctorTest, APausedSittingIsChargedNothingAndTakesNoAnswers) {
  Engine engine = Open();
  const ProctorAuth auth = Auth(engine);
  ASSERT_TRUE(engine.Execute(kP1, Start{kP1, 7}));
  clock_.Advance(10 * kSecond);
  EXPECT_NE(Why(engine.Proctor(auth, kP1, Pause{"", false})).find("reason"), std::string::npos);
  auto paused = engine.Proctor(auth, kP1, Pause{"candidate unwell", false});
  ASSERT_TRUE(paused) << paused.error().message();
  EXPECT_TRUE(paused->paused);
  EXPECT_EQ(paused->elapsed_ns, 10 * kSecond);
  clock_.Advance(5 * kMinute);
  ASSERT_TRUE(engine.Checkpoint());
  EXPECT_EQ(engine.State(kP1).elapsed_ns, 10 * kSecond) << "paused time is not charged";
  EXPECT_NE(Why(engine.Execute(kP1, Answer{"tiu-01", {"A"}})).find("paused"), std::string::npos);
  ASSERT_TRUE(engine.Proctor(auth, kP1, Resume{"candidate back"}));
  clock_.Advance(5 * kSecond);
  ASSERT_TRUE(engine.Execute(kP1, Answer{"tiu-01", {"A"}}));
  EXPECT_EQ(engine.State(kP1).elapsed_ns, 15 * kSecond);
  EXPECT_EQ(Open().State(kP1), engine.State(kP1));
}

TEST_F(EngineProctorTest, RoomPauseStopsEverySittingAndLoginsAndResumesOnlyItsOwn) {
  Engine engine = Open();
  const ProctorAuth auth = Auth(engine);
  const std::string token = engine.OpenSession(AsBytes(testing::kMiniProctorCode)).value();
  ASSERT_TRUE(engine.Execute(kP1, Start{kP1, 1}));
  ASSERT_TRUE(engine.Execute(kP2, Start{kP2, 2}));
  ASSERT_TRUE(engine.Proctor(auth, kP2, Pause{"own pause", false}));
  ASSERT_TRUE(engine.PauseRoom(auth, "fire drill"));
  EXPECT_TRUE(engine.room_paused());
  EXPECT_TRUE(engine.State(kP1).paused);
  EXPECT_NE(Why(engine.Login("TEST-0003", AsBytes("333333"), token)).find("paused"),
            std::string::npos);
  clock_.Advance(3 * kMinute);
  ASSERT_TRUE(engine.Checkpoint());
  EXPECT_EQ(engine.State(kP1).elapsed_ns, 0);
  Engine replayed = Open();
  EXPECT_TRUE(replayed.room_paused());
  EXPECT_EQ(replayed.State(kP1), engine.State(kP1));
  ASSERT_TRUE(engine.ResumeRoom(auth, "drill over"));
  EXPECT_FALSE(engine.room_paused());
  EXPECT_FALSE(engine.State(kP1).paused);
  EXPECT_TRUE(engine.State(kP2).paused) << "a sitting the proctor paused on its own stays paused";
  EXPECT_EQ(Open().State(kP2), engine.State(kP2));
}

TEST_F(EngineProctorTest, AddedTimeExtendsTheExamAndTheCurrentSection) {
  Engine engine = Open();
  const ProctorAuth auth = Auth(engine);
  ASSERT_TRUE(engine.Execute(kP1, Start{kP1, 1}));
  clock_.Advance(4 * kMinute);
  for (const AddTime& bad :
       {AddTime{0, "x"}, AddTime{5 * 3600 * kSecond, "x"}, AddTime{kMinute, ""}}) {
    EXPECT_FALSE(engine.Proctor(auth, kP1, bad));
  }
  auto s = engine.Proctor(auth, kP1, AddTime{3 * kMinute, "power cut in the room"});
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(RemainingNs(engine.exam(), *s), 9 * kMinute);         // 10 + 3 - 4
  EXPECT_EQ(SectionRemainingNs(engine.exam(), *s), 4 * kMinute);  // 5 + 3 - 4
  clock_.Advance(3 * kMinute);
  ASSERT_TRUE(engine.Checkpoint());
  EXPECT_EQ(engine.State(kP1).section, 0u) << "the section's own limit moved too";
  EXPECT_EQ(Open().State(kP1), engine.State(kP1));
}

TEST_F(EngineProctorTest, AVoidedSittingIsFinal) {
  Engine engine = Open();
  const ProctorAuth auth = Auth(engine);
  const std::string token = engine.OpenSession(AsBytes(testing::kMiniProctorCode)).value();
  EXPECT_FALSE(engine.Proctor(auth, kP1, Void{"no sitting yet"}));
  ASSERT_TRUE(engine.Login(kP1, AsBytes("111111"), token));
  ASSERT_TRUE(engine.Proctor(auth, kP1, Void{"phone on the desk"}));
  EXPECT_EQ(engine.State(kP1).phase, Phase::kVoided);
  EXPECT_NE(Why(engine.Execute(kP1, Answer{"tiu-01", {"A"}})).find("voided"), std::string::npos);
  EXPECT_NE(Why(engine.Login(kP1, AsBytes("111111"), token)).find("voided"), std::string::npos);
  EXPECT_FALSE(engine.Proctor(auth, kP1, Resume{"x"}));
  EXPECT_EQ(Open().State(kP1).phase, Phase::kVoided);
}

TEST_F(EngineProctorTest, TheProctorUnlocksALockedParticipant) {
  Engine engine = Open();
  const ProctorAuth auth = Auth(engine);
  const std::string token = engine.OpenSession(AsBytes(testing::kMiniProctorCode)).value();
  EXPECT_FALSE(engine.Unlock(auth, kP2, "not locked"));
  for (int i = 0; i < kMaxLoginFailures; ++i) {
    ASSERT_FALSE(engine.Login(kP2, AsBytes("000000"), token));
  }
  ASSERT_TRUE(engine.locked(kP2));
  EXPECT_FALSE(engine.Unlock(auth, kP2, "")) << "a reason is required";
  ASSERT_TRUE(engine.Unlock(auth, kP2, "forgot the PIN, identity checked"));
  EXPECT_FALSE(Open().locked(kP2));
  EXPECT_TRUE(engine.Login(kP2, AsBytes("222222"), token));
}

TEST_F(EngineProctorTest, EveryTerminalOfTheRoomShowsTheSameToken) {
  Engine a = Open(0);
  Engine b = Open(1);
  const auto ta = a.OpenSession(AsBytes(testing::kMiniProctorCode));
  const auto tb = b.OpenSession(AsBytes(testing::kMiniProctorCode));
  ASSERT_TRUE(ta && tb);
  EXPECT_EQ(*ta, *tb);
  EXPECT_EQ(ta->size(), 6u);
}

TEST_F(EngineProctorTest, ASittingMovesToASpareTerminalWithItsAnswersAndTime) {
  Engine old_terminal = Open(0);
  const ProctorAuth auth = Auth(old_terminal);
  const std::string token = old_terminal.OpenSession(AsBytes(testing::kMiniProctorCode)).value();
  ASSERT_TRUE(old_terminal.Login(kP1, AsBytes("111111"), token));
  ASSERT_TRUE(old_terminal.Execute(kP1, Answer{"tiu-01", {"B"}}));
  ASSERT_TRUE(old_terminal.Execute(kP1, Flag{"tiu-02", true}));
  ASSERT_TRUE(old_terminal.Execute(kP1, Goto{"tiu-02"}));
  ASSERT_TRUE(old_terminal.Proctor(auth, kP1, AddTime{2 * kMinute, "late start"}));
  clock_.Advance(90 * kSecond);
  auto record = old_terminal.HandOff(auth, kP1, "screen failed");
  ASSERT_TRUE(record) << record.error().message();
  const SittingState handed = old_terminal.State(kP1);
  EXPECT_EQ(handed.phase, Phase::kHandedOff);
  EXPECT_EQ(handed.elapsed_ns, 90 * kSecond);
  EXPECT_NE(Why(old_terminal.Login(kP1, AsBytes("111111"), token)).find("another terminal"),
            std::string::npos);
  // Written again from the journal, the record is the same bytes (a failed stick is no loss).
  Engine reopened = Open(0);
  EXPECT_EQ(reopened.HandoffRecord(kP1).value(), *record);
  EXPECT_EQ(reopened.HandOff(Auth(reopened), kP1, "again").value(), *record);
  EXPECT_FALSE(old_terminal.ImportHandoff(auth, AsBytes(*record))) << "not on the old terminal";

  Engine spare = Open(1);
  const ProctorAuth spare_auth = Auth(spare);
  std::string tampered = *record;
  tampered[tampered.find("tiu-01")] = 'x';
  auto bad = spare.ImportHandoff(spare_auth, AsBytes(tampered));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind(), ErrorKind::kBadSignature);
  auto taken = spare.ImportHandoff(spare_auth, AsBytes(*record));
  ASSERT_TRUE(taken) << taken.error().message();
  EXPECT_EQ(taken->phase, Phase::kInProgress);
  EXPECT_EQ(taken->answers, handed.answers);
  EXPECT_EQ(taken->flagged, handed.flagged);
  EXPECT_EQ(taken->current_item, "tiu-02");
  EXPECT_EQ(taken->elapsed_ns, handed.elapsed_ns);
  EXPECT_EQ(RemainingNs(spare.exam(), *taken), RemainingNs(old_terminal.exam(), handed));
  EXPECT_EQ(taken->from_terminal, terminals_[0].id());
  EXPECT_FALSE(spare.ImportHandoff(spare_auth, AsBytes(*record))) << "imported only once";
  // The candidate logs in on the spare and goes on.
  ASSERT_TRUE(spare.OpenSession(AsBytes(testing::kMiniProctorCode)));
  auto in = spare.Login(kP1, AsBytes("111111"), token);
  ASSERT_TRUE(in) << in.error().message();
  ASSERT_TRUE(spare.Execute(kP1, Answer{"tiu-02", {"A"}}));
  EXPECT_EQ(Open(1).State(kP1), spare.State(kP1));
}

TEST_F(EngineProctorTest, AHandoffFromATerminalOutsideTheSessionIsRefused) {
  testing::TempDir other_dir;
  auto others = testing::MakeExamTerminals(other_dir.path(), clock_, {.terminals = 1});
  ASSERT_EQ(others.size(), 1u);
  Engine stranger = Engine::Open(others[0], clock_).value();
  ASSERT_TRUE(stranger.Execute(kP1, Start{kP1, 3}));
  const std::string record = stranger.HandOff(Auth(stranger), kP1, "test").value();
  Engine spare = Open(1);
  auto refused = spare.ImportHandoff(Auth(spare), AsBytes(record));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind(), ErrorKind::kUntrusted);
  EXPECT_EQ(spare.State(kP1).phase, Phase::kNotStarted);
}

}  // namespace
}  // namespace lontar::exam

namespace lontar::exam {
namespace {

// The kiosk's engine and the proctor's console are two processes on one journal: what the
// console does, the kiosk sees at its next command.
TEST_F(EngineProctorTest, TheKioskSeesWhatTheConsoleDid) {
  Engine kiosk = Open(0);
  ASSERT_TRUE(kiosk.Execute(kP1, Start{kP1, 1}));
  clock_.Advance(20 * kSecond);
  auto console_terminal = terminal::Terminal::Open(dir_.path() / "t0", clock_);
  ASSERT_TRUE(console_terminal) << console_terminal.error().message();
  {
    Engine console = Engine::Open(*console_terminal, clock_).value();
    ASSERT_TRUE(console.Proctor(Auth(console), kP1, Pause{"console pause", false}));
  }
  EXPECT_NE(Why(kiosk.Execute(kP1, Answer{"tiu-01", {"A"}})).find("paused"), std::string::npos);
  EXPECT_TRUE(kiosk.State(kP1).paused);
  {
    Engine console = Engine::Open(*console_terminal, clock_).value();
    ASSERT_TRUE(console.Proctor(Auth(console), kP1, Resume{"back"}));
  }
  ASSERT_TRUE(kiosk.Execute(kP1, Answer{"tiu-01", {"A"}}));
  EXPECT_EQ(Open(0).State(kP1), kiosk.State(kP1));
}

}  // namespace
}  // namespace lontar::exam
