// The exam through the real kiosk under Xvfb: a script of keys, typed text and clicks runs a
// whole demo SKD sitting (app/script.hpp); the sitting the engine journaled must equal what the
// kiosk showed and what a headless `lontar exam run` makes of the same answers. Screenshots of
// every screen in both languages, two screen sizes, 100% and 200% text and high contrast land
// in <build>/test-artifacts/ui/exam/, and every settled frame is checked for anything drawn off
// the screen or cut off. Killing the kiosk mid-item and starting it again shows the same item.
#include <gtest/gtest.h>
#include <signal.h>
#include <stb/stb_image.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/pack_build.hpp"
#include "tests/support/test_support.hpp"
#include "tests/ui/demo_pack.hpp"
#include "tests/ui/golden.hpp"
#include "tests/ui/kiosk_script.hpp"
#include "tests/ui/mini_session.hpp"
#include "tests/ui/ui_paths.hpp"
#include "tests/ui/xvfb.hpp"

namespace lontar {
namespace {

using Json = nlohmann::json;
using testing::kDemo;
using testing::KioskScript;
using testing::RunLontar;
using testing::RunProgram;
using testing::TempDir;

using testing::kXvfbRun;
using testing::XvfbArgs;
const std::filesystem::path kExamArtifacts = std::filesystem::path(LONTAR_UI_ARTIFACTS) / "exam";

std::map<std::string, std::string> DemoPins() {
  std::map<std::string, std::string> pins;
  std::istringstream in(testing::ReadText(kDemo / "pins.csv"));
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    const auto comma = line.find(',');
    // participant,pin,accommodations
    if (comma != std::string::npos) {
      pins[line.substr(0, comma)] = line.substr(comma + 1, line.find(',', comma + 1) - comma - 1);
    }
  }
  return pins;
}

struct KioskRun {
  testing::CommandResult result;
  Json report;
};

class KioskExam : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kXvfbRun)) GTEST_SKIP() << "xvfb-run is not installed";
    std::filesystem::create_directories(kExamArtifacts);
    for (const char* k : {"authority", "results"}) {
      std::filesystem::copy_file(kDemo / "keys" / (std::string(k) + ".key"),
                                 dir_ / (std::string(k) + ".key"));
      std::filesystem::copy_file(kDemo / "keys" / (std::string(k) + ".pub"),
                                 dir_ / (std::string(k) + ".pub"));
      std::filesystem::permissions(
          dir_ / (std::string(k) + ".key"),
          std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    }
    Must(RunLontar({"terminal", "init", "--home", Home(), "--site", "DEMO-01", "--trust",
                    (dir_ / "authority.pub").string(), "--name", "Demo / PC 01"}));
    Must(RunLontar({"terminal", "enrollment", "--home", Home(), "--out",
                    (dir_ / "t.enroll").string(), "--force"}));
    Must(RunLontar(testing::PackBuildCommand(
        testing::DemoPackBuild("skd", dir_ / "authority.key", dir_ / "results.pub",
                               dir_ / "skd.lpk", dir_ / "t.enroll"))));
    Must(RunLontar({"terminal", "load", "--home", Home(), (dir_ / "skd.lpk").string()}));
  }

  void Release() {
    Must(RunLontar({"session", "release", "--home", Home(), "--code-file",
                    (kDemo / "release-code.txt").string()}));
    auto open = RunLontar({"session", "open", "--home", Home(), "--proctor-code-file",
                           (kDemo / "proctor-code.txt").string(), "--json"});
    Must(open);
    token_ = Json::parse(open.out)["token"];
  }

  static void Must(const testing::CommandResult& r) { ASSERT_EQ(r.exit_code, 0) << r.out << r.err; }
  std::string Home() const { return (dir_ / "t").string(); }

  std::vector<std::string> KioskArgs(int w, int h, const std::vector<std::string>& extra,
                                     const std::filesystem::path& script) const {
    std::vector<std::string> args =
        XvfbArgs(w, h,
                 {std::string(LONTAR_BIN_DIR) + "/lontar-kiosk", "--home", Home(),
                  "--open-session-with", (kDemo / "proctor-code.txt").string(), "--script",
                  script.string(), "--report", (dir_ / "report.json").string()});
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  KioskRun Kiosk(int w, int h, const std::vector<std::string>& extra, const KioskScript& script) {
    script.Write(dir_ / "script.jsonl");
    std::filesystem::remove(dir_ / "report.json");
    KioskRun run;
    run.result = RunProgram(kXvfbRun, KioskArgs(w, h, extra, dir_ / "script.jsonl"));
    if (std::filesystem::exists(dir_ / "report.json")) {
      run.report = Json::parse(testing::ReadText(dir_ / "report.json"));
    }
    return run;
  }

  // Log in as `participant` with the keyboard: number, Enter, PIN, Enter, token, Enter.
  void LogIn(KioskScript& s, const std::string& participant) {
    s.LogIn(participant, pins_.at(participant), token_);
  }

  Json Show(const std::string& participant) {
    auto r = RunLontar({"exam", "show", "--home", Home(), "--participant", participant, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Json::parse(r.out);
  }

  TempDir dir_;
  std::string token_;
  std::map<std::string, std::string> pins_ = DemoPins();
};

bool IsPng(const std::filesystem::path& p, int w, int h) {
  int width = 0, height = 0, channels = 0;
  unsigned char* data = stbi_load(p.c_str(), &width, &height, &channels, 4);
  if (data == nullptr) return false;
  stbi_image_free(data);
  return width == w && height == h;
}

// The whole demo sitting through the kiosk: keys choose most answers, the mouse some; items are
// flagged, two are left blank, the language is switched mid-item (nothing may change but the
// words), and the engine's journal must then agree with the kiosk and with a headless run.
TEST_F(KioskExam, WholeSittingThroughTheUiEqualsTheHeadlessRun) {
  Release();
  KioskScript s;
  LogIn(s, "DEMO-0001");
  s.Expect("instructions").Key("Return");
  const std::string keys = "12345ABCDE";
  for (int section = 0; section < 3; ++section) {
    for (int i = 0; i < 8; ++i) {
      s.Expect("item");
      if (i == 7 && section < 2) {
        // left blank
      } else if (i == 3) {
        s.Click("option.1");  // near the top: visible even under an image
      } else {
        s.Key(std::string(1, keys[(i + section) % 10]));
      }
      if (i == 1 || i == 4) s.Key("F");
      if (section == 1 && i == 2) {
        s.Click("a11y.language").Expect("item").Click("a11y.language");
      }
      if (i == 5) {
        s.Click("nav.7");  // the navigator, where the key would do the same
      } else {
        s.Key("Right");
      }
    }
    if (section < 2) s.Expect("next-section").Key("Return");
  }
  s.Expect("review").Key("Return").Expect("finished").Step("exit", 0);
  KioskRun run = Kiosk(1024, 768, {}, s);
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  EXPECT_EQ(run.report["screen"], "finished");
  EXPECT_EQ(run.report["layout_problems"], Json::array());

  // The journal holds exactly what the kiosk showed.
  Json shown = Show("DEMO-0001");
  EXPECT_EQ(shown["phase"], "submitted");
  EXPECT_EQ(shown["submitted_by"], "candidate");
  EXPECT_EQ(shown["answers"], run.report["answers"]);
  EXPECT_EQ(shown["flagged"], run.report["flagged"]);
  // Per section: items 1-7 answered by key or click, 8 answered only in the last section;
  // items 2 and 5 flagged.
  EXPECT_EQ(shown["answers"].size(), 7u + 7u + 8u);
  EXPECT_EQ(shown["flagged"].size(), 6u);

  // A headless run of the same answers and flags for another participant: same sitting, same
  // score.
  std::string lines;
  const std::vector<std::vector<std::string>> sections = {{"twk-"}, {"tiu-"}, {"tkp-"}};
  for (std::size_t sec = 0; sec < sections.size(); ++sec) {
    for (const auto& [item, answer] : shown["answers"].items()) {
      if (!item.starts_with(sections[sec][0])) continue;
      lines += Json{{"cmd", "answer"}, {"item", item}, {"options", answer}}.dump() + "\n";
    }
    for (const auto& item : shown["flagged"]) {
      if (!item.get<std::string>().starts_with(sections[sec][0])) continue;
      lines += Json{{"cmd", "flag"}, {"item", item}}.dump() + "\n";
    }
    lines += Json{{"cmd", sec + 1 < sections.size() ? "next-section" : "submit"}}.dump() + "\n";
  }
  testing::WriteText(dir_ / "headless.jsonl", lines);
  testing::WriteText(dir_ / "pin", pins_.at("DEMO-0002") + "\n");
  auto headless = RunLontar({"exam", "run", "--home", Home(), "--participant", "DEMO-0002",
                             "--pin-file", (dir_ / "pin").string(), "--token", token_, "--script",
                             (dir_ / "headless.jsonl").string(), "--json"});
  ASSERT_EQ(headless.exit_code, 0) << headless.err;
  Json other = Json::parse(headless.out);
  EXPECT_EQ(other["phase"], "submitted");
  EXPECT_EQ(other["answers"], shown["answers"]);
  EXPECT_EQ(other["flagged"], shown["flagged"]);
  EXPECT_EQ(other["score"], shown["score"]);
}

// Five wrong PINs lock the participant: the screen says to call the proctor, and the engine
// refuses even the right PIN afterwards (unlocking is the proctor's).
TEST_F(KioskExam, FiveWrongPinsShowTheLockedState) {
  Release();
  KioskScript s;
  s.Expect("login").Text("DEMO-0010").Key("Return");
  for (int i = 0; i < 5; ++i) {
    // Enter moves from the PIN to the token, and logs in from there; the token typed the first
    // time stays, the PIN is cleared after every attempt.
    s.Text("999999").Key("Return");
    if (i == 0) s.Text(token_);
    s.Key("Return");
  }
  s.Expect("login").Shot(kExamArtifacts / "login-locked-1024x768-100-id.png").Step("exit", 0);
  KioskRun run = Kiosk(1024, 768, {}, s);
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  EXPECT_EQ(run.report["layout_problems"], Json::array());
  testing::WriteText(dir_ / "pin", pins_.at("DEMO-0010") + "\n");
  testing::WriteText(dir_ / "none.jsonl", "");
  auto r = RunLontar({"exam", "run", "--home", Home(), "--participant", "DEMO-0010", "--pin-file",
                      (dir_ / "pin").string(), "--token", token_, "--script",
                      (dir_ / "none.jsonl").string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("locked"), std::string::npos) << r.err;
}

struct Look {
  const char* name;
  int width, height;
  std::vector<std::string> args;
};

void PrintTo(const Look& look, std::ostream* os) { *os << look.name; }

class KioskExamScreens : public KioskExam, public ::testing::WithParamInterface<Look> {};

// Every screen, in both languages, through a short sitting per look: waiting (no release yet),
// login, a refused login, instructions, an item with an image, next section, review, finished.
TEST_P(KioskExamScreens, EveryScreenFitsAndIsKept) {
  const Look& look = GetParam();
  const std::vector<std::string> participants = {"DEMO-0003", "DEMO-0004"};
  auto shot = [&](const std::string& screen, const std::string& lang) {
    return kExamArtifacts / (screen + "-" + look.name + "-" + lang + ".png");
  };
  auto args = [&](const std::string& lang) {
    std::vector<std::string> extra = look.args;
    extra.insert(extra.end(), {"--lang", lang});
    return extra;
  };
  // Before release: the waiting screen.
  for (const std::string lang : {"id", "en"}) {
    KioskScript w;
    w.Expect("waiting").Shot(shot("waiting", lang)).Step("exit", 0);
    KioskRun waiting = Kiosk(look.width, look.height, args(lang), w);
    ASSERT_EQ(waiting.result.exit_code, 0) << waiting.result.err;
    EXPECT_EQ(waiting.report["layout_problems"], Json::array());
    EXPECT_TRUE(IsPng(shot("waiting", lang), look.width, look.height));
    EXPECT_TRUE(testing::MatchesGolden(shot("waiting", lang)));
  }
  Release();
  for (std::size_t l = 0; l < 2; ++l) {
    const std::string lang = l == 0 ? "id" : "en";
    KioskScript s;
    s.Expect("login").Shot(shot("login", lang));
    s.Text(participants[l]).Key("Return").Text("000000").Key("Return").Text(token_).Key("Return");
    s.Expect("login").Shot(shot("login-refused", lang));
    s.Text(pins_.at(participants[l])).Key("Return").Key("Return");
    s.Expect("instructions").Shot(shot("instructions", lang)).Key("Return");
    s.Expect("item").Key("1").Key("F").Shot(shot("item", lang));
    s.Click("exam.finish").Expect("next-section").Shot(shot("next-section", lang)).Key("Return");
    // TIU: two items carry images, in an order shuffled per sitting: keep every one.
    for (int i = 1; i <= 8; ++i) {
      s.Expect("item").Key("2").Shot(shot("item-tiu-" + std::to_string(i), lang)).Key("Right");
    }
    s.Expect("next-section").Key("Return");
    s.Expect("item").Click("exam.finish").Expect("review").Shot(shot("review", lang));
    s.Key("Return").Expect("finished").Shot(shot("finished", lang)).Step("exit", 0);
    KioskRun run = Kiosk(look.width, look.height, args(lang), s);
    ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
    EXPECT_EQ(run.report["layout_problems"], Json::array()) << look.name << " " << lang;
    EXPECT_EQ(run.report["lang"], lang);
    EXPECT_EQ(run.report["screen"], "finished");
    for (const char* screen :
         {"login", "login-refused", "instructions", "item", "next-section", "review", "finished"}) {
      EXPECT_TRUE(IsPng(shot(screen, lang), look.width, look.height)) << screen << " " << lang;
    }
    // Compared with golden images: the screens whose content does not depend on the shuffled
    // item order (the items, the score on the finished screen).
    for (const char* screen :
         {"login", "login-refused", "instructions", "next-section", "review"}) {
      EXPECT_TRUE(testing::MatchesGolden(shot(screen, lang)));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Looks, KioskExamScreens,
    ::testing::Values(
        Look{"1024x768-100", 1024, 768, {}}, Look{"1024x768-200", 1024, 768, {"--font-scale", "2"}},
        Look{"1024x768-200-contrast", 1024, 768, {"--font-scale", "2", "--high-contrast"}},
        Look{"1920x1080-100", 1920, 1080, {}},
        Look{"1920x1080-200", 1920, 1080, {"--font-scale", "2"}},
        Look{"1920x1080-contrast", 1920, 1080, {"--high-contrast"}}),
    [](const ::testing::TestParamInfo<Look>& info) {
      std::string name = info.param.name;
      for (char& c : name) {
        if (c == '-') c = '_';
      }
      return name;
    });

// SIGKILL mid-item, then start again: the same item, answers and flags, and the remaining time
// within the five seconds a checkpoint may lose (engine.hpp invariant 2); no new login.
TEST_F(KioskExam, KilledMidItemComesBackToTheSameItem) {
  Release();
  KioskScript s;
  LogIn(s, "DEMO-0005");
  s.Expect("instructions").Key("Return");
  s.Expect("item").Key("1").Key("Right").Key("B").Key("F").Key("Right").Key("3").Key("Right");
  s.Step("sleep_ms", 7000).Expect("item");
  s.Write(dir_ / "script.jsonl");
  std::filesystem::remove(dir_ / "report.json");
  testing::CommandResult first;
  std::thread kiosk(
      [&] { first = RunProgram(kXvfbRun, KioskArgs(1024, 768, {}, dir_ / "script.jsonl")); });
  Json before;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (!std::filesystem::exists(dir_ / "report.json")) continue;
    const Json r = Json::parse(testing::ReadText(dir_ / "report.json"), nullptr, false);
    if (r.is_object() && r.value("script_done", false)) {
      before = r;
      break;
    }
  }
  ASSERT_TRUE(before.is_object()) << "the kiosk never finished its script";
  ASSERT_EQ(::kill(before["pid"].get<int>(), SIGKILL), 0);
  kiosk.join();
  EXPECT_EQ(first.exit_code, 128 + SIGKILL) << first.err;
  EXPECT_EQ(before["screen"], "item");
  EXPECT_EQ(before["answers"].size(), 3u);

  KioskScript again;
  again.Expect("item").Shot(kExamArtifacts / "item-after-restart.png").Step("exit", 0);
  KioskRun after = Kiosk(1024, 768, {}, again);
  ASSERT_EQ(after.result.exit_code, 0) << after.result.err;
  EXPECT_EQ(after.report["participant"], "DEMO-0005");
  EXPECT_EQ(after.report["current_item"], before["current_item"]);
  EXPECT_EQ(after.report["answers"], before["answers"]);
  EXPECT_EQ(after.report["flagged"], before["flagged"]);
  const int lost =
      after.report["remaining_seconds"].get<int>() - before["remaining_seconds"].get<int>();
  EXPECT_LE(std::abs(lost), 5) << "remaining before " << before["remaining_seconds"] << ", after "
                               << after.report["remaining_seconds"];
}

// The proctor panel: Ctrl+Alt+P, a wrong code refused, the right code, a reason, five more
// minutes and a pause, all journaled by the engine.
TEST_F(KioskExam, TheProctorPanelAddsTimeAndPauses) {
  Release();
  const std::string code = testing::ReadText(kDemo / "proctor-code.txt");
  KioskScript s;
  LogIn(s, "DEMO-0007");
  s.Expect("instructions").Key("Return").Expect("item").Key("1");
  s.Key("Ctrl+Alt+P").Expect("proctor").Text("WRONG-CODE").Key("Return");
  s.Text(code.substr(0, code.find_first_of("\r\n"))).Key("Return");
  s.Click("panel.reason").Text("power cut in the room").Click("panel.add5");
  s.Shot(kExamArtifacts / "proctor-1024x768-id.png").Click("panel.pause");
  s.Key("Ctrl+Alt+P").Expect("item").Shot(kExamArtifacts / "proctor-paused-1024x768-id.png");
  s.Step("exit", 0);
  KioskRun run = Kiosk(1024, 768, {}, s);
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  EXPECT_EQ(run.report["paused"], true);
  EXPECT_TRUE(run.report["layout_problems"].empty()) << run.report["layout_problems"];
  const Json shown = Show("DEMO-0007");
  EXPECT_EQ(shown["added_seconds"], 300);
  EXPECT_EQ(shown["paused"], true);
  auto journal = RunLontar({"journal", "show", "--home", Home()});
  EXPECT_NE(journal.out.find("session.proctor_denied"), std::string::npos);
  EXPECT_NE(journal.out.find("power cut in the room"), std::string::npos);
}

// The proctor pauses and then voids the sitting from the console; the kiosk, started again,
// shows the paused screen and then the voided ending, never the items.
TEST_F(KioskExam, TheProctorsPauseAndVoidShowOnTheKiosk) {
  Release();
  KioskScript s;
  LogIn(s, "DEMO-0006");
  s.Expect("instructions").Key("Return").Expect("item").Key("1").Step("exit", 0);
  KioskRun started = Kiosk(1024, 768, {}, s);
  ASSERT_EQ(started.result.exit_code, 0) << started.result.err;
  const std::vector<std::string> proctor = {"--home", Home(), "--proctor-code-file",
                                            (kDemo / "proctor-code.txt").string()};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.begin() + 2, proctor.begin(), proctor.end());
    return args;
  };
  Must(RunLontar(with({"session", "pause", "--participant", "DEMO-0006", "--reason", "unwell"})));
  KioskScript look;
  look.Expect("item").Shot(kExamArtifacts / "paused-1024x768-id.png").Step("exit", 0);
  KioskRun paused = Kiosk(1024, 768, {}, look);
  ASSERT_EQ(paused.result.exit_code, 0) << paused.result.err;
  EXPECT_EQ(paused.report["paused"], true);
  EXPECT_TRUE(paused.report["layout_problems"].empty()) << paused.report["layout_problems"];
  Must(RunLontar(with({"session", "resume", "--participant", "DEMO-0006"})));
  // The kiosk runs on while the proctor voids the sitting at the console: within its 5-second
  // checkpoint it shows the ending.
  KioskScript end;
  end.Expect("item").Step("sleep_ms", 9000).Expect("finished");
  end.Shot(kExamArtifacts / "voided-1024x768-id.png").Step("exit", 0);
  end.Write(dir_ / "script.jsonl");
  std::filesystem::remove(dir_ / "report.json");
  testing::CommandResult running;
  std::thread kiosk(
      [&] { running = RunProgram(kXvfbRun, KioskArgs(1024, 768, {}, dir_ / "script.jsonl")); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline &&
         !std::filesystem::exists(dir_ / "report.json")) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  Must(RunLontar(with({"session", "void", "--participant", "DEMO-0006", "--reason", "notes"})));
  kiosk.join();
  ASSERT_EQ(running.exit_code, 0) << running.err;
  const Json voided = Json::parse(testing::ReadText(dir_ / "report.json"));
  EXPECT_EQ(voided["phase"], "voided");
  EXPECT_EQ(voided["screen"], "finished");
  // Logging in again is refused with the reason.
  KioskScript again;
  LogIn(again, "DEMO-0006");
  again.Expect("login").Step("exit", 0);
  KioskRun refused = Kiosk(1024, 768, {}, again);
  ASSERT_EQ(refused.result.exit_code, 0) << refused.result.err;
  EXPECT_EQ(Show("DEMO-0006")["phase"], "voided");
}

}  // namespace
}  // namespace lontar

namespace lontar {
namespace {

// The mini test exam (tests/fixtures/mini-exam), as changed by the caller in dir/src, built and
// loaded on a terminal at dir/t with keys made for the test, released, and the session opened.
// Returns the session token; fails the current test on any error.
std::string MiniSession(const TempDir& dir) {
  for (const char* role : {"authority", "results"}) {
    testing::ExpectDone(RunLontar({"keys", "new", role, "--out", (dir / "keys").string()}));
  }
  return testing::MiniSession(dir.path(), "TEST-01");
}

void CopyMiniExam(const TempDir& dir) {
  std::filesystem::copy(testing::kMini, dir / "src", std::filesystem::copy_options::recursive);
}

// The item types the demo SKD lacks: multiple response (checkboxes; each key toggles) and a
// Likert scale, in the mini test exam with one item of each swapped in.
TEST(KioskItemTypes, MultipleResponseTogglesAndLikertChoosesOnePoint) {
  if (!std::filesystem::exists(kXvfbRun)) GTEST_SKIP() << "xvfb-run is not installed";
  TempDir dir;
  CopyMiniExam(dir);
  testing::WriteText(dir / "src/items/tiu-01.yaml", R"(id: tiu-01
type: multiple
stem: {id: "Manakah bilangan genap?", en: "Which numbers are even?"}
options:
  - {key: A, text: {id: "4", en: "4"}, correct: true}
  - {key: B, text: {id: "7", en: "7"}}
  - {key: C, text: {id: "12", en: "12"}, correct: true}
points: {correct: 5, wrong: 0}
partial: proportional
)");
  testing::WriteText(dir / "src/items/tkp-02.yaml", R"(id: tkp-02
type: likert
competency: integritas
stem: {id: "Saya menepati janji kepada warga.", en: "I keep my promises to citizens."}
options:
  - {key: A, text: {id: "Sangat tidak setuju", en: "Strongly disagree"}, weight: 1}
  - {key: B, text: {id: "Tidak setuju", en: "Disagree"}, weight: 2}
  - {key: C, text: {id: "Ragu-ragu", en: "Unsure"}, weight: 3}
  - {key: D, text: {id: "Setuju", en: "Agree"}, weight: 4}
  - {key: E, text: {id: "Sangat setuju", en: "Strongly agree"}, weight: 5}
)");
  const std::string token = MiniSession(dir);
  ASSERT_FALSE(token.empty());
  const std::string home = (dir / "t").string();
  auto must = [](const testing::CommandResult& r) { ASSERT_EQ(r.exit_code, 0) << r.out << r.err; };

  // Items are shuffled, so every item of a section gets the same keys: on the two-option single
  // item "3" does nothing; on the multiple-response item "1" and "3" tick A and C.
  KioskScript s;
  s.LogIn("TEST-0001", "111111", token).Expect("instructions").Key("Return");
  for (int i = 1; i <= 2; ++i) {
    s.Expect("item").Key("1").Key("3").Shot(kExamArtifacts /
                                            ("types-tiu-" + std::to_string(i) + ".png"));
    s.Key("Right");
  }
  s.Expect("next-section").Key("Return");
  for (int i = 1; i <= 2; ++i) {
    s.Expect("item").Key("4").Shot(kExamArtifacts / ("types-tkp-" + std::to_string(i) + ".png"));
    s.Key("Right");
  }
  s.Expect("review").Step("exit", 0);
  s.Write(dir / "script.jsonl");
  auto run = RunProgram(kXvfbRun, XvfbArgs(1024, 768,
                                           {std::string(LONTAR_BIN_DIR) + "/lontar-kiosk", "--home",
                                            home, "--script", (dir / "script.jsonl").string(),
                                            "--report", (dir / "report.json").string()}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const Json report = Json::parse(testing::ReadText(dir / "report.json"));
  EXPECT_EQ(report["layout_problems"], Json::array());
  auto show = RunLontar({"exam", "show", "--home", home, "--participant", "TEST-0001", "--json"});
  must(show);
  const Json answers = Json::parse(show.out)["answers"];
  EXPECT_EQ(answers["tiu-01"], Json::array({"A", "C"}));
  EXPECT_EQ(answers["tiu-02"], Json::array({"A"}));
  EXPECT_EQ(answers["tkp-01"], Json::array({"D"}));
  EXPECT_EQ(answers["tkp-02"], Json::array({"D"}));
}

// Time runs out in the kiosk: a one-minute sitting shows the five-minute warning from its first
// item, and at zero the engine submits it (time-up) while the kiosk is running: the finished
// screen with the receipt code, the time-up submission in the journal, a bundle in the outbox.
TEST(KioskTimeUp, ZeroEndsTheSittingOnTheFinishedScreenWithAReceipt) {
  if (!std::filesystem::exists(kXvfbRun)) GTEST_SKIP() << "xvfb-run is not installed";
  TempDir dir;
  CopyMiniExam(dir);
  std::string exam = testing::ReadText(dir / "src/exam.yaml");
  exam.replace(exam.find("duration_minutes: 10"), 20, "duration_minutes: 1");
  exam.erase(exam.find("    minutes: 5\n"), 15);  // no section limit: the whole exam's minute
  testing::WriteText(dir / "src/exam.yaml", exam);
  const std::string token = MiniSession(dir);
  ASSERT_FALSE(token.empty());
  const std::string home = (dir / "t").string();
  auto kiosk = [&](const KioskScript& s, testing::CommandResult& result) {
    s.Write(dir / "script.jsonl");
    std::filesystem::remove(dir / "report.json");
    result = RunProgram(kXvfbRun, XvfbArgs(1024, 768,
                                           {std::string(LONTAR_BIN_DIR) + "/lontar-kiosk", "--home",
                                            home, "--script", (dir / "script.jsonl").string(),
                                            "--report", (dir / "report.json").string()}));
    return Json::parse(testing::ReadText(dir / "report.json"), nullptr, false);
  };

  // Log in and answer the first item: under five minutes from the start, so the warning is up.
  KioskScript first;
  first.LogIn("TEST-0001", "111111", token).Expect("instructions").Key("Return");
  first.Expect("item")
      .Key("1")
      .Shot(kExamArtifacts / "time-warning-1024x768-id.png")
      .Step("exit", 0);
  testing::CommandResult run;
  const Json started = kiosk(first, run);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(started["screen"], "item");
  EXPECT_EQ(started["time_warning"], true);
  const int left = started["remaining_seconds"].get<int>();
  ASSERT_GT(left, 0);
  ASSERT_LE(left, 60);

  // Started again, the kiosk carries on with the sitting (time is charged while a kiosk runs it)
  // and is left alone until past zero.
  KioskScript rest;
  rest.Expect("item").Step("sleep_ms", (left + 10) * 1000).Expect("finished");
  rest.Shot(kExamArtifacts / "time-up-1024x768-id.png").Step("exit", 0);
  const Json ended = kiosk(rest, run);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(ended["screen"], "finished");
  EXPECT_EQ(ended["phase"], "submitted");
  EXPECT_EQ(ended["time_warning"], false);
  const std::string receipt = ended.value("receipt", "");
  EXPECT_FALSE(receipt.empty()) << "no receipt code on the finished screen";

  auto show = RunLontar({"exam", "show", "--home", home, "--participant", "TEST-0001", "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(Json::parse(show.out)["submitted_by"], "time-up");
  EXPECT_EQ(Json::parse(show.out)["answers"].size(), 1u);
  auto journal = RunLontar({"journal", "show", "--home", home});
  ASSERT_EQ(journal.exit_code, 0) << journal.err;
  EXPECT_NE(journal.out.find("time-up"), std::string::npos) << journal.out;
  auto outbox = RunLontar({"bundles", "list", "--home", home, "--json"});
  ASSERT_EQ(outbox.exit_code, 0) << outbox.err;
  const Json bundles = Json::parse(outbox.out)["bundles"];
  ASSERT_EQ(bundles.size(), 1u) << outbox.out;
  EXPECT_EQ(bundles[0]["participant"], "TEST-0001");
  EXPECT_EQ(bundles[0]["kind"], "submitted");
  EXPECT_EQ(bundles[0]["receipt_code"], receipt);
}

// The pixel at (x, y) of a screenshot, RGB.
std::array<int, 3> PixelAt(const std::filesystem::path& png, int x, int y) {
  int w = 0, h = 0, channels = 0;
  unsigned char* data = stbi_load(png.c_str(), &w, &h, &channels, 3);
  if (data == nullptr || x >= w || y >= h) return {-1, -1, -1};
  const unsigned char* p = data + (static_cast<std::size_t>(y) * w + x) * 3;
  std::array<int, 3> rgb{p[0], p[1], p[2]};
  stbi_image_free(data);
  return rgb;
}

// DEMO-0009's roster line asks for large text and high contrast: the first screen after login
// already has them (no button pressed); the proctor sees them in `session status`. DEMO-0008's
// extra time x1.3 turns the demo's 45 minutes into 58.5.
TEST_F(KioskExam, RosterAccommodationsApplyFromTheFirstScreenAfterLogin) {
  Release();
  KioskScript s;
  LogIn(s, "DEMO-0009");
  s.Expect("instructions").Shot(kExamArtifacts / "accommodated-instructions-1024x768-id.png");
  s.Key("Return").Expect("item").Shot(kExamArtifacts / "accommodated-item-1024x768-id.png");
  s.Step("exit", 0);
  KioskRun run = Kiosk(1024, 768, {}, s);
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  EXPECT_EQ(run.report["participant"], "DEMO-0009");
  EXPECT_EQ(run.report["font_scale"], 1.5);
  EXPECT_EQ(run.report["high_contrast"], true);
  EXPECT_EQ(run.report["layout_problems"], Json::array());
  // High contrast is black behind white text: the top-left corner is black.
  EXPECT_EQ(PixelAt(kExamArtifacts / "accommodated-instructions-1024x768-id.png", 2, 2),
            (std::array<int, 3>{0, 0, 0}));

  auto status = RunLontar({"session", "status", "--home", Home(), "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const Json sittings = Json::parse(status.out)["sittings"];
  ASSERT_EQ(sittings.size(), 1u);
  EXPECT_EQ(sittings[0]["accommodations"], "large text; high contrast");
  EXPECT_EQ(sittings[0]["accommodations_from"], "roster.csv of DEMO-SKD-2026 version 1");

  // DEMO-0008's x1.3, headless: 45 x 1.3 = 58.5 minutes = 3510 s.
  testing::WriteText(dir_ / "empty.jsonl", "");
  testing::WriteText(dir_ / "pin", pins_.at("DEMO-0008") + "\n");
  auto run8 = RunLontar({"exam", "run", "--home", Home(), "--participant", "DEMO-0008",
                         "--pin-file", (dir_ / "pin").string(), "--token", token_, "--script",
                         (dir_ / "empty.jsonl").string(), "--json"});
  ASSERT_EQ(run8.exit_code, 0) << run8.err;
  const Json shown = Show("DEMO-0008");
  EXPECT_EQ(shown["accommodations"], "x1.3");
  EXPECT_EQ(shown["time_limit_seconds"], 3510);
  EXPECT_GT(shown["remaining_seconds"].get<int>(), 3510 - 60);
}

// DEMO-0010 has read-aloud: R (or the large button) reads the item, R again stops it, moving to
// another item stops it, and the volume keys step the volume. Audio goes to SDL's dummy driver.
TEST_F(KioskExam, ReadAloudKeysStartStopAndVolume) {
  ::setenv("SDL_AUDIODRIVER", "dummy", 1);
  Release();
  KioskScript s;
  LogIn(s, "DEMO-0010");
  s.Expect("instructions").Key("Return").Expect("item");
  s.Key("R").Expect("item").Shot(kExamArtifacts / "read-aloud-speaking-1024x768-id.png");
  s.Key("Keypad +").Key("Keypad +").Key("-").Step("exit", 0);
  KioskRun speaking = Kiosk(1024, 768, {}, s);
  ASSERT_EQ(speaking.result.exit_code, 0) << speaking.result.err;
  const Json& ra = speaking.report["read_aloud"];
  EXPECT_EQ(ra["on"], true);
  EXPECT_EQ(ra["error"], "");
  EXPECT_EQ(ra["speaking"], true) << "an item takes seconds to read";
  EXPECT_EQ(ra["about"], "item/" + speaking.report["current_item"].get<std::string>());
  EXPECT_EQ(ra["volume"], 90) << "80, up twice to the 100 cap, down once";
  EXPECT_TRUE(ra.contains("first_block_ms"));

  // The kiosk comes back to the sitting without a login: R, then the next item stops it.
  KioskScript moved;
  moved.Expect("item").Key("R").Key("Right").Expect("item").Step("exit", 0);
  KioskRun after_move = Kiosk(1024, 768, {}, moved);
  ASSERT_EQ(after_move.result.exit_code, 0) << after_move.result.err;
  EXPECT_EQ(after_move.report["read_aloud"]["speaking"], false);
  EXPECT_EQ(after_move.report["read_aloud"]["about"], "");
  EXPECT_NE(after_move.report["current_item"], speaking.report["current_item"]);

  // R twice: started, then stopped.
  KioskScript twice;
  twice.Expect("item").Key("R").Key("R").Step("exit", 0);
  KioskRun stopped = Kiosk(1024, 768, {}, twice);
  ASSERT_EQ(stopped.result.exit_code, 0) << stopped.result.err;
  EXPECT_EQ(stopped.report["read_aloud"]["speaking"], false);
  EXPECT_EQ(stopped.report["read_aloud"]["about"], "");
}

// A whole sitting by keyboard alone (docs/candidate.md, "Keyboard"): Escape leaves the login
// field, Tab rings the controls in drawing order (options, the navigator, then the bottom bar)
// and Shift+Tab goes back from the end, Space presses what the ring is on, and the shortcuts do
// the rest. The ring is drawn at 100% and 200% text and in high contrast; the instructions
// screen with the ring on Start is a golden (it does not depend on the shuffled item order).
TEST_F(KioskExam, AWholeSittingByKeyboardAloneWithAVisibleFocusRing) {
  Release();
  KioskScript s;
  // Login: out of the field, Tab to it (the first control), Space to type into it.
  s.Expect("login").Key("Escape").Key("Tab").Shot(kExamArtifacts / "keyboard-login-ring.png");
  s.Key("Space").Text("DEMO-0011").Key("Return").Text(pins_.at("DEMO-0011")).Key("Return");
  s.Text(token_).Key("Return");
  // Instructions: Tab rings Start; Space starts.
  s.Expect("instructions")
      .Key("Tab")
      .Shot(kExamArtifacts / "keyboard-instructions-ring-1024x768-100-id.png");
  s.Key("Space");
  // First item: Tab, Tab rings option B, Space chooses it; F marks it doubtful; Right goes on.
  s.Expect("item").Key("Tab").Key("Tab").Shot(kExamArtifacts / "keyboard-item-ring-100.png");
  s.Key("Space").Key("F").Key("Right");
  // Second item: Shift+Tab twice rings A+ (the bar ends A-, A+, contrast); Space four times is
  // 200% text; Tab, Tab wraps round to option A; Space chooses it.
  s.Expect("item").Key("Shift+Tab").Key("Shift+Tab");
  for (int i = 0; i < 4; ++i) s.Key("Space");
  s.Key("Tab").Key("Tab").Shot(kExamArtifacts / "keyboard-item-ring-200.png").Key("Space");
  // High contrast from the ring: Shift+Tab back to it, Space.
  s.Key("Shift+Tab").Key("Space").Shot(kExamArtifacts / "keyboard-item-ring-200-contrast.png");
  s.Key("Right");
  for (int section = 0; section < 3; ++section) {
    for (int i = section == 0 ? 2 : 0; i < 8; ++i) s.Expect("item").Key("C").Key("Right");
    if (section < 2) s.Expect("next-section").Key("Return");
  }
  // Review: eight Tabs over the section's navigator numbers, the ninth rings Back, the tenth
  // Submit; Space submits.
  s.Expect("review");
  for (int i = 0; i < 10; ++i) s.Key("Tab");
  s.Shot(kExamArtifacts / "keyboard-review-ring.png").Key("Space");
  s.Expect("finished").Shot(kExamArtifacts / "keyboard-finished.png").Step("exit", 0);
  KioskRun run = Kiosk(1024, 768, {}, s);
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  EXPECT_EQ(run.report["screen"], "finished");
  EXPECT_EQ(run.report["layout_problems"], Json::array());
  EXPECT_EQ(run.report["font_scale"], 2.0);
  EXPECT_EQ(run.report["high_contrast"], true);
  const Json shown = Show("DEMO-0011");
  EXPECT_EQ(shown["phase"], "submitted");
  EXPECT_EQ(shown["submitted_by"], "candidate");
  EXPECT_EQ(shown["answers"].size(), 24u);  // every item: two by the ring, the rest by C
  EXPECT_EQ(shown["flagged"].size(), 1u);
  EXPECT_EQ(shown["answers"], run.report["answers"]);
  EXPECT_TRUE(
      testing::MatchesGolden(kExamArtifacts / "keyboard-instructions-ring-1024x768-100-id.png"));
}

}  // namespace
}  // namespace lontar
