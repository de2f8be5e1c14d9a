// A site relay holds the whole site's bundles while the central link is down: real servers on
// loopback, three terminals. Each terminal hands every pending bundle to the relay and gets the
// relay's own signed receipt for each, so `lontar sync` succeeds ("held by the relay") and the
// terminal may be switched off; when the collection server is back, the terminals' next syncs
// bring its receipts back through the relay, and it has counted each bundle once.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/bundle/outbox.hpp"
#include "core/crypto/key_file.hpp"
#include "core/util/clock.hpp"
#include "tests/support/cli_collection.hpp"
#include "tests/support/json_output.hpp"
#include "tests/support/sample_bundles.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using testing::CommandResult;
using testing::RunLontar;
using testing::ServerProcess;
using testing::StatusJson;
using testing::TempDir;

constexpr int kBundlesPerTerminal = 3;  // one scripted sitting and two more bundles

class SiteRelay : public ::testing::Test {
 protected:
  void SetUp() override {
    token_ = testing::MakeMiniCollectionWithCli(dir_.path(), {"t0", "t1", "t2"});
    ASSERT_EQ(RunLontar({"keys", "new", "relay", "--out", P("keys")}).exit_code, 0);
    for (const char* d : {"central-log", "relay-log"})
      std::filesystem::create_directories(dir_ / d);
    const char* pins[] = {"111111", "222222", "333333"};
    for (int i = 0; i < 3; ++i) {
      const std::string t = "t" + std::to_string(i);
      const std::string participant = "TEST-000" + std::to_string(i + 1);
      auto sat =
          testing::SitWithCli(dir_.path(), t, participant, pins[i], token_, testing::kSubmitScript);
      ASSERT_EQ(sat.exit_code, 0) << sat.err;
      AddBundles(t, kBundlesPerTerminal - 1);
    }
  }
  std::string P(const std::string& name) const { return (dir_ / name).string(); }

  // More bundles in a terminal's outbox, as further sittings would leave them.
  void AddBundles(const std::string& home, int n) {
    SystemClock clock;
    auto t = terminal::Terminal::Open(dir_ / home, clock);
    ASSERT_TRUE(t) << t.error().message();
    auto results = crypto::ReadBoxPublicKeyFile(dir_ / "keys/results.pub");
    ASSERT_TRUE(results) << results.error().message();
    for (int i = 0; i < n; ++i) {
      auto in = testing::SampleBundleInputs(*t, "MINI", bundle::NextBundleSeq(*t).value());
      in.participant = "EXTRA-" + home + "-" + std::to_string(i);
      in.created_ms = clock.WallMs();
      auto b = testing::AddSampleBundle(*t, in, *results);
      ASSERT_TRUE(b) << b.error().message();
    }
  }

  CommandResult Sync(const std::string& home, const ServerProcess& relay,
                     std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"sync",
                                     "--home",
                                     P(home),
                                     "--server",
                                     relay.url(),
                                     "--server-key",
                                     P("keys/server.pub"),
                                     "--relay-key",
                                     P("keys/relay.pub"),
                                     "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunLontar(args);
  }

  // The receipt code of a terminal's first bundle.
  std::string FirstCode(const std::string& home) {
    SystemClock clock;
    auto t = terminal::Terminal::Open(dir_ / home, clock);
    EXPECT_TRUE(t) << t.error().message();
    if (!t) return "";
    auto outbox = bundle::ListOutbox(*t);
    EXPECT_TRUE(outbox && !outbox->empty());
    return outbox && !outbox->empty() ? (*outbox)[0].receipt_code : "";
  }
  // The receipt page's answer for `code` (the whole page), checked for what it must never show.
  std::string ReceiptPage(const ServerProcess& s, const std::string& code, int status = 200) {
    auto reply = testing::HttpRequest(s.port(), "GET", "/receipt?code=" + code);
    EXPECT_EQ(reply.status, status) << reply.body;
    EXPECT_EQ(reply.body.find("TEST-000"), std::string::npos) << "no participant number";
    EXPECT_EQ(reply.body.find("score"), std::string::npos) << "no score";
    return reply.body;
  }

  // The site relay's `lontar serve` arguments, forwarding to 127.0.0.1:upstream_port.
  std::vector<std::string> RelayArgs(int upstream_port) const {
    return {"--store",     P("relay-store"),
            "--enrolled",  P("enrolled"),
            "--key",       P("keys/relay.key"),
            "--relay-to",  "http://127.0.0.1:" + std::to_string(upstream_port),
            "--relay-key", P("keys/server.pub")};
  }

  TempDir dir_;
  std::string token_;
};

TEST_F(SiteRelay, HoldsEveryBundleWhileCentralIsDownThenEachIsConfirmedOnce) {
  const std::vector<std::string> central_args = {"--store",     P("central"), "--enrolled",
                                                 P("enrolled"), "--key",      P("keys/server.key")};
  const int port = testing::PortNobodyListensOn(central_args, dir_ / "central-log");
  ASSERT_NE(port, 0);
  ServerProcess relay(RelayArgs(port), dir_ / "relay-log");
  ASSERT_NE(relay.port(), 0);

  // Central down: every bundle of every terminal is held by the relay, and sync says so.
  for (const char* t : {"t0", "t1", "t2"}) {
    auto held = Sync(t, relay, {"--attempts", "1"});
    ASSERT_EQ(held.exit_code, 0) << t << ": " << held.err << relay.Stderr();
    auto j = testing::JsonOutput(held);
    EXPECT_EQ(j["held_by_relay"], kBundlesPerTerminal) << j.dump(2);
    EXPECT_EQ(j["confirmed_centrally"], 0) << j.dump(2);
    EXPECT_EQ(j["may_switch_off"], true) << j.dump(2);
    EXPECT_NE(j.value("relay_note", "").find("not yet confirmed"), std::string::npos) << j.dump(2);
  }
  auto rs = StatusJson(relay)["relay"];
  EXPECT_EQ(rs["pending"], 3 * kBundlesPerTerminal) << rs.dump(2);
  // A candidate's code, looked up on the relay: arrived here, not yet confirmed centrally.
  const std::string code = FirstCode("t0");
  auto page = ReceiptPage(relay, code);
  EXPECT_NE(page.find("sudah diterima oleh relay lokasi"), std::string::npos) << page;
  EXPECT_NE(page.find("arrived at the site relay"), std::string::npos) << page;
  EXPECT_NE(page.find("has not confirmed it yet"), std::string::npos) << page;

  // The text form says it in the operator's words.
  auto text =
      RunLontar({"sync", "--home", P("t0"), "--server", relay.url(), "--server-key",
                 P("keys/server.pub"), "--relay-key", P("keys/relay.pub"), "--attempts", "1"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("held by the relay: 3, confirmed centrally: 0"), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("may be switched off"), std::string::npos) << text.out;

  // Asking for the central receipts while it is down fails, and says how far it got.
  auto not_central = Sync("t0", relay, {"--attempts", "1", "--until-central"});
  EXPECT_EQ(not_central.exit_code, 1) << not_central.out;
  EXPECT_NE(not_central.err.find("held by the relay: 3, confirmed centrally: 0"), std::string::npos)
      << not_central.err;

  // Central back on its address: the terminals keep asking and the receipts come back.
  auto args = central_args;
  args.insert(args.end(), {"--listen", "127.0.0.1:" + std::to_string(port)});
  ServerProcess central(args, dir_ / "central-log");
  ASSERT_EQ(central.port(), port);
  for (const char* t : {"t0", "t1", "t2"}) {
    auto confirmed = Sync(t, relay, {"--until-central", "--attempts", "30"});
    ASSERT_EQ(confirmed.exit_code, 0) << t << ": " << confirmed.err << relay.Stderr();
    auto j = testing::JsonOutput(confirmed);
    EXPECT_EQ(j["confirmed_centrally"], kBundlesPerTerminal) << j.dump(2);
    EXPECT_EQ(j["held_by_relay"], 0) << j.dump(2);
    EXPECT_EQ(j["pending"], 0) << j.dump(2);
  }
  EXPECT_EQ(StatusJson(central)["bundles"], 3 * kBundlesPerTerminal) << "each counted once";
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "t0" / "relay-held"))
      << "the relay's receipts are dropped once the central ones are in";
  page = ReceiptPage(relay, code);
  EXPECT_NE(page.find("The central collection server confirmed it on"), std::string::npos) << page;
  page = ReceiptPage(central, code);
  EXPECT_NE(page.find("arrived at the collection server"), std::string::npos) << page;
  EXPECT_EQ(page.find("central collection server"), std::string::npos) << "not a relay";
  auto unknown = testing::HttpRequest(central.port(), "GET", "/receipt?code=%3Cb%3E");
  EXPECT_NE(unknown.status, 200);
  EXPECT_NE(unknown.body.find("belum diterima di server ini"), std::string::npos) << unknown.body;
  EXPECT_NE(unknown.body.find("&lt;b&gt;"), std::string::npos) << "escaped: " << unknown.body;
  page = ReceiptPage(central, "", 200);
  EXPECT_NE(page.find("<form"), std::string::npos) << "the bare page is the form";
  rs = StatusJson(relay)["relay"];
  EXPECT_EQ(rs["forwarded"], 3 * kBundlesPerTerminal) << rs.dump(2);
  EXPECT_EQ(rs["pending"], 0) << rs.dump(2);

  // Once more: nothing to send, nothing counted twice.
  auto again = Sync("t1", relay);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(testing::JsonOutput(again)["delivered"], 0);
  EXPECT_EQ(StatusJson(central)["bundles"], 3 * kBundlesPerTerminal);
}

TEST_F(SiteRelay, WithoutTheRelaysKeyHeldBundlesAreNotCountedAsSafe) {
  const int port = testing::PortNobodyListensOn(
      {"--store", P("central"), "--enrolled", P("enrolled"), "--key", P("keys/server.key")},
      dir_ / "central-log");
  ServerProcess relay(RelayArgs(port), dir_ / "relay-log");
  ASSERT_NE(relay.port(), 0);
  auto r = RunLontar({"sync", "--home", P("t0"), "--server", relay.url(), "--server-key",
                      P("keys/server.pub"), "--attempts", "1"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.err.find("give --relay-key relay.pub"), std::string::npos) << r.err;
  // The relay took all three all the same: the terminal did not stop at the first.
  EXPECT_EQ(StatusJson(relay)["relay"]["pending"], kBundlesPerTerminal);

  // With the relay's key the terminal keeps its receipts; given another key instead, neither the
  // relay's answers nor those kept receipts count as held.
  ASSERT_EQ(Sync("t0", relay, {"--attempts", "1"}).exit_code, 0);
  auto impostor =
      RunLontar({"sync", "--home", P("t0"), "--server", relay.url(), "--server-key",
                 P("keys/server.pub"), "--relay-key", P("keys/server.pub"), "--attempts", "1"});
  EXPECT_EQ(impostor.exit_code, 1) << impostor.out;
  EXPECT_NE(impostor.err.find("relay's receipt"), std::string::npos) << impostor.err;
}

}  // namespace
}  // namespace lontar
