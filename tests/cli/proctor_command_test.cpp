// The proctor's commands through the real binary, on two terminals of one session: pause,
// resume, add time, hand a sitting from one terminal to the other on a "USB stick", void, status.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using Json = nlohmann::json;
using testing::CommandResult;
using testing::RunLontar;
using testing::TempDir;
using testing::WriteText;

using testing::kFixtures;

class ProctorCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    token_ = testing::MakeMiniSessionWithCli(dir_.path(), {"t0", "t1"});
    WriteText(dir_ / "pin1", "111111\n");
    WriteText(dir_ / "pin2", "222222\n");
  }
  std::string P(const std::string& name) { return (dir_ / name).string(); }
  CommandResult Ok(const std::vector<std::string>& args) {
    CommandResult r = RunLontar(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << " " << args[1] << ": " << r.err;
    return r;
  }
  std::vector<std::string> Proctor(const std::string& action, const std::string& t,
                                   std::vector<std::string> more) {
    std::vector<std::string> args = {"session",
                                     action,
                                     "--home",
                                     P(t),
                                     "--proctor-code-file",
                                     kFixtures + "/mini-proctor-code.txt"};
    args.insert(args.end(), more.begin(), more.end());
    return args;
  }
  CommandResult Sit(const std::string& t, const std::string& participant,
                    const std::string& script) {
    WriteText(dir_ / "script.jsonl", script);
    return RunLontar({"exam", "run", "--home", P(t), "--participant", participant, "--pin-file",
                      P(participant == "TEST-0001" ? "pin1" : "pin2"), "--token", token_,
                      "--script", P("script.jsonl"), "--json"});
  }
  Json Show(const std::string& t, const std::string& participant) {
    return Json::parse(
        Ok({"exam", "show", "--home", P(t), "--participant", participant, "--json"}).out);
  }
  TempDir dir_;
  std::string token_;
};

TEST_F(ProctorCommand, PauseAddTimeAndHandOffToTheSpare) {
  auto first = Sit("t0", "TEST-0001", R"({"cmd":"answer","item":"tiu-01","option":"B"}
{"cmd":"flag","item":"tiu-02"}
{"cmd":"wait","seconds":60}
)");
  ASSERT_EQ(first.exit_code, 0) << first.err;

  Ok(Proctor("pause", "t0", {"--participant", "TEST-0001", "--reason", "candidate unwell"}));
  auto paused =
      Sit("t0", "TEST-0001", "{\"cmd\":\"answer\",\"item\":\"tiu-02\",\"option\":\"A\"}\n");
  ASSERT_EQ(paused.exit_code, 0) << paused.err;
  EXPECT_NE(paused.err.find("paused"), std::string::npos) << paused.err;
  EXPECT_FALSE(Show("t0", "TEST-0001")["answers"].contains("tiu-02"));
  Ok(Proctor("resume", "t0", {"--participant", "TEST-0001"}));
  auto no_reason = RunLontar(
      Proctor("add-time", "t0", {"--participant", "TEST-0001", "--minutes", "5", "--reason", ""}));
  EXPECT_EQ(no_reason.exit_code, 1);
  auto added = Json::parse(Ok(Proctor("add-time", "t0",
                                      {"--participant", "TEST-0001", "--minutes", "5", "--reason",
                                       "late start", "--json"}))
                               .out);
  EXPECT_EQ(added["added_seconds"], 300);
  const int remaining = added["remaining_seconds"];
  EXPECT_LE(remaining, 840);  // 10 + 5 minutes, less the simulated minute
  EXPECT_GE(remaining, 835);

  auto handoff =
      Ok(Proctor("handoff", "t0",
                 {"--participant", "TEST-0001", "--to", P("usb"), "--reason", "screen failed"}));
  const std::string file = handoff.out.substr(0, handoff.out.find('\n'));
  const auto handed = Show("t0", "TEST-0001");
  EXPECT_EQ(handed["phase"], "handed-off");
  // The time left as the hand-off froze it: the add-time above and the hand-off are separate
  // processes, and the seconds the hand-off's own proctor check takes are charged.
  const int frozen = handed["remaining_seconds"];
  EXPECT_LE(frozen, remaining);
  auto again = Sit("t0", "TEST-0001", "{\"cmd\":\"submit\"}\n");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("another terminal"), std::string::npos) << again.err;
  auto here = RunLontar(Proctor("import-handoff", "t0", {"--from", file}));
  EXPECT_EQ(here.exit_code, 1) << "the old terminal cannot take its own sitting back";

  auto taken = Json::parse(Ok(Proctor("import-handoff", "t1", {"--from", file, "--json"})).out);
  EXPECT_EQ(taken["answers"]["tiu-01"], Json::array({"B"}));
  EXPECT_EQ(taken["flagged"], Json::array({"tiu-02"}));
  EXPECT_EQ(taken["remaining_seconds"].get<int>(), frozen);
  auto twice = RunLontar(Proctor("import-handoff", "t1", {"--from", file}));
  EXPECT_EQ(twice.exit_code, 1);

  auto rest = Sit("t1", "TEST-0001", R"({"cmd":"answer","item":"tiu-02","option":"A"}
{"cmd":"next-section"}
{"cmd":"answer","item":"tkp-01","option":"A"}
{"cmd":"submit"}
)");
  ASSERT_EQ(rest.exit_code, 0) << rest.err;
  const Json done = Json::parse(rest.out);
  EXPECT_EQ(done["phase"], "submitted");
  EXPECT_EQ(done["answered"], 3);
  EXPECT_EQ(done["handed_over_from"].get<std::string>().substr(0, 2), "T-");
  ASSERT_EQ(RunLontar({"journal", "verify", "--home", P("t1")}).exit_code, 0);
}

TEST_F(ProctorCommand, VoidRoomPauseAndStatus) {
  ASSERT_EQ(Sit("t1", "TEST-0002", "{\"cmd\":\"wait\",\"seconds\":5}\n").exit_code, 0);
  Ok(Proctor("pause", "t1", {"--reason", "fire drill"}));
  auto status = Json::parse(Ok({"session", "status", "--home", P("t1"), "--json"}).out);
  EXPECT_EQ(status["room_paused"], true);
  EXPECT_EQ(status["sittings"][0]["paused"], true);
  auto blocked = Sit("t1", "TEST-0001", "{\"cmd\":\"submit\"}\n");
  EXPECT_EQ(blocked.exit_code, 1);
  EXPECT_NE(blocked.err.find("paused the session"), std::string::npos) << blocked.err;
  Ok(Proctor("resume", "t1", {"--reason", "drill over"}));
  auto voided = Json::parse(
      Ok(Proctor("void", "t1",
                 {"--participant", "TEST-0002", "--reason", "notes on the desk", "--json"}))
          .out);
  EXPECT_EQ(voided["phase"], "voided");
  auto wrong = RunLontar({"session", "void", "--home", P("t1"), "--proctor-code-file",
                          kFixtures + "/mini-release-code.txt", "--participant", "TEST-0001",
                          "--reason", "x"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("wrong proctor code"), std::string::npos);
  // The whole script is checked before anything runs.
  auto typo = Sit("t1", "TEST-0001", R"({"cmd":"answer","item":"tiu-01","option":"B"}
{"cmd":"answr","item":"tiu-02","option":"A"}
)");
  EXPECT_EQ(typo.exit_code, 1);
  EXPECT_NE(typo.err.find("script.jsonl:2"), std::string::npos) << typo.err;
  EXPECT_EQ(Show("t1", "TEST-0001")["phase"], "not-started");
}

// `session accommodate` sets what the kiosk panel's Accommodate sets: the options given change,
// the others stay as in force; the engine journals each change with its reason, so a later
// process (exam show, session status) sees it.
TEST_F(ProctorCommand, AccommodateChangesOnlyWhatItIsGivenAndIsJournaled) {
  ASSERT_EQ(Sit("t0", "TEST-0001", "{\"cmd\":\"wait\",\"seconds\":5}\n").exit_code, 0);
  auto on =
      Json::parse(Ok(Proctor("accommodate", "t0",
                             {"--participant", "TEST-0001", "--read-aloud", "yes", "--text-size",
                              "large", "--reason", "asked at the desk", "--json"}))
                      .out);
  EXPECT_EQ(on["accommodations"], "large text; read-aloud");
  EXPECT_EQ(on["accommodations_from"], "proctor");
  // High contrast alone: large text and read-aloud stay.
  Ok(Proctor("accommodate", "t0",
             {"--participant", "TEST-0001", "--high-contrast", "ya", "--reason", "glare"}));
  EXPECT_EQ(Show("t0", "TEST-0001")["accommodations"], "large text; high contrast; read-aloud");
  Ok(Proctor("accommodate", "t0",
             {"--participant", "TEST-0001", "--read-aloud", "no", "--reason", "headphones broke"}));
  auto status = Json::parse(Ok({"session", "status", "--home", P("t0"), "--json"}).out);
  EXPECT_EQ(status["sittings"][0]["accommodations"], "large text; high contrast");
  EXPECT_EQ(Show("t1", "TEST-0001")["phase"], "not-started") << "another terminal is untouched";
}

TEST_F(ProctorCommand, AccommodateWithNothingToChangeIsRefused) {
  auto r = RunLontar(Proctor("accommodate", "t0", {"--participant", "TEST-0001", "--reason", "x"}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("say what to change: --read-aloud yes|no"), std::string::npos) << r.err;
}

TEST_F(ProctorCommand, AccommodateWithABadValueIsRefused) {
  ASSERT_EQ(Sit("t0", "TEST-0001", "{\"cmd\":\"wait\",\"seconds\":5}\n").exit_code, 0);
  auto r =
      RunLontar(Proctor("accommodate", "t0",
                        {"--participant", "TEST-0001", "--read-aloud", "maybe", "--reason", "x"}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--read-aloud: 'maybe' must be yes or no (ya or tidak)"), std::string::npos)
      << r.err;
  auto size = RunLontar(Proctor(
      "accommodate", "t0", {"--participant", "TEST-0001", "--text-size", "huge", "--reason", "x"}));
  EXPECT_EQ(size.exit_code, 1);
  EXPECT_NE(size.err.find("--text-size: "), std::string::npos) << size.err;
}

TEST_F(ProctorCommand, AccommodateWithoutAReasonIsRefused) {
  ASSERT_EQ(Sit("t0", "TEST-0001", "{\"cmd\":\"wait\",\"seconds\":5}\n").exit_code, 0);
  auto r = RunLontar(Proctor(
      "accommodate", "t0", {"--participant", "TEST-0001", "--read-aloud", "yes", "--reason", ""}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("give a reason"), std::string::npos) << r.err;
  EXPECT_FALSE(Show("t0", "TEST-0001").contains("accommodations"));
}

}  // namespace
}  // namespace lontar
