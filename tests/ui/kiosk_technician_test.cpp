// Technician mode through the real kiosk under Xvfb, with a directory standing in for the USB
// stick (--usb-stick): the chord, a wrong code refused, the right code, loading a pack from the
// stick, exporting bundles and writing the enrollment record to it, setting the server, returning
// to the kiosk; and initialising a terminal that is not yet one. What the kiosk did is checked on
// disk and in the terminal's journal. Screenshots land in <build>/test-artifacts/ui/technician/.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/terminal/enrollment.hpp"
#include "tests/support/pack_build.hpp"
#include "tests/support/test_support.hpp"
#include "tests/ui/demo_pack.hpp"
#include "tests/ui/golden.hpp"
#include "tests/ui/kiosk_script.hpp"
#include "tests/ui/ui_paths.hpp"
#include "tests/ui/xvfb.hpp"

namespace lontar {
namespace {

using Json = nlohmann::json;
using testing::kDemo;
using testing::KioskScript;
using testing::ReadText;
using testing::RunLontar;
using testing::RunProgram;
using testing::TempDir;
using testing::WriteText;

using testing::kXvfbRun;
using testing::XvfbArgs;
const std::filesystem::path kTechnicianArtifacts =
    std::filesystem::path(LONTAR_UI_ARTIFACTS) / "technician";
const std::string kCode = "teknisi-kopi-2026";

// Screenshot NAME of the 1024x768 runs, named like the other screens' goldens.
std::filesystem::path ShotPath(const std::string& name) {
  return kTechnicianArtifacts / ("technician-" + name + "-1024x768.png");
}

class KioskTechnician : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kXvfbRun)) GTEST_SKIP() << "xvfb-run is not installed";
    std::filesystem::create_directories(kTechnicianArtifacts);
    std::filesystem::create_directories(Stick());
    std::filesystem::copy_file(kDemo / "keys" / "authority.pub", Stick() / "authority.pub");
    WriteText(dir_ / "code.txt", kCode + "\n");
    // The interactive cost keeps the test quick; the kiosk reads the cost from the hash.
    Must(RunLontar({"technician", "code", "--out", CodeFile().string(), "--code-file",
                    (dir_ / "code.txt").string(), "--cost", "interactive"}));
  }

  // A terminal with no pack loaded (the kiosk shows its waiting screen), the demo pack built for
  // it on the stick, and a server key on the stick.
  void InitialisedTerminalAndPackOnStick() {
    Must(RunLontar({"terminal", "init", "--home", Home(), "--site", "DEMO-01", "--trust",
                    (kDemo / "keys" / "authority.pub").string(), "--name", "Demo / PC 01"}));
    Must(RunLontar(
        {"terminal", "enrollment", "--home", Home(), "--out", (dir_ / "t.enroll").string()}));
    std::filesystem::copy_file(kDemo / "keys" / "authority.key", dir_ / "authority.key");
    std::filesystem::permissions(dir_ / "authority.key", std::filesystem::perms::owner_read |
                                                             std::filesystem::perms::owner_write);
    Must(RunLontar(testing::PackBuildCommand(
        testing::DemoPackBuild("skd", dir_ / "authority.key", kDemo / "keys" / "results.pub",
                               Stick() / "skd.lpk", dir_ / "t.enroll"))));
    Must(RunLontar({"keys", "new", "server", "--out", (dir_ / "server").string()}));
    std::filesystem::copy_file(dir_ / "server" / "server.pub", Stick() / "server.pub");
  }

  static void Must(const testing::CommandResult& r) { ASSERT_EQ(r.exit_code, 0) << r.out << r.err; }
  std::filesystem::path Home() const { return dir_ / "t"; }
  std::filesystem::path Stick() const { return dir_ / "LONTAR-USB"; }
  std::filesystem::path CodeFile() const { return dir_ / "technician.code"; }
  std::filesystem::path ClockRecord() const { return dir_ / "clock-requests.jsonl"; }

  Json Run(const KioskScript& script, const std::string& lang = "en") {
    script.Write(dir_ / "script.jsonl");
    std::filesystem::remove(dir_ / "report.json");
    auto r = RunProgram(kXvfbRun, XvfbArgs(1024, 768,
                                           {std::string(LONTAR_BIN_DIR) + "/lontar-kiosk", "--home",
                                            Home().string(), "--lang", lang, "--technician-code",
                                            CodeFile().string(), usb_option_, usb_dir_.string(),
                                            "--script", (dir_ / "script.jsonl").string(),
                                            "--report", (dir_ / "report.json").string(),
                                            // TEST HOOK: the clock page only records its
                                            // requests; the host's clock is never changed.
                                            "--clock-test-record", ClockRecord().string(),
                                            "--localtime", (dir_ / "localtime").string()}));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    if (!std::filesystem::exists(dir_ / "report.json")) return Json();
    return Json::parse(ReadText(dir_ / "report.json"));
  }

  // The technician records of the terminal's journal, and the pack loads, in order.
  std::vector<Json> TechnicianRecords() {
    auto r = RunLontar({"journal", "show", "--home", Home().string(), "--limit", "1000", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<Json> out;
    for (const auto& j : Json::parse(r.out)) {
      const std::string type = j["type"];
      if (type.starts_with("technician.") || type == "pack.loaded") out.push_back(j);
    }
    return out;
  }

  TempDir dir_;
  // How the kiosk reaches the stick: a directory standing in for it, or the USB gate protocol.
  std::string usb_option_ = "--usb-stick";
  std::filesystem::path usb_dir_ = Stick();
};

TEST_F(KioskTechnician, EveryActionFromTheWaitingScreenIsDoneAndJournaled) {
  InitialisedTerminalAndPackOnStick();
  KioskScript s;
  s.Expect("waiting").Key("Ctrl+Alt+T").Expect("technician-code").Shot(ShotPath("code-en"));
  s.Text("not-the-code-99").Key("Return").Expect("technician-code").Shot(ShotPath("code-wrong-en"));
  s.Text(kCode).Key("Return").Expect("technician").Shot(ShotPath("menu-en"));
  s.Click("tech.packs").Expect("technician-packs").Shot(ShotPath("packs-en"));
  s.Click("tech.pack.0").Expect("technician-packs").Shot(ShotPath("packs-loaded-en"));
  s.Click("tech.back").Expect("technician");
  s.Click("tech.enrollment").Expect("technician");
  s.Click("tech.export").Expect("technician").Shot(ShotPath("exported-en"));
  s.Click("tech.set_server").Expect("technician-server");
  s.Click("tech.server_address").Text("10.0.0.5:8470");
  // The stick holds authority.pub and server.pub, sorted: the server key is the second.
  s.Click("tech.key.1").Shot(ShotPath("server-en"));
  s.Click("tech.server_save").Expect("technician").Shot(ShotPath("menu-after-en"));
  s.Click("tech.return").Expect("waiting").Step("exit", 0);
  const Json report = Run(s);
  EXPECT_EQ(report["screen"], "waiting");
  EXPECT_EQ(report["layout_problems"], Json::array());
  // Screens whose content is the same on every run are compared with reviewed goldens.
  for (const char* name : {"code-en", "packs-en", "server-en"}) {
    EXPECT_TRUE(testing::MatchesGolden(ShotPath(name)));
  }

  // The pack is loaded (the waiting screen now waits for the release, not for a pack).
  auto status = RunLontar({"terminal", "status", "--home", Home().string(), "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const Json st = Json::parse(status.out);
  ASSERT_EQ(st["packs"].size(), 1u);
  const std::string id = st["terminal_id"];

  // The enrollment record and the exported outbox are on the stick.
  auto enrollment = terminal::ReadEnrollmentFile(Stick() / (id + ".enroll"));
  ASSERT_TRUE(enrollment) << enrollment.error().message();
  EXPECT_EQ(enrollment->terminal_id, id);
  EXPECT_TRUE(std::filesystem::exists(Stick() / "lontar-bundles" / id / "manifest.json"));

  // The server setting, for the sync service.
  EXPECT_EQ(ReadText(Home() / "sync.conf"),
            "LONTAR_SERVER=http://10.0.0.5:8470\n"
            "LONTAR_SERVER_KEY=" +
                (Home() / "server.pub").string() + "\n");
  EXPECT_EQ(ReadText(Home() / "server.pub"), ReadText(Stick() / "server.pub"));

  // Every action in the journal, in order, the wrong code first.
  std::vector<std::string> types;
  for (const auto& j : TechnicianRecords()) types.push_back(j["type"]);
  const std::vector<std::string> expected = {"technician.code_refused",
                                             "technician.entered",
                                             "pack.loaded",
                                             "technician.pack_load",
                                             "technician.enrollment_write",
                                             "technician.bundles_export",
                                             "technician.server_set",
                                             "technician.left"};
  EXPECT_EQ(types, expected);
  const auto records = TechnicianRecords();
  if (records.size() == expected.size()) {
    EXPECT_EQ(records[0]["payload"]["failures"], 1);
    EXPECT_EQ(records[3]["payload"]["ok"], true);
    EXPECT_EQ(records[3]["payload"]["file"], "skd.lpk");
    EXPECT_EQ(records[6]["payload"]["server"], "http://10.0.0.5:8470");
    EXPECT_EQ(records[7]["payload"]["why"], "return");
    for (const auto& r : records) EXPECT_EQ(r.dump().find(kCode), std::string::npos);
  }
  auto verify = RunLontar({"journal", "verify", "--home", Home().string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
}

// A terminal whose results go through a site relay: the relay's key is chosen on the server page
// beside the server's, checked, copied, and named in sync.conf (LONTAR_RELAY_KEY).
TEST_F(KioskTechnician, TheServerPageSetsASiteRelayKey) {
  InitialisedTerminalAndPackOnStick();
  Must(RunLontar({"keys", "new", "server", "--out", (dir_ / "relay").string()}));
  std::filesystem::copy_file(dir_ / "relay" / "server.pub", Stick() / "relay.pub");
  KioskScript s;
  s.Expect("waiting").Key("Ctrl+Alt+T").Expect("technician-code").Text(kCode).Key("Return");
  s.Expect("technician").Click("tech.set_server").Expect("technician-server");
  s.Click("tech.server_address").Text("10.0.0.5:8470");
  // Sorted: authority.pub, relay.pub, server.pub.
  s.Click("tech.key.2").Click("tech.relay.1").Shot(ShotPath("server-relay-en"));
  s.Click("tech.server_save").Expect("technician");
  s.Click("tech.return").Expect("waiting").Step("exit", 0);
  const Json report = Run(s);
  EXPECT_EQ(report["layout_problems"], Json::array());
  EXPECT_EQ(ReadText(Home() / "sync.conf"),
            "LONTAR_SERVER=http://10.0.0.5:8470\n"
            "LONTAR_SERVER_KEY=" +
                (Home() / "server.pub").string() +
                "\nLONTAR_RELAY_KEY=" + (Home() / "relay.pub").string() + "\n");
  EXPECT_EQ(ReadText(Home() / "relay.pub"), ReadText(Stick() / "relay.pub"));
  EXPECT_EQ(ReadText(Home() / "server.pub"), ReadText(Stick() / "server.pub"));
}

TEST_F(KioskTechnician, InitialisesATerminalFromTheErrorScreen) {
  KioskScript s;
  s.Expect("error").Key("Ctrl+Alt+T").Expect("technician-code").Text(kCode).Key("Return");
  s.Expect("technician").Shot(ShotPath("menu-uninitialised-id"));
  s.Click("tech.init").Expect("technician-init");
  s.Click("tech.site").Text("DEMO-01");
  s.Click("tech.name").Text("Ruang 2 / PC 14");
  s.Click("tech.key.0").Shot(ShotPath("init-id"));
  s.Click("tech.init_do").Expect("technician");
  s.Click("tech.return").Expect("waiting").Step("exit", 0);
  const Json report = Run(s, "id");
  EXPECT_EQ(report["screen"], "waiting");
  EXPECT_EQ(report["layout_problems"], Json::array());
  EXPECT_TRUE(testing::MatchesGolden(ShotPath("init-id")));

  auto status = RunLontar({"terminal", "status", "--home", Home().string(), "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const Json st = Json::parse(status.out);
  EXPECT_EQ(st["site"], "DEMO-01");
  EXPECT_EQ(st["name"], "Ruang 2 / PC 14");
  ASSERT_EQ(st["trusted_keys"].size(), 1u);
  EXPECT_EQ(st["trusted_keys"][0]["label"], "authority.pub");
  std::vector<std::string> types;
  for (const auto& j : TechnicianRecords()) types.push_back(j["type"]);
  EXPECT_EQ(types, (std::vector<std::string>{"technician.initialised", "technician.left"}));
}

// The clock page, by keyboard alone: F2 from the menu, the date field has the keyboard, Tab to
// the time and the zone, Enter sets. A year typed wrong is refused and nothing is asked; the
// right date is asked of the clock service (here the test hook, which only records) and the
// change journaled with the old and new values.
TEST_F(KioskTechnician, TheClockPageSetsDateTimeAndZoneByKeyboard) {
  InitialisedTerminalAndPackOnStick();
  // The terminal's zone file: WITA.
  std::filesystem::create_symlink("/usr/share/zoneinfo/Asia/Makassar", dir_ / "localtime");
  KioskScript s;
  s.Expect("waiting").Key("Ctrl+Alt+T").Expect("technician-code").Text(kCode).Key("Return");
  s.Expect("technician").Key("F2").Expect("technician-clock");
  s.Text("2000-01-01").Key("Tab").Text("10:15").Key("Tab").Text("wit").Key("Return");
  s.Expect("technician-clock").Shot(ShotPath("clock-refused-en"));
  s.Click("tech.clock_date").Text("2026-12-06").Key("Tab").Text("10:15").Key("Tab").Text("WITA");
  s.Shot(ShotPath("clock-en"))
      .Key("Return")
      .Expect("technician-clock")
      .Shot(ShotPath("clock-set-en"));
  s.Click("tech.back").Expect("technician").Click("tech.return").Expect("waiting").Step("exit", 0);
  const Json report = Run(s);
  EXPECT_EQ(report["screen"], "waiting");
  EXPECT_EQ(report["layout_problems"], Json::array());
  EXPECT_TRUE(testing::MatchesGolden(ShotPath("clock-en")));

  // Asked once, for 2026-12-06 10:15 WITA = 02:15 UTC: 1796526900 (10:15 WIB, clock_set_test)
  // less an hour.
  const std::string line = ReadText(ClockRecord());
  ASSERT_EQ(line.size(), 66u) << line;  // one request
  const Json request = Json::parse(line);
  EXPECT_EQ(request["utc"], 1796523300);
  EXPECT_EQ(request["zone"], "Asia/Makassar");

  std::vector<Json> changes;
  auto r = RunLontar({"journal", "show", "--home", Home().string(), "--limit", "1000", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& j : Json::parse(r.out)) {
    if (j["type"] == "terminal.clock_set") changes.push_back(j["payload"]);
  }
  ASSERT_EQ(changes.size(), 1u);
  const Json& c = changes[0];
  EXPECT_EQ(c["new_utc_ms"], 1796523300000);
  EXPECT_EQ(c["new_zone"], "Asia/Makassar");
  EXPECT_EQ(c["old_zone"], "Asia/Makassar");
  EXPECT_GT(c["old_utc_ms"].get<std::int64_t>(), 1700000000000);  // this machine's clock
  EXPECT_EQ(c["by"], "technician");
  EXPECT_EQ(c["applied"], true);
  EXPECT_NE(c["message"].get<std::string>().find("test hook"), std::string::npos);
}

TEST_F(KioskTechnician, FiveWrongCodesLockThePrompt) {
  InitialisedTerminalAndPackOnStick();
  KioskScript s;
  s.Expect("waiting").Key("Ctrl+Alt+T").Expect("technician-code");
  // Each code is checked off the UI thread; the prompt comes back when the answer is in.
  for (int i = 0; i < 5; ++i) {
    s.Text("wrong-code-" + std::to_string(i)).Key("Return").Expect("technician-code");
  }
  s.Click("tech.locked").Shot(ShotPath("code-locked-en"));
  // Locked: even the right code is not taken (the field is gone).
  s.Step("exit", 0);
  Run(s);
  std::vector<Json> refused = TechnicianRecords();
  ASSERT_EQ(refused.size(), 5u);
  EXPECT_EQ(refused.back()["type"], "technician.code_refused");
  EXPECT_EQ(refused.back()["payload"]["locked"], true);
}

// What a slow frame delivers from a real keyboard: Enter pressed and released within one frame,
// and a held key's auto-repeat. The quick Enter still submits; the repeat types nothing (the
// code would be wrong with it).
TEST_F(KioskTechnician, AQuickEnterSubmitsAndKeyRepeatTypesNothing) {
  InitialisedTerminalAndPackOnStick();
  KioskScript s;
  s.Expect("waiting").Key("Ctrl+Alt+T").Expect("technician-code").Text(kCode);
  s.Step("repeat", std::string(1, kCode.back())).Step("tap", "Return").Expect("technician");
  s.Step("exit", 0);
  EXPECT_EQ(Run(s)["screen"], "technician");
  for (const Json& r : TechnicianRecords()) EXPECT_NE(r["type"], "technician.code_refused");
}

TEST_F(KioskTechnician, WithoutACodeFileTechnicianModeIsUnavailable) {
  InitialisedTerminalAndPackOnStick();
  std::filesystem::remove(CodeFile());
  KioskScript s;
  s.Expect("waiting").Key("Ctrl+Alt+T").Expect("technician-code");
  s.Click("tech.unavailable").Shot(ShotPath("unavailable-en"));
  s.Click("tech.return").Expect("waiting").Step("exit", 0);
  EXPECT_EQ(Run(s)["screen"], "waiting");
}

// The USB gate protocol end to end, with this test as the root service: the kiosk asks to open
// with the code, sees "waiting" then "mounted", writes the enrollment record to the mounted
// stick, asks to close on return and comes back once the service says "closed".
TEST_F(KioskTechnician, TalksToTheRootServiceThroughTheUsbDirectory) {
  InitialisedTerminalAndPackOnStick();
  const std::filesystem::path gate = dir_ / "usb";
  std::filesystem::create_directories(gate);
  usb_option_ = "--usb";
  usb_dir_ = gate;
  std::vector<std::string> requests;
  std::atomic<bool> stop = false;
  std::thread service([&] {
    std::string last;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (!stop && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (!std::filesystem::exists(gate / "request")) continue;
      const std::string text = ReadText(gate / "request");
      if (text == last) continue;
      last = text;
      requests.push_back(text);
      const Json j = Json::parse(text, nullptr, false);
      if (!j.is_object()) continue;
      if (j.value("action", "") == "open" && j.value("code", "") == kCode) {
        WriteText(gate / "state.tmp", R"({"state":"waiting"})");
        std::filesystem::rename(gate / "state.tmp", gate / "state");
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        WriteText(gate / "state.tmp", Json{{"state", "mounted"},
                                           {"mount", Stick().string()},
                                           {"device", "sdb1"},
                                           {"label", "KINGSTON"}}
                                          .dump());
        std::filesystem::rename(gate / "state.tmp", gate / "state");
      } else if (j.value("action", "") == "close") {
        WriteText(gate / "state.tmp", R"({"state":"closed"})");
        std::filesystem::rename(gate / "state.tmp", gate / "state");
      }
    }
  });
  KioskScript s;
  s.Expect("waiting").Key("Ctrl+Alt+T").Expect("technician-code").Text(kCode).Key("Return");
  s.Expect("technician").Step("sleep_ms", 1500).Shot(ShotPath("menu-gate-en"));
  s.Click("tech.enrollment").Expect("technician");
  s.Click("tech.return").Step("sleep_ms", 1500).Expect("waiting").Step("exit", 0);
  const Json report = Run(s);
  stop = true;
  service.join();
  EXPECT_EQ(report["screen"], "waiting");
  // The kiosk's close at start comes first; the open may replace it before this thread looks.
  if (!requests.empty() && Json::parse(requests[0]) == Json::parse(R"({"action":"close"})")) {
    requests.erase(requests.begin());
  }
  ASSERT_EQ(requests.size(), 2u);
  const Json open = Json::parse(requests[0]);
  EXPECT_EQ(open["action"], "open");
  EXPECT_EQ(open["code"], kCode);
  EXPECT_EQ(Json::parse(requests[1]), Json::parse(R"({"action":"close"})"));
  auto status = RunLontar({"terminal", "status", "--home", Home().string(), "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const std::string id = Json::parse(status.out)["terminal_id"];
  EXPECT_TRUE(std::filesystem::exists(Stick() / (id + ".enroll")));
}

TEST_F(KioskTechnician, TheChordDoesNothingDuringASitting) {
  InitialisedTerminalAndPackOnStick();
  Must(RunLontar({"terminal", "load", "--home", Home().string(), (Stick() / "skd.lpk").string()}));
  Must(RunLontar({"session", "release", "--home", Home().string(), "--code-file",
                  (kDemo / "release-code.txt").string()}));
  auto open = RunLontar({"session", "open", "--home", Home().string(), "--proctor-code-file",
                         (kDemo / "proctor-code.txt").string(), "--json"});
  Must(open);
  const std::string token = Json::parse(open.out)["token"];
  const std::string pins = ReadText(kDemo / "pins.csv");
  const auto line = pins.find("DEMO-0001,");
  ASSERT_NE(line, std::string::npos);
  const std::string pin = pins.substr(line + 10, pins.find('\n', line) - line - 10);
  KioskScript s;
  s.LogIn("DEMO-0001", pin, token).Expect("instructions").Key("Ctrl+Alt+T").Expect("instructions");
  s.Step("exit", 0);
  EXPECT_EQ(Run(s)["screen"], "instructions");
}

}  // namespace
}  // namespace lontar
