// The sitting state machine: commands, refusals, time limits, and replay from the journal
// encoding giving exactly the live state.
#include "core/exam/sitting.hpp"

#include <gtest/gtest.h>

#include <random>

#include "core/authoring/source.hpp"
#include "tests/support/durations.hpp"

namespace lontar::exam {
namespace {

using lontar::testing::kMinute;

class SittingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = authoring::LoadSource(std::filesystem::path(LONTAR_SOURCE_DIR) /
                                   "tests/fixtures/mini-exam");
    ASSERT_TRUE(s);
    exam_ = s->exam;  // sections tiu (5 min: tiu-01, tiu-02) and tkp (no limit); 10 min in all
  }
  // Decides and applies, recording the events as the engine would journal them.
  template <class C>
  Status Do(const C& c) {
    auto events = Decide(exam_, state_, c);
    if (!events) return std::unexpected(events.error());
    for (const Event& e : *events) {
      journal_.push_back(ToJson(e));
      state_ = Apply(exam_, state_, e);
    }
    return Ok();
  }
  std::string Refusal(const Command& c) {
    auto events = Decide(exam_, state_, c);
    EXPECT_FALSE(events) << "accepted";
    return events ? "" : events.error().message();
  }
  SittingState Replay() {
    SittingState s;
    for (const EncodedEvent& e : journal_) {
      auto event = FromJson(e.type, e.payload);
      EXPECT_TRUE(event) << event.error().message();
      if (event) s = Apply(exam_, s, *event);
    }
    return s;
  }
  model::Exam exam_;
  SittingState state_;
  std::vector<EncodedEvent> journal_;
};

TEST_F(SittingTest, AnswerChangeClearFlagAndSubmit) {
  EXPECT_NE(Refusal(Answer{"tiu-01", {"B"}}).find("has not started"), std::string::npos);
  ASSERT_TRUE(Do(Start{"TEST-0001", 42}));
  EXPECT_EQ(state_.phase, Phase::kInProgress);
  EXPECT_EQ(state_.section, 0u);
  EXPECT_EQ(state_.current_item, ItemOrder(exam_, 0, 42).front());
  ASSERT_TRUE(Do(Answer{"tiu-01", {"A"}}));
  ASSERT_TRUE(Do(Answer{"tiu-01", {"B"}}));
  EXPECT_EQ(state_.answers.at("tiu-01"), std::vector<std::string>{"B"});
  const std::size_t before = journal_.size();
  ASSERT_TRUE(Do(Answer{"tiu-01", {"B"}}));  // the same answer again journals nothing
  EXPECT_EQ(journal_.size(), before);
  ASSERT_TRUE(Do(Flag{"tiu-02", true}));
  EXPECT_TRUE(state_.flagged.contains("tiu-02"));
  ASSERT_TRUE(Do(Clear{"tiu-01"}));
  EXPECT_FALSE(state_.answers.contains("tiu-01"));
  ASSERT_TRUE(Do(Goto{"tiu-02"}));
  EXPECT_EQ(state_.current_item, "tiu-02");
  ASSERT_TRUE(Do(Submit{}));
  EXPECT_EQ(state_.phase, Phase::kSubmitted);
  EXPECT_EQ(state_.reason, SubmitReason::kCandidate);
  EXPECT_NE(Refusal(Answer{"tiu-01", {"B"}}).find("has been submitted"), std::string::npos);
  EXPECT_EQ(Replay(), state_);
}

TEST_F(SittingTest, EveryInvalidCommandIsRefusedWithItsReason) {
  ASSERT_TRUE(Do(Start{"TEST-0001", 1}));
  EXPECT_NE(Refusal(Start{"TEST-0002", 2}).find("already started"), std::string::npos);
  EXPECT_NE(Refusal(Answer{"nope", {"A"}}).find("there is no item nope"), std::string::npos);
  EXPECT_NE(Refusal(Answer{"tkp-01", {"A"}}).find("not in the current section (tiu)"),
            std::string::npos);
  EXPECT_NE(Refusal(Answer{"tiu-01", {"Z"}}).find("has no option Z"), std::string::npos);
  EXPECT_NE(Refusal(Answer{"tiu-01", {"A", "B"}}).find("exactly one answer"), std::string::npos);
  EXPECT_NE(Refusal(Answer{"tiu-01", {}}).find("names no option"), std::string::npos);
  EXPECT_NE(Refusal(Tick{-1}).find("backwards"), std::string::npos);
  ASSERT_TRUE(Do(NextSection{}));
  EXPECT_NE(Refusal(Goto{"tiu-01"}).find("not in the current section (tkp)"), std::string::npos);
  EXPECT_NE(Refusal(NextSection{}).find("last section"), std::string::npos);
}

TEST_F(SittingTest, SectionAndExamTimeLimits) {
  ASSERT_TRUE(Do(Start{"TEST-0001", 7}));
  EXPECT_EQ(RemainingNs(exam_, state_), 10 * kMinute);
  EXPECT_EQ(SectionRemainingNs(exam_, state_), 5 * kMinute);
  ASSERT_TRUE(Do(Tick{4 * kMinute}));
  EXPECT_EQ(state_.section, 0u);
  EXPECT_EQ(SectionRemainingNs(exam_, state_), 1 * kMinute);
  ASSERT_TRUE(Do(Tick{1 * kMinute}));  // the tiu section's 5 minutes are up
  EXPECT_EQ(state_.section, 1u);
  EXPECT_EQ(state_.section_elapsed_ns[0], 5 * kMinute);
  EXPECT_EQ(RemainingNs(exam_, state_), 5 * kMinute);
  EXPECT_EQ(SectionRemainingNs(exam_, state_), 5 * kMinute);  // tkp has no limit of its own
  ASSERT_TRUE(Do(Tick{5 * kMinute + 1}));
  EXPECT_EQ(state_.phase, Phase::kSubmitted);
  EXPECT_EQ(state_.reason, SubmitReason::kTimeUp);
  EXPECT_EQ(RemainingNs(exam_, state_), 0);
  EXPECT_EQ(Replay(), state_);
}

TEST_F(SittingTest, ARestoredSittingMustFitTheExam) {
  ASSERT_TRUE(Do(Start{"TEST-0001", 5}));
  ASSERT_TRUE(Do(Answer{"tiu-01", {"C"}}));
  ASSERT_TRUE(Do(Tick{30'000'000'000}));
  const Restored good = Snapshot(state_, "h-1", "T-OLD");
  SittingState spare;
  auto fits = [&](Restored r) { return Decide(exam_, spare, ProctorCommand{Restore{r}}); };
  auto events = fits(good);
  ASSERT_TRUE(events) << events.error().message();
  for (const Event& e : *events) spare = Apply(exam_, spare, e);
  EXPECT_EQ(spare.answers, state_.answers);
  EXPECT_EQ(spare.elapsed_ns, state_.elapsed_ns);
  EXPECT_EQ(spare.from_terminal, "T-OLD");
  EXPECT_FALSE(fits(good)) << "a hand-off never replaces a sitting";
  spare = SittingState{};
  Restored bad = good;
  bad.answers["tiu-01"] = {"Q"};
  EXPECT_FALSE(fits(bad));
  bad = good;
  bad.section = 7;
  EXPECT_FALSE(fits(bad));
  bad = good;
  bad.section_elapsed_ns.pop_back();
  EXPECT_FALSE(fits(bad));
  bad = good;
  bad.current_item = "tkp-01";  // not in the section it claims
  EXPECT_FALSE(fits(bad));
  bad = good;
  bad.elapsed_ns = -1;
  EXPECT_FALSE(fits(bad));
  // And it survives the journal encoding exactly.
  const EncodedEvent encoded = ToJson(Event{good});
  EXPECT_EQ(std::get<Restored>(FromJson(encoded.type, encoded.payload).value()), good);
}

TEST_F(SittingTest, ShuffleIsPerParticipantAndRepeatable) {
  const auto a = ItemOrder(exam_, 0, 1), b = ItemOrder(exam_, 0, 1);
  EXPECT_EQ(a, b);
  std::set<std::vector<std::string>> orders;
  for (std::uint64_t seed = 0; seed < 32; ++seed) {
    auto order = ItemOrder(exam_, 0, seed);
    std::vector<std::string> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(sorted, (std::vector<std::string>{"tiu-01", "tiu-02"}));
    orders.insert(order);
  }
  EXPECT_EQ(orders.size(), 2u) << "both orders of two items should occur";
  exam_.shuffle_items = false;
  EXPECT_EQ(ItemOrder(exam_, 0, 5), (std::vector<std::string>{"tiu-01", "tiu-02"}));
}

// Random command sequences, valid and invalid: the state folded from the journal encoding always
// equals the live state.
TEST_F(SittingTest, ReplayEqualsLiveForRandomSequences) {
  std::mt19937_64 rng(1123);
  const std::vector<std::string> items = {"tiu-01", "tiu-02", "tkp-01", "tkp-02", "nope"};
  const std::vector<std::string> keys = {"A", "B", "C", "D", "E", "Z"};
  int refused = 0, applied = 0;
  for (int round = 0; round < 300; ++round) {
    state_ = SittingState{};
    journal_.clear();
    ASSERT_TRUE(Do(Start{"TEST-0001", rng()}));
    for (int step = 0; step < 60; ++step) {
      const std::string& item = items[rng() % items.size()];
      Command c;
      switch (rng() % 9) {
        case 0:
          c = Goto{item};
          break;
        case 1:
        case 2:
          c = Answer{item, {keys[rng() % keys.size()]}};
          break;
        case 3:
          c = Clear{item};
          break;
        case 4:
          c = Flag{item, rng() % 2 == 0};
          break;
        case 5:
        case 6:
          c = Tick{static_cast<std::int64_t>(rng() % (40'000'000'000))};
          break;
        case 7:
          c = NextSection{};
          break;
        default:
          c = rng() % 10 == 0 ? Command{Submit{}} : Command{Tick{1'000'000'000}};
          break;
      }
      // Now and then a proctor steps in: pause, resume, add time, void or hand off.
      if (rng() % 12 == 0) {
        ProctorCommand p;
        switch (rng() % 6) {
          case 0:
            p = Pause{"reason", rng() % 2 == 0};
            break;
          case 1:
          case 2:
            p = Resume{"back"};
            break;
          case 3:
            p = AddTime{static_cast<std::int64_t>(rng() % 600'000'000'000), "added"};
            break;
          case 4:
            p = rng() % 4 == 0 ? ProctorCommand{Void{"voided"}} : ProctorCommand{Resume{""}};
            break;
          default:
            p = rng() % 4 == 0 ? ProctorCommand{HandOff{"h1", "moved"}}
                               : ProctorCommand{Pause{"", false}};
            break;
        }
        (Do(p) ? applied : refused) += 1;
      } else {
        (Do(c) ? applied : refused) += 1;
      }
      ASSERT_EQ(Replay(), state_) << "round " << round << " step " << step;
    }
  }
  EXPECT_GT(refused, 1000);
  EXPECT_GT(applied, 1000);
}

TEST(SittingJson, MalformedEventsAreNamed) {
  EXPECT_FALSE(FromJson("sitting.answered", "{\"item\":1}"));
  EXPECT_FALSE(FromJson("sitting.time", "{\"ns\":-5}"));
  EXPECT_FALSE(FromJson("sitting.submitted", "{\"reason\":\"bored\"}"));
  EXPECT_FALSE(FromJson("sitting.unknown", "{}"));
  auto r = FromJson("sitting.flagged", "[]");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("sitting.flagged"), std::string::npos);
}

}  // namespace
}  // namespace lontar::exam
