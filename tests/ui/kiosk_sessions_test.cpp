// Two sessions on one terminal in one day, through the real kiosk under Xvfb: the morning's SKD
// pack and the afternoon's CACT pack are built and loaded; the proctor chooses the morning's in
// the panel on the waiting screen and releases it; a candidate sits it to the end; the proctor
// then releases the afternoon's from the panel, the morning's bundle stays in the outbox, and a
// participant of the afternoon's roster logs in. Screenshots land in
// <build>/test-artifacts/ui/sessions/; the pack-choice panel has a golden.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/pack_build.hpp"
#include "tests/support/test_support.hpp"
#include "tests/ui/demo_pack.hpp"
#include "tests/ui/golden.hpp"
#include "tests/ui/ui_paths.hpp"
#include "tests/ui/xvfb.hpp"

namespace lontar {
namespace {

using Json = nlohmann::json;
using testing::kDemo;
using testing::RunLontar;

using testing::kXvfbRun;
using testing::XvfbArgs;
const std::filesystem::path kSessionArtifacts =
    std::filesystem::path(LONTAR_UI_ARTIFACTS) / "sessions";
constexpr char kPin[] = "224906";  // DEMO-0001's, assets/demo/pins.csv (on both rosters)

std::string FirstLine(const std::filesystem::path& file) {
  const std::string text = testing::ReadText(file);
  return text.substr(0, text.find_first_of("\r\n"));
}

class KioskSessions : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kXvfbRun)) GTEST_SKIP() << "xvfb-run is not installed";
    std::filesystem::create_directories(kSessionArtifacts);
    for (const std::string k : {"authority.key", "authority.pub", "results.pub"}) {
      std::filesystem::copy_file(kDemo / "keys" / k, dir_ / k);
    }
    std::filesystem::permissions(dir_ / "authority.key", std::filesystem::perms::owner_read |
                                                             std::filesystem::perms::owner_write);
    Must(RunLontar({"terminal", "init", "--home", Home(), "--site", "DEMO-01", "--trust",
                    (dir_ / "authority.pub").string(), "--name", "Demo / PC 01"}));
    Must(RunLontar({"terminal", "enrollment", "--home", Home(), "--out",
                    (dir_ / "t.enroll").string(), "--force"}));
    // The morning's pack valid all day long; the afternoon's from 13:00 to 17:30 (on other days,
    // so that the window is fixed text in the golden).
    Build("skd", "2020-01-01T00:00:00Z", "2099-01-01T00:00:00Z");
    Build("cact", "2021-06-01T13:00:00Z", "2098-12-31T17:30:00Z");
  }

  void Build(const std::string& exam, const std::string& from, const std::string& until) {
    auto args = testing::PackBuildCommand(
        testing::DemoPackBuild(exam, dir_ / "authority.key", dir_ / "results.pub",
                               dir_ / (exam + ".lpk"), dir_ / "t.enroll"));
    *(std::find(args.begin(), args.end(), "--valid-from") + 1) = from;
    *(std::find(args.begin(), args.end(), "--valid-until") + 1) = until;
    Must(RunLontar(args));
    Must(RunLontar({"terminal", "load", "--home", Home(), (dir_ / (exam + ".lpk")).string()}));
  }

  static void Must(const testing::CommandResult& r) { ASSERT_EQ(r.exit_code, 0) << r.out << r.err; }
  std::string Home() const { return (dir_ / "t").string(); }

  // The kiosk at 1024x768 in Bahasa Indonesia through `script` (one JSON step a line), its report.
  Json Kiosk(const std::vector<Json>& script) {
    std::string text;
    for (const Json& step : script) text += step.dump() + "\n";
    testing::WriteText(dir_ / "script.jsonl", text);
    std::filesystem::remove(dir_ / "report.json");
    auto r = testing::RunProgram(
        kXvfbRun,
        XvfbArgs(1024, 768,
                 {std::string(LONTAR_BIN_DIR) + "/lontar-kiosk", "--home", Home(), "--script",
                  (dir_ / "script.jsonl").string(), "--report", (dir_ / "report.json").string()}),
        {"TZ=UTC"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    if (!std::filesystem::exists(dir_ / "report.json")) return Json::object();
    return Json::parse(testing::ReadText(dir_ / "report.json"));
  }

  // The token of the session now running (the pack released last), as the proctor reads it off.
  std::string OpenSession() {
    auto open = RunLontar({"session", "open", "--home", Home(), "--proctor-code-file",
                           (kDemo / "proctor-code.txt").string(), "--json"});
    EXPECT_EQ(open.exit_code, 0) << open.err;
    return open.exit_code == 0 ? Json::parse(open.out)["token"].get<std::string>() : "";
  }

  testing::TempDir dir_;
  const std::string release_code_ = FirstLine(kDemo / "release-code.txt");
  const std::string proctor_code_ = FirstLine(kDemo / "proctor-code.txt");
};

Json Step(const std::string& kind, const Json& value) { return Json{{kind, value}}; }
Json Shot(const std::string& name) {
  return Step("screenshot", (kSessionArtifacts / name).string());
}

TEST_F(KioskSessions, TwoSessionsInADayFromTheProctorPanel) {
  // Morning, before any release: both packs are valid, so the proctor chooses. The panel lists
  // them newest loaded first: the afternoon's (0), the morning's (1).
  const std::string choice = "proctor-sessions-1024x768-id.png";
  Json report = Kiosk({Step("expect", "waiting"),
                       Shot("waiting-choose-1024x768-id.png"),
                       Step("key", "Ctrl+Alt+P"),
                       Step("expect", "proctor"),
                       Shot(choice),
                       Step("click", "panel.session.1"),
                       Step("key", "Ctrl+Alt+P"),
                       Step("expect", "waiting"),
                       Shot("waiting-next-1024x768-id.png"),
                       Step("key", "Ctrl+Alt+P"),
                       Step("expect", "proctor"),
                       Step("text", "WRONG-CODE"),
                       Step("key", "Return"),
                       Shot("proctor-release-refused-1024x768-id.png"),
                       Step("text", release_code_),
                       Step("key", "Return"),
                       Shot("proctor-released-1024x768-id.png"),
                       Step("key", "Ctrl+Alt+P"),
                       Step("expect", "login"),
                       Step("exit", 0)});
  EXPECT_EQ(report["screen"], "login");
  EXPECT_EQ(report["layout_problems"], Json::array());
  EXPECT_TRUE(testing::MatchesGolden(kSessionArtifacts / choice));
  auto packs = RunLontar({"terminal", "status", "--home", Home(), "--json"});
  ASSERT_EQ(packs.exit_code, 0) << packs.err;
  for (const Json& p : Json::parse(packs.out)["packs"]) {
    EXPECT_EQ(p["released"], p["exam_id"] == "DEMO-SKD-2026") << p.dump();
  }

  // The morning's sitting, to the end: every item left blank, every section closed.
  const std::string morning = OpenSession();
  std::vector<Json> sit = {
      Step("expect", "login"), Step("text", "DEMO-0001"),      Step("key", "Return"),
      Step("text", kPin),      Step("key", "Return"),          Step("text", morning),
      Step("key", "Return"),   Step("expect", "instructions"), Step("key", "Return")};
  for (int section = 0; section < 3; ++section) {
    for (int i = 0; i < 8; ++i) sit.push_back(Step("key", "Right"));
    sit.push_back(Step("expect", section < 2 ? "next-section" : "review"));
    sit.push_back(Step("key", "Return"));
  }
  // Between sessions: the panel offers the afternoon's, the one left valid and not released.
  for (const Json& s :
       {Step("expect", "finished"), Step("key", "Ctrl+Alt+P"), Step("expect", "proctor"),
        Shot("proctor-between-1024x768-id.png"), Step("click", "panel.release_code"),
        Step("text", release_code_), Step("key", "Return"), Step("text", proctor_code_),
        Step("key", "Return"), Step("click", "panel.token"),
        Shot("proctor-afternoon-1024x768-id.png"), Step("key", "Ctrl+Alt+P"),
        Step("expect", "login"), Shot("login-afternoon-1024x768-id.png"), Step("exit", 0)}) {
    sit.push_back(s);
  }
  report = Kiosk(sit);
  EXPECT_EQ(report["screen"], "login");
  EXPECT_EQ(report["layout_problems"], Json::array());

  // The morning's bundle waits in the outbox for delivery.
  auto outbox = RunLontar({"bundles", "list", "--home", Home(), "--json"});
  ASSERT_EQ(outbox.exit_code, 0) << outbox.err;
  const Json bundles = Json::parse(outbox.out)["bundles"];
  ASSERT_EQ(bundles.size(), 1u) << outbox.out;
  EXPECT_EQ(bundles[0]["participant"], "DEMO-0001");
  EXPECT_EQ(bundles[0]["kind"], "submitted");

  // The afternoon's roster logs in: DEMO-0001 again, now to the CACT.
  const std::string afternoon = OpenSession();
  EXPECT_NE(afternoon, morning) << "each pack has its own token";
  report = Kiosk({Step("expect", "login"), Step("text", "DEMO-0001"), Step("key", "Return"),
                  Step("text", kPin), Step("key", "Return"), Step("text", afternoon),
                  Step("key", "Return"), Step("expect", "instructions"),
                  Shot("instructions-afternoon-1024x768-id.png"), Step("exit", 0)});
  EXPECT_EQ(report["participant"], "DEMO-0001");
  EXPECT_EQ(report["phase"], "in-progress");
  auto show = RunLontar({"exam", "show", "--home", Home(), "--participant", "DEMO-0001", "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  const Json shown = Json::parse(show.out);
  EXPECT_EQ(shown["section"], "manajerial-sosiokultural") << "the CACT's, not the SKD's";
  EXPECT_EQ(shown["phase"], "in-progress");
}

}  // namespace
}  // namespace lontar
