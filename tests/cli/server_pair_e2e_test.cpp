// Two `lontar serve` processes on one PostgreSQL database (a central service behind a load
// balancer, or two doors into one region's database), driven the way sites drive them: four
// terminals deliver at once, two by `lontar sync` to each server, and two of them also by a USB
// stick exported and imported (`lontar bundles import`) into the other server while their sync
// runs, so the same bundles reach both servers together. Nothing is lost or stored twice, every
// terminal holds a receipt that verifies for each bundle, and both servers hand out the same
// receipt for a bundle, byte for byte. (The store's side, with raw uploads and no CLI, is
// server_test's TwoServersOnOneDatabaseStoreEachBundleOnce.)
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "core/bundle/outbox.hpp"
#include "core/crypto/key_file.hpp"
#include "core/server/store_backend.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/sample_bundles.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using testing::CommandResult;
using testing::HttpRequest;
using testing::PostgresServer;
using testing::RunLontar;
using testing::ServerProcess;
using testing::TempDir;

constexpr int kTerminals = 4;
constexpr int kBundlesEach = 4;

class ServerPairEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    LONTAR_START_POSTGRES(pg_, url_, "lontar");
    for (const char* kind : {"authority", "results", "server"}) {
      auto k = RunLontar({"keys", "new", kind, "--out", P("keys")});
      ASSERT_EQ(k.exit_code, 0) << k.err;
    }
    for (const char* d : {"enrolled", "log-a", "log-b"}) {
      std::filesystem::create_directories(dir_ / d);
    }
    auto results = crypto::ReadBoxPublicKeyFile(dir_ / "keys" / "results.pub");
    ASSERT_TRUE(results) << results.error().message();
    SystemClock clock;
    for (int t = 0; t < kTerminals; ++t) {
      const std::string home = Home(t);
      auto init =
          RunLontar({"terminal", "init", "--home", home, "--site",
                     "SITE-0" + std::to_string(t % 2 + 1), "--trust", P("keys/authority.pub")});
      ASSERT_EQ(init.exit_code, 0) << init.err;
      const std::string id = init.out.substr(0, init.out.find('\n'));
      auto e = RunLontar(
          {"terminal", "enrollment", "--home", home, "--out", P("enrolled/" + id + ".enroll")});
      ASSERT_EQ(e.exit_code, 0) << e.err;
      auto term = terminal::Terminal::Open(home, clock);
      ASSERT_TRUE(term) << term.error().message();
      for (int s = 1; s <= kBundlesEach; ++s) {
        auto in = testing::SampleBundleInputs(*term, "SKD-2026", static_cast<std::uint64_t>(s));
        in.participant = "P-" + std::to_string(t) + "-" + std::to_string(s);
        auto b = testing::AddSampleBundle(*term, in, *results);
        ASSERT_TRUE(b) << b.error().message();
      }
    }
  }
  std::string P(const std::string& name) const { return (dir_ / name).string(); }
  std::string Home(int t) const { return P("t" + std::to_string(t)); }
  std::vector<std::string> ServeArgs() const {
    return {"--db", url_, "--enrolled", P("enrolled"), "--key", P("keys/server.key")};
  }
  std::vector<bundle::OutboxEntry> Outbox(int t) {
    SystemClock clock;
    auto term = terminal::Terminal::Open(Home(t), clock);
    EXPECT_TRUE(term) << term.error().message();
    if (!term) return {};
    auto entries = bundle::ListOutbox(*term);
    EXPECT_TRUE(entries) << entries.error().message();
    return entries ? *entries : std::vector<bundle::OutboxEntry>{};
  }

  TempDir dir_;
  std::unique_ptr<PostgresServer> pg_;
  std::string url_;
};

TEST_F(ServerPairEndToEnd, SitesDeliveringThroughBothServersAtOnceStoreEachBundleOnce) {
  ServerProcess a(ServeArgs(), dir_ / "log-a");
  ServerProcess b(ServeArgs(), dir_ / "log-b");
  ASSERT_NE(a.port(), 0);
  ASSERT_NE(b.port(), 0);
  const std::string server_pub = P("keys/server.pub");
  // Terminals 1 and 2 also go by stick, each to the server its sync does not use.
  std::filesystem::create_directories(dir_ / "again");
  for (int t : {1, 2}) {
    const std::string stick = P("stick" + std::to_string(t));
    std::filesystem::create_directories(stick);
    auto x = RunLontar({"bundles", "export", "--home", Home(t), "--to", stick});
    ASSERT_EQ(x.exit_code, 0) << x.err;
  }

  std::vector<CommandResult> runs(kTerminals + 2);
  std::vector<std::thread> threads;
  for (int t = 0; t < kTerminals; ++t) {
    threads.emplace_back([&, t] {
      runs[static_cast<std::size_t>(t)] =
          RunLontar({"sync", "--home", Home(t), "--server", t < 2 ? a.url() : b.url(),
                     "--server-key", server_pub});
    });
  }
  for (int t : {1, 2}) {
    threads.emplace_back([&, t] {
      runs[static_cast<std::size_t>(kTerminals + t - 1)] = RunLontar(
          {"bundles", "import", "--from", P("stick" + std::to_string(t)), "--server",
           t == 1 ? b.url() : a.url(), "--server-key", server_pub, "--enrolled", P("enrolled")});
    });
  }
  for (auto& th : threads) th.join();
  for (std::size_t i = 0; i < runs.size(); ++i) {
    EXPECT_EQ(runs[i].exit_code, 0)
        << "run " << i << ": " << runs[i].out << runs[i].err << a.Stderr() << b.Stderr();
  }

  // Every terminal's bundles delivered, each with a receipt from the one server key that names
  // it; the store holds each once, and both servers answer its receipt code with the receipt
  // the terminal holds.
  auto key = crypto::ReadSigningPublicKeyFile(server_pub);
  ASSERT_TRUE(key) << key.error().message();
  std::set<std::string> sent;
  for (int t = 0; t < kTerminals; ++t) {
    const auto entries = Outbox(t);
    ASSERT_EQ(entries.size(), static_cast<std::size_t>(kBundlesEach)) << "terminal " << t;
    for (const auto& e : entries) {
      const std::string id = HexEncode(e.bundle_id);
      sent.insert(id);
      ASSERT_TRUE(e.delivered) << "terminal " << t << " bundle " << e.seq;
      auto receipt = bundle::VerifyReceipt(e.receipt, *key);
      ASSERT_TRUE(receipt) << receipt.error().message();
      EXPECT_EQ(HexEncode(receipt->bundle_id), id);
      const std::string held(e.receipt.begin(), e.receipt.end());
      for (const ServerProcess* s : {&a, &b}) {
        auto reply = HttpRequest(s->port(), "GET", "/v1/receipts/" + e.receipt_code);
        ASSERT_EQ(reply.status, 200) << reply.body;
        auto j = nlohmann::json::parse(reply.body, nullptr, false);
        ASSERT_TRUE(j.is_object()) << reply.body;
        EXPECT_EQ(j["receipt"], held) << "bundle " << id << " from port " << s->port();
      }
    }
  }
  ASSERT_EQ(sent.size(), static_cast<std::size_t>(kTerminals * kBundlesEach));
  auto reader = server::OpenPostgresBackend(url_, server::StoreAccess::kReadOnly);
  ASSERT_TRUE(reader) << reader.error().message();
  auto rows = (*reader)->ListBundles();
  ASSERT_TRUE(rows) << rows.error().message();
  std::multiset<std::string> stored;
  for (const auto& row : *rows) stored.insert(row.bundle_id);
  EXPECT_EQ(stored, std::multiset<std::string>(sent.begin(), sent.end()));
  auto flags = (*reader)->ListFlags();
  ASSERT_TRUE(flags) << flags.error().message();
  EXPECT_TRUE(flags->empty()) << (*flags)[0].kind << ": " << (*flags)[0].detail;
  for (const ServerProcess* s : {&a, &b}) {
    auto st = nlohmann::json::parse(HttpRequest(s->port(), "GET", "/v1/status.json").body, nullptr,
                                    false);
    EXPECT_EQ(st["bundles"], kTerminals * kBundlesEach) << st.dump();
  }

  // Every bundle once more, all through the second server (half of them were stored through
  // the first): each is a duplicate, and nothing changes.
  for (int t = 0; t < kTerminals; ++t) {
    auto x = RunLontar({"bundles", "export", "--home", Home(t), "--to", P("again")});
    ASSERT_EQ(x.exit_code, 0) << x.err;
  }
  auto again = RunLontar({"bundles", "import", "--from", P("again"), "--server", b.url(),
                          "--server-key", server_pub, "--enrolled", P("enrolled"), "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  const auto report = nlohmann::json::parse(again.out, nullptr, false);
  ASSERT_TRUE(report.is_array()) << again.out;
  ASSERT_EQ(report.size(), static_cast<std::size_t>(kTerminals)) << again.out;
  for (const auto& stick : report) {
    EXPECT_EQ(stick["stored"], 0) << stick.dump();
    EXPECT_EQ(stick["already_stored"], kBundlesEach) << stick.dump();
    EXPECT_EQ(stick["receipts_not_verified"], 0) << stick.dump();
  }
  auto count = (*reader)->CountBundles();
  ASSERT_TRUE(count) << count.error().message();
  EXPECT_EQ(*count, static_cast<std::uint64_t>(kTerminals * kBundlesEach));
  EXPECT_EQ(a.Stop(), 0);
  EXPECT_EQ(b.Stop(), 0);
}

}  // namespace
}  // namespace lontar
