// The clock warning end to end on loopback: a terminal sits the mini exam through the real
// binary, then syncs with a real site relay whose clock runs 5 minutes behind and whose upstream
// is away (it holds the bundle: its own receipt, signed as it answers, carries its time), then
// with a real central `lontar serve` whose clock runs 10 minutes ahead (both shifted with
// --clock-offset-for-tests). Each sync reads the signed time from the receipt and says the clock
// is off; `terminal status` warns, in text and JSON; the journal has both readings; the server's
// status page lists the terminal, with times written in the site's zone.
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "tests/support/cli_collection.hpp"
#include "tests/support/json_output.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using testing::CommandResult;
using testing::RunLontar;
using testing::ServerProcess;
using testing::TempDir;

class ClockSyncEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::MakeOneMiniSittingWithCli(dir_.path());
    ASSERT_EQ(RunLontar({"keys", "new", "server", "--out", P("relay-keys")}).exit_code, 0);
    std::filesystem::create_directories(dir_ / "log");
  }
  std::string P(const std::string& name) const { return (dir_ / name).string(); }

  TempDir dir_;
};

TEST_F(ClockSyncEndToEnd, ARelayAndThenAServerWithClocksOffAreWarnedAbout) {
  // The relay's clock runs 5 minutes behind; its upstream is not there (nothing listens on port
  // 1), so it holds the bundle and answers 202 with its own receipt, signed as it answers.
  ServerProcess relay({"--store", P("relay-store"), "--enrolled", P("enrolled"), "--key",
                       P("relay-keys/server.key"), "--relay-to", "http://127.0.0.1:1",
                       "--relay-key", P("keys/server.pub"), "--clock-offset-for-tests", "-300000"},
                      dir_ / "log");
  ASSERT_NE(relay.port(), 0);
  auto synced =
      RunLontar({"sync", "--home", P("t0"), "--server", relay.url(), "--server-key",
                 P("keys/server.pub"), "--relay-key", P("relay-keys/server.pub"), "--json"});
  ASSERT_EQ(synced.exit_code, 0) << synced.err << relay.Stderr();
  auto s = testing::JsonOutput(synced);
  EXPECT_EQ(s["held_by_relay"], 1) << synced.out;
  ASSERT_TRUE(s["clock"].is_object()) << synced.out;
  EXPECT_TRUE(s["clock"]["relay"].get<bool>());
  EXPECT_LE(std::llabs(s["clock"]["offset_ms"].get<std::int64_t>() + 300'000),
            s["clock"]["uncertainty_ms"].get<std::int64_t>() + 1000)
      << synced.out;
  auto held = testing::JsonOutput(RunLontar({"terminal", "status", "--home", P("t0"), "--json"}));
  EXPECT_EQ(held["clock"]["against"], "relay") << held.dump(2);
  EXPECT_TRUE(held["clock"]["off"].get<bool>()) << held.dump(2);
  relay.Stop();

  // Then straight to the central server, whose clock runs 10 minutes ahead.
  ServerProcess server(
      {"--store", P("store"), "--enrolled", P("enrolled"), "--key", P("keys/server.key"),
       "--time-zone", "WITA", "--clock-offset-for-tests", "600000"},
      dir_ / "log");
  ASSERT_NE(server.port(), 0);

  auto synced_direct = RunLontar({"sync", "--home", P("t0"), "--server", server.url(),
                                  "--server-key", P("keys/server.pub"), "--json"});
  ASSERT_EQ(synced_direct.exit_code, 0) << synced_direct.err << server.Stderr();
  auto d = testing::JsonOutput(synced_direct);
  EXPECT_EQ(d["delivered"], 1) << synced_direct.out;  // the bundle the relay held, now confirmed
  ASSERT_TRUE(d["clock"].is_object()) << synced_direct.out;
  // The server is 600 s ahead; on loopback the round trip is milliseconds, and the reading is
  // within its own uncertainty of that (a second is far more than it takes).
  const std::int64_t offset = d["clock"]["offset_ms"];
  const std::int64_t uncertainty = d["clock"]["uncertainty_ms"];
  EXPECT_LE(std::llabs(offset - 600'000), uncertainty + 1000) << synced_direct.out;
  EXPECT_TRUE(d["clock"]["off"].get<bool>());
  EXPECT_FALSE(d["clock"]["relay"].get<bool>());

  auto status = RunLontar({"terminal", "status", "--home", P("t0"), "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;  // a warning, not a failure
  auto st = testing::JsonOutput(status);
  EXPECT_TRUE(st["clock"]["measured"].get<bool>()) << status.out;
  EXPECT_TRUE(st["clock"]["off"].get<bool>()) << status.out;
  EXPECT_EQ(st["clock"]["against"], "server");
  EXPECT_NE(st["clock"]["warning"].get<std::string>().find("set the date and time"),
            std::string::npos)
      << status.out;
  auto text = RunLontar({"terminal", "status", "--home", P("t0")});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("WARNING      this terminal's clock is "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("behind the collection server's"), std::string::npos) << text.out;

  // The journal has both readings (5 min behind the relay, then 10 min ahead at the server: each
  // a move of more than 2 minutes), and still verifies.
  auto shown = RunLontar({"journal", "show", "--home", P("t0")});
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  std::size_t readings = 0;
  for (std::size_t at = shown.out.find("clock.offset"); at != std::string::npos;
       at = shown.out.find("clock.offset", at + 1)) {
    ++readings;
  }
  EXPECT_EQ(readings, 2u) << shown.out;
  auto verify = RunLontar({"journal", "verify", "--home", P("t0")});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;

  // The server's list. `lontar sync` sent the terminal's clock with its upload and then a
  // heartbeat: the later of the two tells (the upload alone: RoomClock in clock_offset_test).
  auto room = testing::HttpRequest(server.port(), "GET", "/v1/room.json");
  ASSERT_EQ(room.status, 200);
  auto r = nlohmann::json::parse(room.body);
  ASSERT_EQ(r["clock_off"].size(), 1u) << room.body;
  EXPECT_EQ(r["clock_off"][0]["terminal_id"], st["terminal_id"]);
  EXPECT_TRUE(r["clock_off"][0]["from"] == "heartbeat" || r["clock_off"][0]["from"] == "upload")
      << room.body;
  EXPECT_LE(std::llabs(r["clock_off"][0]["clock_skew_ms"].get<std::int64_t>() + 600'000), 5000)
      << room.body;
  auto page = testing::HttpRequest(server.port(), "GET", "/status");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find(" min behind the relay"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find(" WITA</td>"), std::string::npos) << page.body;  // last seen
}

}  // namespace
}  // namespace lontar
