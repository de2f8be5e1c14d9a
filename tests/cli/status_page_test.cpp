// The collection server's status page tells done from missing: real servers on loopback, the mini
// session on two terminals. A candidate who never came does not keep a session red; a terminal
// that sent nothing is not green; a bundle still on a terminal shows although it is the last one
// (the terminal's sync says how far its outbox goes), also behind a site relay; a relay's page says
// it is a relay and marks nothing missing for packs it was not given.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/bundle/outbox.hpp"
#include "core/crypto/key_file.hpp"
#include "core/util/clock.hpp"
#include "tests/support/cli_collection.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using testing::CommandResult;
using testing::ReadText;
using testing::RunLontar;
using testing::ServerProcess;
using testing::StatusJson;
using testing::TempDir;
using testing::WriteText;

class StatusPage : public ::testing::Test {
 protected:
  void SetUp() override {
    token_ = testing::MakeMiniCollectionWithCli(dir_.path(), {"t0", "t1"});
    ASSERT_EQ(RunLontar({"keys", "new", "relay", "--out", P("keys")}).exit_code, 0);
    for (const char* d : {"packs", "log"}) std::filesystem::create_directories(dir_ / d);
    std::filesystem::copy_file(dir_ / "exam.lpk", dir_ / "packs" / "exam.lpk");
  }
  std::string P(const std::string& name) const { return (dir_ / name).string(); }

  void Sit(const std::string& home, const std::string& participant, const std::string& pin) {
    auto r =
        testing::SitWithCli(dir_.path(), home, participant, pin, token_, testing::kSubmitScript);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::vector<std::string> CentralArgs() const {
    return {"--store", P("central"),           "--enrolled", P("enrolled"),
            "--key",   P("keys/server.key"),   "--packs",    P("packs"),
            "--trust", P("keys/authority.pub")};
  }
  CommandResult Sync(const std::string& home, const ServerProcess& s) {
    return RunLontar(
        {"sync", "--home", P(home), "--server", s.url(), "--server-key", P("keys/server.pub")});
  }
  // Two sittings on `home`, each sealed into a bundle, and then the second bundle's file
  // damaged, so that sync can send only the first.
  void SitTwiceAndDamageTheSecondBundle(const std::string& home) {
    Sit(home, "TEST-0001", "111111");
    Sit(home, "TEST-0002", "222222");
    SystemClock clock;
    auto t = terminal::Terminal::Open(dir_ / home, clock);
    ASSERT_TRUE(t) << t.error().message();
    auto outbox = bundle::ListOutbox(*t);
    ASSERT_TRUE(outbox && outbox->size() == 2u);
    std::string bytes = ReadText((*outbox)[1].file);
    bytes[bytes.size() / 2] ^= 1;
    WriteText((*outbox)[1].file, bytes);
  }
  nlohmann::json Terminal(const nlohmann::json& status, const std::string& home) {
    auto st = RunLontar({"terminal", "status", "--home", P(home), "--json"});
    EXPECT_EQ(st.exit_code, 0) << st.err;
    const auto id = nlohmann::json::parse(st.out, nullptr, false)["terminal_id"];
    for (const auto& site : status["sites"]) {
      for (const auto& t : site["terminals"]) {
        if (t["terminal_id"] == id) return t;
      }
    }
    ADD_FAILURE() << "no terminal " << home << " in " << status.dump(2);
    return {};
  }

  TempDir dir_;
  std::string token_;
};

TEST_F(StatusPage, ACandidateWhoNeverCameDoesNotKeepTheSessionRed) {
  Sit("t0", "TEST-0001", "111111");
  Sit("t1", "TEST-0002", "222222");  // TEST-0003 did not come
  ServerProcess central(CentralArgs(), dir_ / "log");
  ASSERT_NE(central.port(), 0);
  ASSERT_EQ(Sync("t0", central).exit_code, 0);
  ASSERT_EQ(Sync("t1", central).exit_code, 0);
  auto status = StatusJson(central);
  const auto& session = status["sites"][0]["sessions"].at(0);
  EXPECT_EQ(session["complete"], true) << session.dump(2);
  EXPECT_EQ(session["candidates_delivered"], 2) << session.dump(2);
  EXPECT_EQ(session["candidates_expected"], 3) << session.dump(2);
  EXPECT_EQ(session["absent"], 1) << session.dump(2);
  EXPECT_EQ(session["held_on_terminals"], 0) << session.dump(2);
  auto page = testing::HttpRequest(central.port(), "GET", "/status");
  EXPECT_NE(page.body.find("2 delivered, 1 absent, 3 on the roster"), std::string::npos)
      << page.body;
  EXPECT_NE(page.body.find("<tr class=\"ok\" data-pack="), std::string::npos) << page.body;
  EXPECT_EQ(page.body.find("<tr class=\"gap\""), std::string::npos) << page.body;
}

TEST_F(StatusPage, ABundleStillOnTheTerminalShowsEvenWhenItIsTheLast) {
  // Bundle #2's file is damaged, so sync sends #1 only (and says why); its upload tells the
  // server that the outbox goes up to #2.
  ASSERT_NO_FATAL_FAILURE(SitTwiceAndDamageTheSecondBundle("t0"));
  ServerProcess central(CentralArgs(), dir_ / "log");
  ASSERT_NE(central.port(), 0);
  EXPECT_EQ(Sync("t0", central).exit_code, 1);
  auto status = StatusJson(central);
  auto t0 = Terminal(status, "t0");
  EXPECT_EQ(t0["bundles"], 1) << t0.dump(2);
  EXPECT_EQ(t0["highest_seq"], 1) << t0.dump(2);
  EXPECT_TRUE(t0["gaps"].empty()) << "no gap below the highest that arrived";
  EXPECT_EQ(t0["outbox_highest"], 2) << t0.dump(2);
  EXPECT_EQ(t0["held_on_terminal"], 1) << t0.dump(2);
  EXPECT_EQ(t0["state"], "gap") << t0.dump(2);
  const auto& session = status["sites"][0]["sessions"].at(0);
  EXPECT_EQ(session["complete"], false) << session.dump(2);
  EXPECT_EQ(session["held_on_terminals"], 1) << session.dump(2);
  // t1 sent nothing: not green.
  auto t1 = Terminal(status, "t1");
  EXPECT_EQ(t1["state"], "none") << t1.dump(2);
  auto page = testing::HttpRequest(central.port(), "GET", "/status");
  EXPECT_NE(page.body.find("<td class=\"held\">#2</td>"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("<tr class=\"none\" data-terminal="), std::string::npos) << page.body;
}

// The same through a site relay: the relay passes the terminal's word on its outbox upstream with
// the bundle it forwards, so the central page shows #2 held on the terminal too.
TEST_F(StatusPage, ABundleStillOnATerminalBehindARelayShowsCentrally) {
  ASSERT_NO_FATAL_FAILURE(SitTwiceAndDamageTheSecondBundle("t0"));
  ServerProcess central(CentralArgs(), dir_ / "log");
  ASSERT_NE(central.port(), 0);
  ServerProcess relay(
      {"--store", P("relay"), "--enrolled", P("enrolled"), "--key", P("keys/relay.key"),
       "--relay-to", central.url(), "--relay-key", P("keys/server.pub")},
      dir_ / "log");
  ASSERT_NE(relay.port(), 0);
  // The central server is up: #1's upload comes back with the central receipt (confirmed).
  auto sync = RunLontar({"sync", "--home", P("t0"), "--server", relay.url(), "--server-key",
                         P("keys/server.pub"), "--relay-key", P("keys/relay.pub")});
  EXPECT_EQ(sync.exit_code, 1) << "bundle #2 is damaged";
  EXPECT_NE(sync.err.find("confirmed centrally: 1"), std::string::npos) << sync.err;
  auto t0 = Terminal(StatusJson(central), "t0");
  EXPECT_EQ(t0["bundles"], 1) << t0.dump(2);
  EXPECT_EQ(t0["outbox_highest"], 2) << t0.dump(2);
  EXPECT_EQ(t0["held_on_terminal"], 1) << t0.dump(2);
  EXPECT_EQ(t0["state"], "gap") << t0.dump(2);
  auto page = testing::HttpRequest(central.port(), "GET", "/status");
  EXPECT_NE(page.body.find("<td class=\"held\">#2</td>"), std::string::npos) << page.body;
}

TEST_F(StatusPage, ARelaysPageSaysRelayAndMarksNothingMissingForPacksItWasNotGiven) {
  Sit("t0", "TEST-0001", "111111");
  // The upstream is a port with nothing listening: the relay's last error is long and stays.
  const int port = testing::PortNobodyListensOn(CentralArgs(), dir_ / "log");
  ServerProcess relay(
      {"--store", P("relay"), "--enrolled", P("enrolled"), "--key", P("keys/relay.key"),
       "--relay-to", "http://127.0.0.1:" + std::to_string(port), "--relay-key",
       P("keys/server.pub")},
      dir_ / "log");
  ASSERT_NE(relay.port(), 0);
  auto held = RunLontar({"sync", "--home", P("t0"), "--server", relay.url(), "--server-key",
                         P("keys/server.pub"), "--relay-key", P("keys/relay.pub")});
  ASSERT_EQ(held.exit_code, 0) << held.err;
  // The terminal hears one plain sentence naming the upstream, not a bundle's 64-hex URL.
  EXPECT_NE(held.out.find("held by this relay, not yet confirmed by the collection server: "
                          "the relay's last attempt to reach http://127.0.0.1:" +
                          std::to_string(port) + " failed: "),
            std::string::npos)
      << held.out;
  EXPECT_EQ(held.out.find("/v1/bundles/"), std::string::npos) << held.out;
  auto page = testing::HttpRequest(relay.port(), "GET", "/status");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<title>Lontar site relay</title>"), std::string::npos) << page.body;
  EXPECT_EQ(page.body.find("collection server</h1>"), std::string::npos) << page.body;
  EXPECT_EQ(page.body.find("class=\"sessions\""), std::string::npos)
      << "no packs given: no session is expected, none is missing";
  EXPECT_NE(page.body.find("overflow-wrap:anywhere"), std::string::npos) << "long errors wrap";
  auto relay_status = StatusJson(relay)["relay"];
  EXPECT_NE(relay_status["last_error"], "") << relay_status.dump(2);
  EXPECT_NE(page.body.find("127.0.0.1:" + std::to_string(port) + "/v1/bundles/"), std::string::npos)
      << "the last error, on the page: " << page.body;
  // The bare address is the same page.
  auto bare = testing::HttpRequest(relay.port(), "GET", "/");
  EXPECT_EQ(bare.status, 200);
  EXPECT_NE(bare.body.find("<title>Lontar site relay</title>"), std::string::npos);
}

}  // namespace
}  // namespace lontar
