// The relay's queue with an injected upstream: a bundle counts as forwarded only with a receipt
// that verifies with the upstream key and names it; the queue survives a restart; a bundle the
// upstream refuses does not hold back the ones behind it.
#include "core/server/relay.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>

#include "core/bundle/receipt.hpp"
#include "core/crypto/hash.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using namespace std::chrono_literals;

class RelayTest : public ::testing::Test {
 protected:
  // A bundle id (hex) and bytes: the relay does not parse bundles (its store did already).
  std::pair<std::string, Bytes> Bundle(const std::string& text) {
    const crypto::Hash256 id = crypto::Blake2b256(AsBytes(text));
    return {HexEncode(id), ToBytes(text)};
  }
  std::string ReceiptFor(const std::string& id_hex, const crypto::SigningKey& key) {
    bundle::Receipt r;
    auto raw = HexDecode(id_hex).value();
    std::copy(raw.begin(), raw.end(), r.bundle_id.begin());
    r.terminal_id = "T-0000000000000001";
    r.seq = 1;
    r.stored_ms = 1'795'478'400'000;
    return bundle::WriteReceipt(r, key);
  }
  std::unique_ptr<server::Relay> Open(server::UpstreamUpload upload) {
    auto relay =
        server::Relay::Open(dir_.path(), upstream_.public_key(), std::move(upload), clock_);
    EXPECT_TRUE(relay) << relay.error().message();
    return relay ? std::move(*relay) : nullptr;
  }

  testing::TempDir dir_;
  ManualClock clock_;
  crypto::SigningKey upstream_ = crypto::SigningKey::Generate().value();
  crypto::SigningKey impostor_ = crypto::SigningKey::Generate().value();
};

TEST_F(RelayTest, ForwardsOnlyWithAReceiptFromTheUpstreamKeyForThatBundle) {
  const auto [id, bytes] = Bundle("bundle one");
  const auto [other, other_bytes] = Bundle("bundle two");
  std::atomic<int> mode = 0;  // 0: link down, 1: impostor's receipt, 2: another bundle's, 3: good
  auto relay = Open([&](const std::string& id_hex, ByteView sent) -> Result<std::string> {
    EXPECT_EQ(id_hex, id);
    EXPECT_EQ(Bytes(sent.begin(), sent.end()), bytes);
    switch (mode.load()) {
      case 0:
        return std::unexpected(Error::Io("connection refused"));
      case 1:
        return ReceiptFor(id_hex, impostor_);
      case 2:
        return ReceiptFor(other, upstream_);
      default:
        return ReceiptFor(id_hex, upstream_);
    }
  });
  ASSERT_TRUE(relay);
  ASSERT_TRUE(relay->Enqueue(id, bytes));
  ASSERT_TRUE(relay->Enqueue(id, bytes)) << "queuing again is harmless";
  relay->Start(50ms);
  for (int m = 0; m < 3; ++m) {
    mode = m;
    auto r = relay->AwaitUpstream(id, 300ms);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->has_value()) << "mode " << m;
  }
  auto stats = relay->Stats().value();
  EXPECT_EQ(stats.queued, 1u);
  EXPECT_EQ(stats.forwarded, 0u);
  EXPECT_NE(stats.oldest_pending_ms, 0);
  EXPECT_FALSE(stats.last_error.empty());
  mode = 3;
  auto r = relay->AwaitUpstream(id, 10s);
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ(**r, ReceiptFor(id, upstream_)) << "passed back byte for byte";
  stats = relay->Stats().value();
  EXPECT_EQ(stats.forwarded, 1u);
  EXPECT_EQ(stats.oldest_pending_ms, 0);
  EXPECT_TRUE(stats.last_error.empty());
}

// With the upstream out of reach an uploader hears "held here" as soon as the forwarder has
// found the link down, not after the whole wait (a site's terminals hand over every bundle
// quickly while the central link is down). A wait that ran to its end would take an hour here.
TEST_F(RelayTest, AnUploaderIsNotKeptWaitingWhileTheLinkIsDown) {
  const auto [id, bytes] = Bundle("while the link is down");
  std::atomic<int> tries = 0;
  auto relay = Open([&](const std::string&, ByteView) -> Result<std::string> {
    ++tries;
    return std::unexpected(Error::Io("connection refused"));
  });
  ASSERT_TRUE(relay);
  ASSERT_TRUE(relay->Enqueue(id, bytes));
  relay->Start(std::chrono::hours(1));
  for (int i = 0; i < 3; ++i) {
    auto r = relay->AwaitUpstream(id, std::chrono::hours(1));
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_FALSE(r->has_value());
  }
  EXPECT_GE(tries.load(), 3) << "each wait wakes the forwarder for another attempt";
  EXPECT_NE(relay->Stats().value().last_error.find("connection refused"), std::string::npos);
}

TEST_F(RelayTest, TheQueueSurvivesARestart) {
  const auto [id, bytes] = Bundle("queued before a power cut");
  {
    auto relay = Open([](const std::string&, ByteView) -> Result<std::string> {
      return std::unexpected(Error::Io("no link"));
    });
    ASSERT_TRUE(relay);
    ASSERT_TRUE(relay->Enqueue(id, bytes));
  }  // never started: closed with the bundle queued
  std::atomic<int> sent = 0;
  auto relay = Open([&](const std::string& id_hex, ByteView) -> Result<std::string> {
    ++sent;
    return ReceiptFor(id_hex, upstream_);
  });
  ASSERT_TRUE(relay);
  relay->Start(50ms);
  auto r = relay->AwaitUpstream(id, 10s);
  ASSERT_TRUE(r && r->has_value());
  EXPECT_EQ(sent.load(), 1);
}

TEST_F(RelayTest, ARefusedBundleDoesNotHoldBackTheOthers) {
  const auto [bad, bad_bytes] = Bundle("from a terminal upstream does not know");
  std::mutex mu;
  std::set<std::string> good;
  auto relay = Open([&](const std::string& id_hex, ByteView) -> Result<std::string> {
    if (id_hex == bad) return std::unexpected(Error::Untrusted("terminal not enrolled"));
    std::lock_guard lock(mu);
    good.insert(id_hex);
    return ReceiptFor(id_hex, upstream_);
  });
  ASSERT_TRUE(relay);
  ASSERT_TRUE(relay->Enqueue(bad, bad_bytes));
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) {  // more than one batch
    auto [id, bytes] = Bundle("bundle " + std::to_string(i));
    ASSERT_TRUE(relay->Enqueue(id, bytes));
    ids.push_back(id);
  }
  relay->Start(50ms);
  for (const auto& id : ids) {
    auto r = relay->AwaitUpstream(id, 10s);
    ASSERT_TRUE(r && r->has_value()) << id;
  }
  auto stats = relay->Stats().value();
  EXPECT_EQ(stats.queued, 41u);
  EXPECT_EQ(stats.forwarded, 40u);
  EXPECT_NE(stats.last_error.find("terminal not enrolled"), std::string::npos) << stats.last_error;
}

}  // namespace
}  // namespace lontar
