// Accommodations from the roster: the cells and their rejections (file:line), the trip through
// the pack's roster.json, and the engine applying them at login: a factor of 1.3 on a 100-minute
// exam gives 130 minutes with the section limit scaled, time-up exactly then, the proctor's added
// time on top, all journaled, surviving a SIGKILL, and sealed into the result bundle.
#include "core/model/accommodations.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/authoring/source.hpp"
#include "core/bundle/outbox.hpp"
#include "core/exam/engine.hpp"
#include "core/report/report_model.hpp"
#include "tests/support/durations.hpp"
#include "tests/support/exam_terminals.hpp"
#include "tests/support/exam_terminals_test.hpp"
#include "tests/support/mini_exam.hpp"
#include "tests/support/mini_source_test.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using model::Accommodations;
using model::TextSize;
using testing::ReadText;
using testing::WriteText;

using lontar::testing::kMinute;
using lontar::testing::kSecond;

using testing::kMini;

// The mini roster with the accommodation columns: TEST-0001 gets `p1` (extra_time,text_size,
// high_contrast,read_aloud cells), the others nothing.
std::string Roster(const std::string& p1) {
  std::string text = ReadText(kMini / "roster.csv");
  text.replace(0, text.find('\n'),
               "participant,name,position,extra_time,text_size,high_contrast,read_aloud,pin_hash");
  std::string out;
  std::size_t line = 0;
  for (std::size_t start = 0; start < text.size(); ++line) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string l = text.substr(start, end - start);
    if (line > 0 && !l.empty()) l.insert(l.find(",$argon2id$"), "," + (line == 1 ? p1 : ",,,"));
    out += l + "\n";
    start = end + 1;
  }
  return out;
}

TEST(ExtraTime, CellsKnownAnswers) {
  // The factor is kept in thousandths: "1.3" = 1300, "x1.5" = 1500, "2" is two minutes.
  const struct {
    const char* cell;
    int permille, minutes;
  } ok[] = {{"", 1000, 0},    {"1.3", 1300, 0}, {"x1.5", 1500, 0}, {" 1.25 ", 1250, 0},
            {"3.0", 3000, 0}, {"30", 1000, 30}, {"2", 1000, 2},    {"240", 1000, 240}};
  for (const auto& c : ok) {
    Accommodations a;
    ASSERT_TRUE(model::ParseExtraTime(c.cell, a)) << c.cell;
    EXPECT_EQ(a.time_permille, c.permille) << c.cell;
    EXPECT_EQ(a.extra_minutes, c.minutes) << c.cell;
  }
  for (const char* bad : {"1.0", "0", "241", "3.5", "1.2345", "1,3", "x", "-30", "1.3.1"}) {
    Accommodations a;
    auto r = model::ParseExtraTime(bad, a);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().message(), "extra_time '" + std::string(bad) +
                                       "' is neither whole minutes (1 to 240, e.g. 30) nor a "
                                       "factor with a decimal point (1.05 to 3.0, e.g. 1.3)");
  }
}

TEST(ExtraTime, ScaledLimits) {
  // x1.3: 100 min -> 130 min, a 40-minute section -> 52 min.
  Accommodations factor;
  factor.time_permille = 1300;
  EXPECT_EQ(model::ScaledLimitNs(factor, 100, 100), 130 * kMinute);
  EXPECT_EQ(model::ScaledLimitNs(factor, 40, 100), 52 * kMinute);
  EXPECT_EQ(model::ScaledLimitNs(factor, 0, 100), 0) << "no section limit stays none";
  // +30 min on 100: the exam 130 min, a 40-minute section 40 x 130 / 100 = 52 min.
  Accommodations minutes;
  minutes.extra_minutes = 30;
  EXPECT_EQ(model::ScaledLimitNs(minutes, 100, 100), 130 * kMinute);
  EXPECT_EQ(model::ScaledLimitNs(minutes, 40, 100), 52 * kMinute);
  EXPECT_EQ(model::DescribeExtraTime(factor), "x1.3");
  EXPECT_EQ(model::DescribeExtraTime(minutes), "+30 min");
}

class RosterColumns : public testing::MiniSourceTest {
 protected:
  void WriteRoster(const std::string& text) { WriteText(dir_ / "exam/roster.csv", text); }
  // The roster with no accommodations, its read_aloud heading changed to `heading`.
  void WriteRosterWithReadAloudNamed(const std::string& heading) {
    std::string text = Roster(",,,");
    text.replace(text.find("read_aloud"), 10, heading);
    WriteRoster(text);
  }
};

TEST_F(RosterColumns, LoadAndTravelInThePack) {
  WriteRoster(Roster("1.3,large,yes,ya"));
  auto s = authoring::LoadSource(dir_ / "exam");
  ASSERT_TRUE(s) << s.error().front().ToString();
  const Accommodations& a = s->exam.roster[0].accommodations;
  EXPECT_EQ(a.time_permille, 1300);
  EXPECT_EQ(a.text_size, TextSize::kLarge);
  EXPECT_TRUE(a.high_contrast);
  EXPECT_TRUE(a.read_aloud);
  EXPECT_FALSE(s->exam.roster[1].accommodations.any());
  EXPECT_EQ(s->exam.roster[1].name, "Baso, Daeng");
  EXPECT_TRUE(s->exam.roster[1].pin_hash.starts_with("$argon2id$v=19$m=65536,t=2,p=1$"));
  EXPECT_EQ(model::DescribeAccommodations(a), "x1.3; large text; high contrast; read-aloud");
  const std::string roster = model::RosterToJson(s->exam.roster);
  auto back = model::ExamFromJson(model::ExamToJson(s->exam), roster);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->roster[0].accommodations, a);
  EXPECT_FALSE(back->roster[1].accommodations.any());
  // Only the participant who has some carries the field: other rows are as before.
  EXPECT_EQ(roster.find("accommodations"), roster.rfind("accommodations"));
}

TEST_F(RosterColumns, RosterWithoutThemWritesNoField) {
  auto s = authoring::LoadSource(kMini);
  ASSERT_TRUE(s);
  EXPECT_EQ(model::RosterToJson(s->exam.roster).find("accommodations"), std::string::npos);
}

TEST_F(RosterColumns, BadExtraTimeNamesLine) {
  WriteRoster(Roster("1.0,,,"));
  EXPECT_EQ(OnlyProblem(),
            "roster.csv:2: participant TEST-0001: extra_time '1.0' is neither whole minutes (1 to "
            "240, e.g. 30) nor a factor with a decimal point (1.05 to 3.0, e.g. 1.3)");
}

TEST_F(RosterColumns, BadTextSizeNamesLine) {
  WriteRoster(Roster(",huge,,"));
  EXPECT_EQ(
      OnlyProblem(),
      "roster.csv:2: participant TEST-0001: text_size 'huge' must be normal, large or larger");
}

TEST_F(RosterColumns, BadYesNoNamesColumnAndLine) {
  WriteRoster(Roster(",,,maybe"));
  EXPECT_EQ(OnlyProblem(),
            "roster.csv:2: participant TEST-0001: read_aloud 'maybe' must be yes or no (ya or "
            "tidak)");
}

TEST_F(RosterColumns, UnknownColumnIsRefused) {
  WriteRosterWithReadAloudNamed("screen_reader");
  EXPECT_EQ(OnlyProblem(),
            "roster.csv:1: unknown column 'screen_reader': the first line must be "
            "participant,name,position, then any of group, extra_time, text_size, high_contrast, "
            "read_aloud, then pin_hash last");
}

TEST_F(RosterColumns, RepeatedColumnIsRefused) {
  WriteRosterWithReadAloudNamed("text_size");
  const auto p = Problems();
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("roster.csv:1: column 'text_size' appears twice"), std::string::npos) << p[0];
}

TEST(AccommodationsJson, OutOfRangeIsMalformed) {
  auto r = model::AccommodationsFromJson(nlohmann::json{{"time_permille", 9000}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "accommodations: time_permille is out of range");
  auto both =
      model::AccommodationsFromJson(nlohmann::json{{"time_permille", 1300}, {"extra_minutes", 10}});
  ASSERT_FALSE(both);
  auto size = model::AccommodationsFromJson(nlohmann::json{{"text_size", "huge"}});
  ASSERT_FALSE(size);
  EXPECT_EQ(size.error().message(), "accommodations: text_size is out of range");
}

TEST(AccommodationsReport, TextPerLanguage) {
  Accommodations a;
  a.time_permille = 1300;
  a.high_contrast = true;
  EXPECT_EQ(report::AccommodationsText(a, report::Language::kIndonesian),
            "waktu \u00d71,3; kontras tinggi");
  EXPECT_EQ(report::AccommodationsText(a, report::Language::kEnglish),
            "time \u00d71.3; high contrast");
}

// The engine on a 100-minute exam whose section tiu has 40 minutes; TEST-0001 has x1.3.
class AccommodatedEngine : public testing::ExamTerminalsTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(MakeTerminals({.terminals = 1,
                                           .duration_minutes = 100,
                                           .tiu_minutes = 40,
                                           .roster = Roster("1.3,large,yes,no"),
                                           .results_key = &results_}));
  }
  exam::Engine Open() {
    auto e = exam::Engine::Open(terminals_[0], clock_);
    EXPECT_TRUE(e) << e.error().message();
    return std::move(*e);
  }
  exam::SittingState LogIn(exam::Engine& engine, const char* participant, const char* pin) {
    const std::string token = engine.OpenSession(AsBytes(testing::kMiniProctorCode)).value();
    auto s = engine.Login(participant, AsBytes(pin), token);
    EXPECT_TRUE(s) << s.error().message();
    return s.value_or(exam::SittingState{});
  }
  std::vector<journal::Record> Records(const std::string& type) {
    std::vector<journal::Record> out;
    const std::vector<journal::Record> all = terminals_[0].journal().Read(1, 100000).value();
    for (const journal::Record& r : all) {
      if (r.type == type) out.push_back(r);
    }
    return out;
  }

  crypto::BoxSecretKey results_ = crypto::BoxSecretKey::Generate().value();
};

TEST_F(AccommodatedEngine, FactorAppliedAtLoginAndJournaled) {
  exam::Engine engine = Open();
  const exam::SittingState s = LogIn(engine, "TEST-0001", "111111");
  EXPECT_EQ(s.accommodations.time_permille, 1300);
  EXPECT_EQ(s.accommodations.text_size, TextSize::kLarge);
  EXPECT_EQ(exam::ExamLimitNs(engine.exam(), s), 130 * kMinute);
  EXPECT_EQ(exam::RemainingNs(engine.exam(), s), 130 * kMinute);
  EXPECT_EQ(exam::SectionRemainingNs(engine.exam(), s), 52 * kMinute);
  const auto records = Records("sitting.accommodated");
  ASSERT_EQ(records.size(), 1u);
  const auto j = nlohmann::json::parse(records[0].payload);
  EXPECT_EQ(j["participant"], "TEST-0001");
  EXPECT_EQ(j["source"], "roster.csv of TEST-MINI version 1");
  EXPECT_EQ(j["accommodations"]["time_permille"], 1300);
  EXPECT_EQ(j["accommodations"]["high_contrast"], true);
  // Someone without accommodations gets the authored limits and no record.
  const exam::SittingState other = LogIn(engine, "TEST-0002", "222222");
  EXPECT_EQ(exam::RemainingNs(engine.exam(), other), 100 * kMinute);
  EXPECT_EQ(exam::SectionRemainingNs(engine.exam(), other), 40 * kMinute);
  EXPECT_EQ(Records("sitting.accommodated").size(), 1u);
}

TEST_F(AccommodatedEngine, SectionAndExamTimeUpExactlyAtTheScaledLimits) {
  exam::Engine engine = Open();
  LogIn(engine, "TEST-0001", "111111");
  // tiu: 52 minutes, not 40.
  clock_.Advance(52 * kMinute - 1);
  ASSERT_TRUE(engine.Checkpoint());
  EXPECT_EQ(engine.State("TEST-0001").section, 0u);
  clock_.Advance(1);
  ASSERT_TRUE(engine.Checkpoint());
  EXPECT_EQ(engine.State("TEST-0001").section, 1u) << "tiu closes at 52 minutes";
  // The exam: 130 minutes, not 100.
  clock_.Advance(130 * kMinute - 52 * kMinute - 1);
  ASSERT_TRUE(engine.Checkpoint());
  EXPECT_EQ(engine.State("TEST-0001").phase, exam::Phase::kInProgress);
  EXPECT_EQ(exam::RemainingNs(engine.exam(), engine.State("TEST-0001")), 1);
  clock_.Advance(1);
  ASSERT_TRUE(engine.Checkpoint());
  const exam::SittingState s = engine.State("TEST-0001");
  EXPECT_EQ(s.phase, exam::Phase::kSubmitted);
  EXPECT_EQ(s.reason, exam::SubmitReason::kTimeUp);
  EXPECT_EQ(s.elapsed_ns, 130 * kMinute);
  // The bundle carries what was granted.
  const auto outbox = bundle::ListOutbox(terminals_[0]).value();
  ASSERT_EQ(outbox.size(), 1u);
  const Bytes bytes = bundle::ReadOutboxBundle(terminals_[0], outbox[0]).value();
  auto payload = bundle::OpenBundle(bytes, results_);
  ASSERT_TRUE(payload) << payload.error().message();
  ASSERT_TRUE(payload->accommodations.has_value());
  EXPECT_EQ((*payload->accommodations)["time_permille"], 1300);
  EXPECT_EQ((*payload->accommodations)["source"], "roster.csv of TEST-MINI version 1");
  EXPECT_EQ((*payload->accommodations)["limit_ns"], 130 * kMinute);
}

TEST_F(AccommodatedEngine, ProctorTimeAddsOnTopAndBothAreJournaled) {
  exam::Engine engine = Open();
  LogIn(engine, "TEST-0001", "111111");
  auto auth = engine.AuthorizeProctor(AsBytes(testing::kMiniProctorCode));
  ASSERT_TRUE(auth);
  ASSERT_TRUE(engine.Proctor(*auth, "TEST-0001", exam::AddTime{10 * kMinute, "power cut"}));
  const exam::SittingState s = engine.State("TEST-0001");
  EXPECT_EQ(exam::RemainingNs(engine.exam(), s), 140 * kMinute);
  EXPECT_EQ(exam::SectionRemainingNs(engine.exam(), s), 62 * kMinute);
  EXPECT_EQ(Records("sitting.accommodated").size(), 1u);
  EXPECT_EQ(Records("sitting.time_added").size(), 1u);
  // The proctor turns read-aloud on: journaled with the reason, time untouched.
  Accommodations display = s.accommodations;
  display.read_aloud = true;
  ASSERT_TRUE(engine.Proctor(*auth, "TEST-0001", exam::Accommodate{display, "asked at the desk"}));
  const exam::SittingState after = engine.State("TEST-0001");
  EXPECT_TRUE(after.accommodations.read_aloud);
  EXPECT_EQ(after.accommodations.time_permille, 1300);
  EXPECT_EQ(after.accommodations_source, "proctor");
  const auto records = Records("sitting.accommodated");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(records[1].payload)["reason"], "asked at the desk");
  EXPECT_EQ(Open().State("TEST-0001"), after) << "a replay reaches the same state";
}

TEST_F(AccommodatedEngine, SurvivesSigkillAndTimesUpAt130Minutes) {
  // A child process logs in, sits 90 minutes and is killed with SIGKILL mid-sitting.
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto engine = exam::Engine::Open(terminals_[0], clock_);
    if (!engine) ::_exit(2);
    const std::string token = engine->OpenSession(AsBytes(testing::kMiniProctorCode)).value();
    if (!engine->Login("TEST-0001", AsBytes("111111"), token)) ::_exit(3);
    clock_.Advance(90 * kMinute);
    if (!engine->Checkpoint()) ::_exit(4);
    ::raise(SIGKILL);
    ::_exit(5);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  // Reopened: the accommodation and the 90 minutes charged are there; 40 are left, not 10.
  exam::Engine engine = Open();
  exam::SittingState s = engine.State("TEST-0001");
  EXPECT_EQ(s.accommodations.time_permille, 1300);
  EXPECT_EQ(s.elapsed_ns, 90 * kMinute);
  EXPECT_EQ(exam::RemainingNs(engine.exam(), s), 40 * kMinute);
  clock_.Advance(40 * kMinute - 1);
  ASSERT_TRUE(engine.Checkpoint());
  EXPECT_EQ(engine.State("TEST-0001").phase, exam::Phase::kInProgress);
  clock_.Advance(1);
  ASSERT_TRUE(engine.Checkpoint());
  s = engine.State("TEST-0001");
  EXPECT_EQ(s.phase, exam::Phase::kSubmitted);
  EXPECT_EQ(s.reason, exam::SubmitReason::kTimeUp);
  EXPECT_EQ(s.elapsed_ns, 130 * kMinute);
}

}  // namespace
}  // namespace lontar
