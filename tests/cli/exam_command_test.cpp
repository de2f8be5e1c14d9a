// Headless sittings through the real binary: the proctor opens the session, a scripted candidate
// sits the mini exam, and `exam show` rebuilds the same state from the journal.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "core/bundle/outbox.hpp"
#include "core/util/clock.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using testing::RunLontar;
using testing::TempDir;
using testing::WriteText;

using testing::kFixtures;

class ExamCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    token_ = testing::MakeMiniSessionWithCli(dir_.path(), {"t"});
    WriteText(dir_ / "pin", "111111\n");
  }
  std::string P(const std::string& name) { return (dir_ / name).string(); }
  testing::CommandResult Run(const std::string& script) {
    WriteText(dir_ / "script.jsonl", script);
    return RunLontar({"exam", "run", "--home", P("t"), "--participant", "TEST-0001", "--pin-file",
                      P("pin"), "--token", token_, "--script", P("script.jsonl"), "--json"});
  }
  TempDir dir_;
  std::string token_;
};

TEST_F(ExamCommand, ScriptedSittingIsScoredAndShownFromTheJournal) {
  ASSERT_EQ(token_.size(), 6u);
  auto r = Run(R"({"cmd":"answer","item":"tiu-01","option":"B"}
{"cmd":"answer","item":"tiu-02","option":"A"}
{"cmd":"flag","item":"tiu-02"}
{"cmd":"wait","seconds":30}
{"cmd":"next-section"}
{"cmd":"answer","item":"tkp-01","option":"A"}
{"cmd":"answer","item":"tkp-02","option":"B"}
{"cmd":"submit"}
)");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["phase"], "submitted");
  EXPECT_EQ(j["submitted_by"], "candidate");
  EXPECT_EQ(j["answered"], 4);
  ASSERT_TRUE(j.contains("receipt")) << "the result bundle is in the outbox";
  auto list = RunLontar({"bundles", "list", "--home", P("t"), "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find(j["receipt"].get<std::string>()), std::string::npos) << list.out;
  EXPECT_EQ(j["score"]["total"], 13.0);  // 5 + 0 + 5 + 3, as in the scoring table
  EXPECT_EQ(j["score"]["passed"], true);
  EXPECT_EQ(j["score"]["job_person_match"]["category"], "Optimal");
  EXPECT_LE(j["remaining_seconds"].get<int>(), 570);  // at least the 30 simulated seconds

  auto show = RunLontar({"exam", "show", "--home", P("t"), "--participant", "TEST-0001", "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  auto s = nlohmann::json::parse(show.out);
  EXPECT_EQ(s["answers"], j["answers"]);
  EXPECT_EQ(s["flagged"], j["flagged"]);
  EXPECT_EQ(s["score"], j["score"]);

  auto again = Run("{\"cmd\":\"submit\"}\n");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already finished"), std::string::npos) << again.err;
}

TEST_F(ExamCommand, WaitingPastTheLimitSubmitsAndLaterCommandsAreRefused) {
  auto r = Run(R"({"cmd":"answer","item":"tiu-01","option":"B"}
{"cmd":"wait","seconds":700}
{"cmd":"answer","item":"tkp-01","option":"A"}
)");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["phase"], "submitted");
  EXPECT_EQ(j["submitted_by"], "time-up");
  EXPECT_EQ(j["remaining_seconds"], 0);
  EXPECT_EQ(j["answered"], 1);
}

// A scripted wait charges simulated time to the sitting (the exam ends by time-up) but writes no
// wall-clock time from the future: the journal's wall times never go backwards, also across the
// next command on the terminal, and none is later than the real clock after the run.
TEST_F(ExamCommand, ScriptedWaitsDoNotWriteFutureWallTimes) {
  auto r = Run(R"({"cmd":"answer","item":"tiu-01","option":"B"}
{"cmd":"wait","seconds":2700}
{"cmd":"answer","item":"tkp-01","option":"A"}
)");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["submitted_by"], "time-up") << "the time was charged";
  // Another participant's sitting afterwards, with the real clock throughout.
  WriteText(dir_ / "pin2", "222222\n");
  WriteText(dir_ / "script2.jsonl", "{\"cmd\":\"submit\"}\n");
  auto second =
      RunLontar({"exam", "run", "--home", P("t"), "--participant", "TEST-0002", "--pin-file",
                 P("pin2"), "--token", token_, "--script", P("script2.jsonl")});
  ASSERT_EQ(second.exit_code, 0) << second.err;

  SystemClock clock;
  const std::int64_t now = clock.WallMs();
  auto t = terminal::Terminal::Open(dir_ / "t", clock);
  ASSERT_TRUE(t) << t.error().message();
  std::int64_t last = 0;
  std::size_t records = 0;
  for (std::uint64_t from = 1;;) {
    auto batch = t->journal().Read(from, 1000);
    ASSERT_TRUE(batch) << batch.error().message();
    if (batch->empty()) break;
    for (const auto& rec : *batch) {
      EXPECT_GE(rec.wall_ms, last) << "record " << rec.seq << " (" << rec.type << ") goes back "
                                   << (last - rec.wall_ms) / 1000 << " s";
      EXPECT_LE(rec.wall_ms, now) << "record " << rec.seq << " (" << rec.type << ") is "
                                  << (rec.wall_ms - now) / 1000 << " s in the future";
      last = std::max(last, rec.wall_ms);
      ++records;
    }
    from = batch->back().seq + 1;
  }
  EXPECT_GT(records, 5u);
  auto outbox = bundle::ListOutbox(*t);
  ASSERT_TRUE(outbox) << outbox.error().message();
  ASSERT_EQ(outbox->size(), 2u);
  for (const auto& e : *outbox) EXPECT_LE(e.created_ms, now) << "bundle #" << e.seq;
}

// The text output is for people: nested fields on lines of their own, no line of raw JSON, in
// `exam run` and in `session status` alike.
TEST_F(ExamCommand, TextOutputHasNoRawJson) {
  WriteText(dir_ / "script.jsonl", R"({"cmd":"answer","item":"tiu-01","option":"B"}
{"cmd":"flag","item":"tiu-01"}
{"cmd":"submit"}
)");
  auto run = RunLontar({"exam", "run", "--home", P("t"), "--participant", "TEST-0001", "--pin-file",
                        P("pin"), "--token", token_, "--script", P("script.jsonl")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto status = RunLontar({"session", "status", "--home", P("t")});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  for (const auto* out : {&run.out, &status.out}) {
    std::istringstream lines(*out);
    for (std::string line; std::getline(lines, line);) {
      EXPECT_EQ(line.find_first_of("{["), std::string::npos) << "raw JSON: " << line;
    }
  }
  EXPECT_NE(run.out.find("flagged: tiu-01\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("score:\n"), std::string::npos) << run.out;
  EXPECT_NE(status.out.find("sittings:\n  -\n    participant: TEST-0001\n"), std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find("locked: (none)\n"), std::string::npos) << status.out;
}

TEST_F(ExamCommand, BadScriptsAndWrongPinsAreNamed) {
  auto bad = Run("{\"cmd\":\"dance\"}\n");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("script.jsonl:1: unknown command 'dance'"), std::string::npos) << bad.err;
  WriteText(dir_ / "pin", "000000\n");
  auto wrong = Run("{\"cmd\":\"submit\"}\n");
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("wrong PIN (1 of 5"), std::string::npos) << wrong.err;
  auto denied = RunLontar({"session", "open", "--home", P("t"), "--proctor-code-file",
                           kFixtures + "/mini-release-code.txt"});
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_NE(denied.err.find("wrong proctor code"), std::string::npos) << denied.err;
}

}  // namespace
}  // namespace lontar
