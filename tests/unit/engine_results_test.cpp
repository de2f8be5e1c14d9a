// The engine seals every ended sitting into a result bundle in the outbox before it returns:
// submitted by the candidate, at time-up, or voided; and a sitting that ended without its bundle
// (a crash in between) gets one when the engine opens again.
#include <gtest/gtest.h>

#include "core/bundle/bundle_format.hpp"
#include "core/bundle/outbox.hpp"
#include "core/bundle/receipt_code.hpp"
#include "core/exam/engine.hpp"
#include "core/journal/journal.hpp"
#include "tests/support/durations.hpp"
#include "tests/support/exam_terminals.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::exam {
namespace {

using lontar::testing::kMinute;

class EngineResultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.SetWallMs(1'795'478'400'000);
    terminals_ =
        testing::MakeExamTerminals(dir_.path(), clock_, {.terminals = 1, .results_key = &results_});
    ASSERT_EQ(terminals_.size(), 1u);
  }
  terminal::Terminal& t() { return terminals_[0]; }
  Engine Open() {
    auto e = Engine::Open(t(), clock_);
    EXPECT_TRUE(e) << e.error().message();
    return std::move(*e);
  }
  std::vector<bundle::OutboxEntry> Outbox() { return bundle::ListOutbox(t()).value(); }
  bundle::BundlePayload OpenEntry(const bundle::OutboxEntry& e) {
    const Bytes bytes = bundle::ReadOutboxBundle(t(), e).value();
    auto header = bundle::VerifyBundle(bytes, t().signing_key().public_key());
    EXPECT_TRUE(header) << header.error().message();
    auto payload = bundle::OpenBundle(bytes, results_);
    EXPECT_TRUE(payload) << payload.error().message();
    return *payload;
  }

  crypto::BoxSecretKey results_ = crypto::BoxSecretKey::Generate().value();
  testing::TempDir dir_;
  ManualClock clock_;
  std::vector<terminal::Terminal> terminals_;
};

TEST_F(EngineResultsTest, ASubmittedSittingIsSealedBeforeSubmitReturns) {
  Engine engine = Open();
  const std::string token = engine.OpenSession(AsBytes(testing::kMiniProctorCode)).value();
  ASSERT_TRUE(engine.Login("TEST-0001", AsBytes("111111"), token));
  ASSERT_TRUE(engine.Execute("TEST-0001", Answer{"tiu-01", {"B"}}));
  auto flagged = engine.Execute("TEST-0001", Flag{"tiu-02", true});
  ASSERT_TRUE(flagged) << flagged.error().message();
  EXPECT_EQ(engine.ReceiptCode("TEST-0001"), "");
  EXPECT_TRUE(Outbox().empty());
  ASSERT_TRUE(engine.Execute("TEST-0001", Submit{}));
  const std::string receipt = engine.ReceiptCode("TEST-0001");
  ASSERT_FALSE(receipt.empty());
  const auto outbox = Outbox();
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_EQ(outbox[0].receipt_code, receipt);
  EXPECT_TRUE(bundle::ReceiptCodeMatches(receipt, outbox[0].bundle_id));
  EXPECT_EQ(outbox[0].kind, bundle::Kind::kSubmitted);
  const bundle::BundlePayload p = OpenEntry(outbox[0]);
  EXPECT_EQ(p.answers["tiu-01"], nlohmann::json::array({"B"}));
  EXPECT_EQ(p.flags, nlohmann::json::array({"tiu-02"}));
  EXPECT_EQ(p.score["total"], 5.0);
  EXPECT_EQ(p.timings["submitted_by"], "candidate");
  // The sitting's journal: its login, start, answers and submit, and nothing of anyone else.
  ASSERT_FALSE(p.journal.empty());
  EXPECT_EQ(p.journal.front().type, "login.ok");
  EXPECT_EQ(p.journal.back().type, "sitting.submitted");
  for (const journal::Record& r : p.journal) {
    EXPECT_NE(r.payload.find("TEST-0001"), std::string::npos) << r.type;
  }
  // Opening again finds the bundle and does not seal a second one.
  Engine again = Open();
  EXPECT_EQ(again.ReceiptCode("TEST-0001"), receipt);
  EXPECT_EQ(Outbox().size(), 1u);
}

TEST_F(EngineResultsTest, TimeUpAndVoidAreSealedToo) {
  Engine engine = Open();
  ASSERT_TRUE(engine.Execute("TEST-0001", Start{"TEST-0001", 1}));
  ASSERT_TRUE(engine.Execute("TEST-0002", Start{"TEST-0002", 2}));
  auto auth = engine.AuthorizeProctor(AsBytes(testing::kMiniProctorCode)).value();
  ASSERT_TRUE(engine.Proctor(auth, "TEST-0002", Void{"notes on the desk"}));
  clock_.Advance(11 * kMinute);
  ASSERT_TRUE(engine.Checkpoint());
  const auto outbox = Outbox();
  ASSERT_EQ(outbox.size(), 2u);
  EXPECT_EQ(outbox[0].participant, "TEST-0002");
  EXPECT_EQ(outbox[0].kind, bundle::Kind::kVoided);
  EXPECT_EQ(outbox[1].participant, "TEST-0001");
  EXPECT_EQ(OpenEntry(outbox[1]).timings["submitted_by"], "time-up");
  EXPECT_EQ(outbox[1].seq, 2u);
}

TEST_F(EngineResultsTest, ASittingThatEndedWithoutItsBundleIsSealedOnOpen) {
  {
    Engine engine = Open();
    ASSERT_TRUE(engine.Execute("TEST-0001", Start{"TEST-0001", 1}));
  }
  // As if the process died right after the submit was journaled: append it by hand.
  ASSERT_TRUE(t().journal().Append(
      "sitting.submitted",
      R"({"reason":"candidate","participant":"TEST-0001","pack_id":")" + Open().pack_id() + "\"}"));
  EXPECT_TRUE(Outbox().empty());
  Engine reopened = Open();
  EXPECT_EQ(reopened.State("TEST-0001").phase, Phase::kSubmitted);
  EXPECT_FALSE(reopened.ReceiptCode("TEST-0001").empty());
  EXPECT_EQ(Outbox().size(), 1u);
}

// The engine notes each participant's records as it folds and appends them, instead of scanning
// the journal when it seals. The bundle must still carry exactly the records of this pack that
// name the participant, in order: here interleaved with another sitting, written in one
// transaction with it (a room pause), and written by a second engine on the same vault (another
// process), all compared with a scan of the whole journal.
TEST_F(EngineResultsTest, TheBundleCarriesExactlyTheParticipantsRecords) {
  Engine engine = Open();
  ASSERT_TRUE(engine.Execute("TEST-0001", Start{"TEST-0001", 1}));
  ASSERT_TRUE(engine.Execute("TEST-0002", Start{"TEST-0002", 2}));
  ASSERT_TRUE(engine.Execute("TEST-0001", Answer{"tiu-01", {"B"}}));
  ASSERT_TRUE(engine.Execute("TEST-0002", Answer{"tiu-01", {"A"}}));
  auto auth = engine.AuthorizeProctor(AsBytes(testing::kMiniProctorCode)).value();
  ASSERT_TRUE(engine.PauseRoom(auth, "fire drill"));
  {
    // The proctor's console: another process, with its own connection to the vault.
    auto console_terminal = terminal::Terminal::Open(dir_.path() / "t0", clock_);
    ASSERT_TRUE(console_terminal) << console_terminal.error().message();
    auto console = Engine::Open(*console_terminal, clock_);
    ASSERT_TRUE(console) << console.error().message();
    auto console_auth = console->AuthorizeProctor(AsBytes(testing::kMiniProctorCode)).value();
    ASSERT_TRUE(console->ResumeRoom(console_auth, "drill over"));
  }
  auto flagged = engine.Execute("TEST-0001", Flag{"tiu-02", true});
  ASSERT_TRUE(flagged) << flagged.error().message();
  ASSERT_TRUE(engine.Execute("TEST-0001", Submit{}));
  const auto outbox = Outbox();
  ASSERT_EQ(outbox.size(), 1u);
  const bundle::BundlePayload p = OpenEntry(outbox[0]);

  std::vector<std::uint64_t> expected;
  const std::vector<journal::Record> all = t().journal().Read(1, 100'000).value();
  for (const journal::Record& r : all) {
    const auto j = nlohmann::json::parse(r.payload, nullptr, false);
    if (r.type != "bundle.created" && j.is_object() && j.value("pack_id", "") == engine.pack_id() &&
        j.value("participant", "") == "TEST-0001") {
      expected.push_back(r.seq);
    }
  }
  std::vector<std::uint64_t> carried;
  for (const journal::Record& r : p.journal) carried.push_back(r.seq);
  EXPECT_EQ(carried, expected);
  EXPECT_GE(carried.size(), 6u);  // started, answered, paused, resumed, flagged, submitted
}

}  // namespace
}  // namespace lontar::exam
