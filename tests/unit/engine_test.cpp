// The engine on a real terminal with a released pack: durable state, resume by replay, time from
// the monotonic clock only, downtime not charged, time-up submits, refusals journal nothing.
#include "core/exam/engine.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/pack/terminal_packs.hpp"
#include "tests/support/durations.hpp"
#include "tests/support/exam_terminals.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::exam {
namespace {

using lontar::testing::kMinute;
using lontar::testing::kSecond;

class EngineTest : public ::testing::Test {
 protected:
  virtual bool ChargeDowntime() const { return false; }
  void SetUp() override {
    clock_.SetWallMs(1'795'478'400'000);
    auto terminals = testing::MakeExamTerminals(
        dir_.path(), clock_,
        {.terminals = 1, .charge_downtime = ChargeDowntime(), .release = false});
    ASSERT_EQ(terminals.size(), 1u);
    terminal_.emplace(std::move(terminals.front()));
    // Before release there is nothing to run.
    auto none = Engine::Open(*terminal_, clock_);
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().kind(), ErrorKind::kNotFound);
    ASSERT_TRUE(pack::ReleasePack(*terminal_, "", AsBytes("MINI-RELEASE-2026"), clock_));
  }
  Engine Open() {
    auto e = Engine::Open(*terminal_, clock_);
    EXPECT_TRUE(e) << e.error().message();
    return std::move(*e);
  }

  testing::TempDir dir_;
  ManualClock clock_;
  std::optional<terminal::Terminal> terminal_;
};

TEST_F(EngineTest, StateIsDurableAndResumesByReplay) {
  SittingState live;
  {
    Engine engine = Open();
    ASSERT_TRUE(engine.Execute("TEST-0001", Start{"TEST-0001", 99}));
    clock_.Advance(30 * kSecond);
    ASSERT_TRUE(engine.Execute("TEST-0001", Answer{"tiu-01", {"B"}}));
    ASSERT_TRUE(engine.Execute("TEST-0001", Flag{"tiu-02", true}));
    clock_.Advance(12 * kSecond);
    auto s = engine.Execute("TEST-0001", Goto{"tiu-02"});
    ASSERT_TRUE(s);
    live = *s;
    EXPECT_EQ(live.elapsed_ns, 42 * kSecond);
    EXPECT_EQ(live.answers.at("tiu-01"), std::vector<std::string>{"B"});
  }
  // The process is gone; ten minutes pass with the terminal off (not charged by default).
  clock_.Advance(10 * kMinute);
  Engine resumed = Open();
  EXPECT_EQ(resumed.State("TEST-0001"), live);
  EXPECT_EQ(resumed.State("TEST-0002").phase, Phase::kNotStarted);
  clock_.Advance(5 * kSecond);
  ASSERT_TRUE(resumed.Checkpoint());
  EXPECT_EQ(resumed.State("TEST-0001").elapsed_ns, 47 * kSecond);
  auto report = journal::VerifyJournal(terminal_->vault(), terminal_->signing_key().public_key());
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok);
}

// What the kiosk needs to draw a sitting: the one in progress after a restart, how many wrong
// logins so far, the pack's images, and the order the options are shown in.
TEST_F(EngineTest, KioskViewsInProgressFailuresMediaAndOptionOrder) {
  {
    Engine engine = Open();
    EXPECT_TRUE(engine.InProgress().empty());
    ASSERT_TRUE(engine.Execute("TEST-0002", Start{"TEST-0002", 7}));
    ASSERT_TRUE(engine.Execute("TEST-0001", Start{"TEST-0001", 8}));
    ASSERT_TRUE(engine.Execute("TEST-0001", Submit{}));
    ASSERT_TRUE(engine.OpenSession(AsBytes("PROCTOR-2026")));
    EXPECT_FALSE(engine.Login("TEST-0003", AsBytes("000000"), "WRONG1"));
    EXPECT_EQ(engine.login_failures("TEST-0003"), 1);
  }
  Engine engine = Open();
  EXPECT_EQ(engine.InProgress(), std::vector<std::string>{"TEST-0002"});
  EXPECT_EQ(engine.login_failures("TEST-0003"), 1) << "failures are replayed from the journal";

  auto media = pack::ReadReleasedMedia(*terminal_, engine.pack_id());
  ASSERT_TRUE(media) << media.error().message();
  ASSERT_TRUE(media->contains("media/boxes.png"));
  const auto png = testing::ReadText(std::filesystem::path(LONTAR_SOURCE_DIR) /
                                     "tests/fixtures/mini-exam/media/boxes.png");
  EXPECT_EQ(media->at("media/boxes.png").size(), png.size());
  auto small = pack::ReadReleasedMedia(*terminal_, engine.pack_id(), /*max_each=*/16);
  ASSERT_TRUE(small);
  EXPECT_TRUE(small->empty()) << "files above max_each are left out";

  // The mini exam does not shuffle options: authored order. With shuffling, a permutation that
  // the same seed always repeats; Likert scales never move.
  model::Exam exam = engine.exam();
  const model::Item& item = exam.items.at("tkp-01");
  EXPECT_EQ(OptionOrder(exam, item, 5), (std::vector<std::string>{"A", "B", "C", "D", "E"}));
  exam.shuffle_options = true;
  auto shuffled = OptionOrder(exam, item, 5);
  EXPECT_EQ(shuffled, OptionOrder(exam, item, 5));
  auto sorted = shuffled;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, (std::vector<std::string>{"A", "B", "C", "D", "E"}));
  bool moved = false;
  for (std::uint64_t seed = 0; seed < 8 && !moved; ++seed) {
    moved = OptionOrder(exam, item, seed) != sorted;
  }
  EXPECT_TRUE(moved);
  model::Item likert = item;
  likert.type = model::ItemType::kLikert;
  EXPECT_EQ(OptionOrder(exam, likert, 5), sorted);
}

TEST_F(EngineTest, WallClockChangesChargeNothing) {
  Engine engine = Open();
  ASSERT_TRUE(engine.Execute("TEST-0001", Start{"TEST-0001", 1}));
  clock_.SetWallMs(clock_.WallMs() + 86'400'000);  // someone sets the date a day ahead
  ASSERT_TRUE(engine.Checkpoint());
  EXPECT_EQ(engine.State("TEST-0001").elapsed_ns, 0);
  clock_.SetWallMs(clock_.WallMs() - 2 * 86'400'000);
  clock_.Advance(3 * kSecond);
  ASSERT_TRUE(engine.Checkpoint());
  EXPECT_EQ(engine.State("TEST-0001").elapsed_ns, 3 * kSecond);
}

TEST_F(EngineTest, TimeUpSubmitsEvenWhenTheCommandIsRefused) {
  Engine engine = Open();
  ASSERT_TRUE(engine.Execute("TEST-0001", Start{"TEST-0001", 1}));
  ASSERT_TRUE(engine.Execute("TEST-0001", NextSection{}));
  clock_.Advance(11 * kMinute);  // the exam's 10 minutes are over
  auto r = engine.Execute("TEST-0001", Answer{"tkp-01", {"A"}});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("submitted"), std::string::npos);
  EXPECT_EQ(engine.State("TEST-0001").phase, Phase::kSubmitted);
  EXPECT_EQ(engine.State("TEST-0001").reason, SubmitReason::kTimeUp);
  EXPECT_EQ(Open().State("TEST-0001"), engine.State("TEST-0001"));  // journaled
}

TEST_F(EngineTest, RefusedCommandsJournalNothing) {
  Engine engine = Open();
  ASSERT_TRUE(engine.Execute("TEST-0001", Start{"TEST-0001", 1}));
  const auto head = terminal_->journal().head().seq;
  clock_.Advance(2 * kSecond);
  for (const Command& c : std::vector<Command>{Answer{"nope", {"A"}}, Answer{"tkp-01", {"A"}},
                                               Answer{"tiu-01", {"Q"}}, Start{"TEST-0001", 2}}) {
    EXPECT_FALSE(engine.Execute("TEST-0001", c));
  }
  EXPECT_EQ(terminal_->journal().head().seq, head);
  EXPECT_EQ(engine.State("TEST-0001").elapsed_ns, 0) << "a refusal must not charge time either";
  ASSERT_TRUE(engine.Execute("TEST-0001", Answer{"tiu-01", {"A"}}));
  EXPECT_EQ(engine.State("TEST-0001").elapsed_ns, 2 * kSecond);
}

TEST_F(EngineTest, ProctorOpensTheSessionAndCandidatesLogIn) {
  Engine engine = Open();
  auto early = engine.Login("TEST-0001", AsBytes("111111"), "ABCDEF");
  ASSERT_FALSE(early);
  EXPECT_NE(early.error().message().find("not open yet"), std::string::npos);
  auto denied = engine.OpenSession(AsBytes("WRONG-CODE"));
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().kind(), ErrorKind::kWrongKey);
  auto token = engine.OpenSession(AsBytes("PROCTOR-2026"));
  ASSERT_TRUE(token) << token.error().message();
  EXPECT_EQ(token->size(), 6u);
  EXPECT_EQ(*engine.OpenSession(AsBytes("PROCTOR-2026")), *token) << "the token is stable";

  auto in = engine.Login("TEST-0001", AsBytes("111111"), *token);
  ASSERT_TRUE(in) << in.error().message();
  EXPECT_EQ(in->phase, Phase::kInProgress);
  auto lower = *token;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  EXPECT_TRUE(engine.Login("TEST-0001", AsBytes("111111"), lower)) << "tokens are case-blind";

  auto unknown = engine.Login("TEST-9999", AsBytes("111111"), *token);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message().find("not on this session's list"), std::string::npos);

  // Five wrong attempts (PIN or token) lock the participant, across a restart.
  for (int i = 1; i <= kMaxLoginFailures; ++i) {
    auto wrong =
        engine.Login("TEST-0002", AsBytes(i % 2 ? "000000" : "222222"), i % 2 ? *token : "ZZZZZZ");
    ASSERT_FALSE(wrong);
    EXPECT_NE(wrong.error().message().find(std::to_string(i) + " of 5"), std::string::npos)
        << wrong.error().message();
  }
  Engine again = Open();
  EXPECT_TRUE(again.locked("TEST-0002"));
  EXPECT_EQ(again.session_token(), *token);
  auto locked = again.Login("TEST-0002", AsBytes("222222"), *token);
  ASSERT_FALSE(locked);
  EXPECT_NE(locked.error().message().find("proctor must unlock"), std::string::npos);

  ASSERT_TRUE(again.Execute("TEST-0001", Submit{}));
  auto finished = again.Login("TEST-0001", AsBytes("111111"), *token);
  ASSERT_FALSE(finished);
  EXPECT_NE(finished.error().message().find("already finished"), std::string::npos);
}

// A pack whose policy charges downtime: the wall-clock gap since the sitting's last record counts.
class EngineDowntimeTest : public EngineTest {
 protected:
  bool ChargeDowntime() const override { return true; }
};

TEST_F(EngineDowntimeTest, DowntimeIsChargedWhenThePackSaysSo) {
  {
    Engine engine = Open();
    ASSERT_TRUE(engine.Execute("TEST-0001", Start{"TEST-0001", 1}));
    clock_.Advance(20 * kSecond);
    ASSERT_TRUE(engine.Checkpoint());
  }
  clock_.Advance(3 * kMinute);  // moves the wall clock with it: the terminal was off 3 minutes
  Engine resumed = Open();
  EXPECT_EQ(resumed.State("TEST-0001").elapsed_ns, 20 * kSecond + 3 * kMinute);
}

}  // namespace
}  // namespace lontar::exam
