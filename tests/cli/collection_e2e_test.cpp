// End to end on loopback, as a site and the exam authority run it: three terminals sit the mini
// exam through the real binary; their result bundles reach the central server one way each (USB
// stick export and import, sync through a site relay, direct sync); `lontar results open --pack`
// then gives one row per candidate, re-scored, with nothing flagged. And a relay whose upstream
// is down holds bundles, and forwards them when it comes back.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/cli_collection.hpp"
#include "tests/support/json_output.hpp"
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

class CollectionEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    token_ = testing::MakeMiniCollectionWithCli(dir_.path(), {"t0", "t1", "t2"});
    ASSERT_EQ(RunLontar({"keys", "new", "server", "--out", P("relay-keys")}).exit_code, 0);
    for (const char* d : {"central-log", "relay-log"})
      std::filesystem::create_directories(dir_ / d);
  }
  std::string P(const std::string& name) const { return (dir_ / name).string(); }

  // One scripted sitting on `home`; returns `exam run --json`.
  nlohmann::json Sit(const std::string& home, const std::string& participant,
                     const std::string& pin, const std::string& script) {
    auto r = testing::SitWithCli(dir_.path(), home, participant, pin, token_, script, {"--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return testing::JsonOutput(r);
  }

  std::vector<std::string> CentralArgs(const std::string& store) const {
    return {"--store", P(store), "--enrolled", P("enrolled"), "--key", P("keys/server.key")};
  }
  std::vector<std::string> RelayArgs(const std::string& upstream) const {
    return {"--store",     P("relay-store"),           "--enrolled", P("enrolled"),
            "--key",       P("relay-keys/server.key"), "--relay-to", upstream,
            "--relay-key", P("keys/server.pub")};
  }

  TempDir dir_;
  std::string token_;
};

TEST_F(CollectionEndToEnd, ThreeTerminalsThreePathsOneCsv) {
  const auto a = Sit("t0", "TEST-0001", "111111", R"({"cmd":"answer","item":"tiu-01","option":"B"}
{"cmd":"answer","item":"tiu-02","option":"A"}
{"cmd":"next-section"}
{"cmd":"answer","item":"tkp-01","option":"A"}
{"cmd":"answer","item":"tkp-02","option":"B"}
{"cmd":"submit"}
)");
  const auto b = Sit("t1", "TEST-0002", "222222", R"({"cmd":"answer","item":"tiu-01","option":"A"}
{"cmd":"submit"}
)");
  const auto c = Sit("t2", "TEST-0003", "333333", R"({"cmd":"answer","item":"tiu-01","option":"B"}
{"cmd":"next-section"}
{"cmd":"answer","item":"tkp-01","option":"A"}
{"cmd":"submit"}
)");
  ASSERT_EQ(a["score"]["total"], 13.0);  // 5 + 0 + 5 + 3, as in the scoring table

  // The central server knows the session's pack: its status page expects the pack's terminals
  // and candidates.
  std::filesystem::create_directories(dir_ / "packs");
  std::filesystem::copy_file(dir_ / "exam.lpk", dir_ / "packs" / "exam.lpk");
  auto central_args = CentralArgs("central");
  central_args.insert(central_args.end(),
                      {"--packs", P("packs"), "--trust", P("keys/authority.pub")});
  ServerProcess central(central_args, dir_ / "central-log");
  ASSERT_NE(central.port(), 0);
  auto before = StatusJson(central);
  ASSERT_EQ(before["sites"].size(), 1u) << before.dump(2);
  {
    const auto& session = before["sites"][0]["sessions"].at(0);
    EXPECT_EQ(session["terminals_expected"].size(), 3u) << session.dump(2);
    EXPECT_EQ(session["terminals_silent"].size(), 3u) << session.dump(2);
    EXPECT_EQ(session["candidates_expected"], 3);
    EXPECT_EQ(session["candidates_delivered"], 0);
    EXPECT_EQ(session["complete"], false);
  }
  ServerProcess relay(RelayArgs(central.url()), dir_ / "relay-log");
  ASSERT_NE(relay.port(), 0);
  const std::string central_pub = P("keys/server.pub");

  // t0: a USB stick, carried to the coordinator's laptop.
  std::filesystem::create_directories(dir_ / "stick");
  auto exported = RunLontar({"bundles", "export", "--home", P("t0"), "--to", P("stick")});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  auto imported = RunLontar({"bundles", "import", "--from", P("stick"), "--server", central.url(),
                             "--server-key", central_pub, "--enrolled", P("enrolled")});
  ASSERT_EQ(imported.exit_code, 0) << imported.err << central.Stderr();
  // t1: the site relay, which hands back the central server's receipt.
  auto via_relay = RunLontar(
      {"sync", "--home", P("t1"), "--server", relay.url(), "--server-key", central_pub, "--json"});
  ASSERT_EQ(via_relay.exit_code, 0) << via_relay.err << relay.Stderr();
  EXPECT_EQ(testing::JsonOutput(via_relay)["delivered"], 1);
  // t2: straight to the central server.
  auto direct = RunLontar(
      {"sync", "--home", P("t2"), "--server", central.url(), "--server-key", central_pub});
  ASSERT_EQ(direct.exit_code, 0) << direct.err;

  auto status = StatusJson(central);
  EXPECT_EQ(status["bundles"], 3) << status.dump(2);
  for (const auto& site : status["sites"]) {
    for (const auto& t : site["terminals"]) {
      EXPECT_EQ(t["bundles"], 1) << t.dump();
      EXPECT_TRUE(t["gaps"].empty()) << t.dump();
      EXPECT_TRUE(t["flags"].empty()) << t.dump();
    }
  }
  {
    ASSERT_EQ(status["sites"].size(), 1u) << status.dump(2);
    const auto& session = status["sites"][0]["sessions"].at(0);
    EXPECT_EQ(session["exam_id"], "TEST-MINI");
    EXPECT_EQ(session["expected"], true);
    EXPECT_TRUE(session["terminals_silent"].empty()) << session.dump(2);
    EXPECT_EQ(session["candidates_delivered"], 3);
    EXPECT_EQ(session["complete"], true) << session.dump(2);
    auto page = testing::HttpRequest(central.port(), "GET", "/status");
    EXPECT_NE(page.body.find("<table class=\"sessions\">"), std::string::npos) << page.body;
  }
  auto relay_status = StatusJson(relay);
  EXPECT_EQ(relay_status["relay"]["forwarded"], 1) << relay_status.dump(2);
  EXPECT_EQ(relay_status["relay"]["pending"], 0) << relay_status.dump(2);

  // The exam authority opens the results with the pack and the results key only.
  auto opened =
      RunLontar({"results", "open", "--store", P("central"), "--key", P("keys/results.key"),
                 "--pack", P("exam.lpk"), "--out", P("results.csv"), "--json"});
  ASSERT_EQ(opened.exit_code, 0) << opened.err;
  auto j = testing::JsonOutput(opened);
  EXPECT_EQ(j["rows"], 3) << opened.out;
  EXPECT_EQ(j["flagged"], 0) << opened.out;
  std::map<std::string, double> totals;
  for (const auto& r : j["results"]) {
    EXPECT_TRUE(r["scored"].get<bool>()) << r.dump();
    totals[r["participant"]] = r["total"].get<double>();
  }
  EXPECT_EQ(totals["TEST-0001"], a["score"]["total"].get<double>());
  EXPECT_EQ(totals["TEST-0002"], b["score"]["total"].get<double>());
  EXPECT_EQ(totals["TEST-0003"], c["score"]["total"].get<double>());
  const std::string csv = ReadText(dir_ / "results.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4) << csv;
  EXPECT_NE(csv.find("TEST-0001,Ayu Lestari,SITE-01"), std::string::npos) << csv;

  // The same with the exam source gives the same file.
  auto from_source =
      RunLontar({"results", "open", "--store", P("central"), "--key", P("keys/results.key"),
                 "--exam", std::string(LONTAR_SOURCE_DIR) + "/tests/fixtures/mini-exam", "--out",
                 P("results-source.csv")});
  ASSERT_EQ(from_source.exit_code, 0) << from_source.err;
  EXPECT_EQ(ReadText(dir_ / "results-source.csv"), csv);
}

TEST_F(CollectionEndToEnd, ResultsOpenRefusesAPackItCannotTrustOrOpen) {
  ServerProcess central(CentralArgs("store"), dir_ / "central-log");  // creates the store
  ASSERT_NE(central.port(), 0);
  central.Stop();
  ASSERT_EQ(RunLontar({"keys", "new", "results", "--out", P("other")}).exit_code, 0);
  ASSERT_EQ(RunLontar({"keys", "new", "authority", "--out", P("other")}).exit_code, 0);
  auto open = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"results", "open", "--store", P("store"), "--out", P("r.csv")};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunLontar(args);
  };
  auto wrong_key = open({"--key", P("other/results.key"), "--pack", P("exam.lpk")});
  EXPECT_EQ(wrong_key.exit_code, 1);
  // other/ has its own authority.pub, which did not sign the pack.
  EXPECT_NE(wrong_key.err.find("not by the authority key given"), std::string::npos)
      << wrong_key.err;
  auto wrong_results = open({"--key", P("other/results.key"), "--pack", P("exam.lpk"), "--trust",
                             P("keys/authority.pub")});
  EXPECT_EQ(wrong_results.exit_code, 1);
  EXPECT_NE(wrong_results.err.find("sends its results to key"), std::string::npos)
      << wrong_results.err;
  auto neither = open({"--key", P("keys/results.key")});
  EXPECT_EQ(neither.exit_code, 1);
  EXPECT_NE(neither.err.find("exactly one of --pack"), std::string::npos) << neither.err;

  // A server given a pack by another authority names the file and stops.
  std::filesystem::create_directories(dir_ / "packs");
  std::filesystem::copy_file(dir_ / "exam.lpk", dir_ / "packs" / "exam.lpk");
  auto serve_args = CentralArgs("store");
  serve_args.insert(serve_args.begin(), {"serve", "--listen", "127.0.0.1:0"});
  serve_args.insert(serve_args.end(), {"--packs", P("packs"), "--trust", P("other/authority.pub")});
  auto serve = RunLontar(serve_args);
  EXPECT_EQ(serve.exit_code, 1);
  EXPECT_NE(serve.err.find("exam.lpk: signed by"), std::string::npos) << serve.err;
  EXPECT_NE(serve.err.find("not by the authority key given with --trust"), std::string::npos)
      << serve.err;

  std::string bytes = ReadText(dir_ / "exam.lpk");
  bytes[bytes.size() - 100] ^= 1;
  WriteText(dir_ / "flipped.lpk", bytes);
  auto flipped = open({"--key", P("keys/results.key"), "--pack", P("flipped.lpk")});
  EXPECT_EQ(flipped.exit_code, 1);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "r.csv")) << "nothing written on a refusal";
}

TEST_F(CollectionEndToEnd, ARelayHoldsBundlesWhileUpstreamIsDownAndForwardsThemLater) {
  Sit("t0", "TEST-0001", "111111", "{\"cmd\":\"submit\"}\n");
  const int port = testing::PortNobodyListensOn(CentralArgs("central"), dir_ / "central-log");
  ASSERT_NE(port, 0);
  const std::string upstream = "http://127.0.0.1:" + std::to_string(port);
  auto args = RelayArgs(upstream);
  args.insert(args.end(), {"--relay-wait", "300"});
  ServerProcess relay(args, dir_ / "relay-log");
  ASSERT_NE(relay.port(), 0);
  const std::string central_pub = P("keys/server.pub");
  auto held = RunLontar({"sync", "--home", P("t0"), "--server", relay.url(), "--server-key",
                         central_pub, "--attempts", "1"});
  EXPECT_EQ(held.exit_code, 1) << "not delivered while upstream is down: " << held.out;
  EXPECT_NE(held.err.find("the site relay holds it"), std::string::npos) << held.err;
  EXPECT_EQ(StatusJson(relay)["relay"]["pending"], 1);

  // Upstream comes back on its address; the relay's forwarder gets there on its own.
  auto central_args = CentralArgs("central");
  central_args.insert(central_args.end(), {"--listen", "127.0.0.1:" + std::to_string(port)});
  ServerProcess central(central_args, dir_ / "central-log");
  ASSERT_EQ(central.port(), port);
  nlohmann::json rs;
  for (int i = 0; i < 1200; ++i) {  // the forwarder backs off up to 60 s between passes
    rs = StatusJson(relay)["relay"];
    if (rs["forwarded"] == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(rs["forwarded"], 1) << rs.dump(2) << relay.Stderr();
  EXPECT_EQ(StatusJson(central)["bundles"], 1);

  // The terminal's next pass gets the central server's receipt from the relay.
  auto delivered = RunLontar(
      {"sync", "--home", P("t0"), "--server", relay.url(), "--server-key", central_pub, "--json"});
  ASSERT_EQ(delivered.exit_code, 0) << delivered.err;
  EXPECT_EQ(testing::JsonOutput(delivered)["pending"], 0);
  EXPECT_EQ(StatusJson(central)["bundles"], 1) << "forwarded once, counted once";
}

}  // namespace
}  // namespace lontar
