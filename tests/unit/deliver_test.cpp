// The one delivery path (core/sync/deliver.hpp) and the protocol table (core/sync/protocol.hpp),
// against an in-process fake uploader that answers what each test scripts: one test per refusal
// and per receipt problem, each checking the message. The end-to-end tests (sync and import
// against a real `lontar serve`: server_test.cpp, import_e2e_test.cpp, site_relay_test.cpp) take
// the same path over HTTP.
#include <gtest/gtest.h>

#include <deque>

#include "core/bundle/receipt.hpp"
#include "core/sync/deliver.hpp"
#include "core/sync/protocol.hpp"
#include "core/util/fs.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::sync {
namespace {

using std::chrono::milliseconds;

class FakeUploader {
 public:
  void Then(Result<UploadAnswer> answer) { script_.push_back(std::move(answer)); }
  Uploader AsUploader() {
    return [this](const std::string& id_hex, ByteView bundle) -> Result<UploadAnswer> {
      ids.push_back(id_hex);
      bodies.emplace_back(bundle.begin(), bundle.end());
      if (script_.empty()) return std::unexpected(Error::Internal("fake: nothing scripted"));
      auto next = std::move(script_.front());
      script_.pop_front();
      return next;
    };
  }
  std::vector<std::string> ids;
  std::vector<Bytes> bodies;

 private:
  std::deque<Result<UploadAnswer>> script_;
};

class DeliverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    expect_.bundle_id.fill(0x5a);
    expect_.terminal_id = "T-0001";
    expect_.seq = 7;
  }

  std::string ReceiptBy(const crypto::SigningKey& key, std::uint64_t seq = 7) const {
    return bundle::WriteReceipt({.bundle_id = expect_.bundle_id,
                                 .terminal_id = expect_.terminal_id,
                                 .seq = seq,
                                 .stored_ms = 1700000000000,
                                 .server_key_id = key.id(),
                                 .signed_ms = 1700000000000},
                                key);
  }
  static UploadAnswer Stored(std::string receipt, bool duplicate = false) {
    return {.receipt = std::move(receipt),
            .relay_held = false,
            .already_stored = duplicate,
            .note = {}};
  }
  static UploadAnswer Held(std::string receipt, std::string note = "upstream down") {
    return {.receipt = std::move(receipt),
            .relay_held = true,
            .already_stored = false,
            .note = std::move(note)};
  }
  SyncKeys Keys(bool with_relay = false) const {
    return {.server_key = server_.public_key(),
            .relay_key = with_relay ? std::optional(relay_.public_key()) : std::nullopt};
  }
  // Retries up to `attempts`, recording each pause; `stop_after` pauses, the pause says stop.
  RetryPolicy Retry(int attempts, int stop_after = 1000) {
    return {.attempts = attempts,
            .first_backoff = milliseconds(1000),
            .pause = [this, stop_after](milliseconds d) {
              pauses_.push_back(d);
              return static_cast<int>(pauses_.size()) < stop_after;
            }};
  }
  Result<Delivery> Deliver(const SyncKeys& keys, const RetryPolicy& retry, bool central_only) {
    return DeliverBundle(AsBytes(std::string_view("bundle bytes")), expect_, keys,
                         fake_.AsUploader(), retry, central_only);
  }

  crypto::SigningKey server_ = *crypto::SigningKey::Generate();
  crypto::SigningKey relay_ = *crypto::SigningKey::Generate();
  crypto::SigningKey other_ = *crypto::SigningKey::Generate();
  BundleIdentity expect_;
  FakeUploader fake_;
  std::vector<milliseconds> pauses_;
};

TEST_F(DeliverTest, AStoredBundleIsConfirmedWithTheServersReceipt) {
  fake_.Then(Stored(ReceiptBy(server_)));
  auto d = Deliver(Keys(), RetryPolicy{}, false);
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(d->outcome, Delivered::kConfirmed);
  EXPECT_TRUE(d->Proven());
  EXPECT_FALSE(d->answer.already_stored);
  ASSERT_EQ(fake_.ids.size(), 1u);
  std::string hex;  // the id filled with 0x5a: "5a" 32 times
  for (int i = 0; i < 32; ++i) hex += "5a";
  EXPECT_EQ(fake_.ids[0], hex);
  const ByteView sent = AsBytes(std::string_view("bundle bytes"));
  EXPECT_EQ(fake_.bodies[0], Bytes(sent.begin(), sent.end()));
}

TEST_F(DeliverTest, ADuplicateIsConfirmedToo) {
  fake_.Then(Stored(ReceiptBy(server_), /*duplicate=*/true));
  auto d = Deliver(Keys(), RetryPolicy{}, false);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->Proven());
  EXPECT_TRUE(d->answer.already_stored);
}

// Transport failures are retried with the pause doubling: 1 s, then 2 s.
TEST_F(DeliverTest, TransportFailuresAreRetriedWithBackoff) {
  fake_.Then(std::unexpected(Error::Io("connection refused")));
  fake_.Then(std::unexpected(Error::Io("server refused the bundle (HTTP 503)")));
  fake_.Then(Stored(ReceiptBy(server_)));
  auto d = Deliver(Keys(), Retry(5), false);
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(d->attempts, 3);
  EXPECT_EQ(pauses_, (std::vector<milliseconds>{milliseconds(1000), milliseconds(2000)}));
}

TEST_F(DeliverTest, TransportFailuresStopAfterTheLastAttempt) {
  for (int i = 0; i < 3; ++i) fake_.Then(std::unexpected(Error::Io("timeout")));
  auto d = Deliver(Keys(), Retry(3), false);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().kind(), ErrorKind::kIo);
  EXPECT_EQ(d.error().message(), "timeout");
  EXPECT_EQ(fake_.ids.size(), 3u);
  EXPECT_EQ(pauses_.size(), 2u);
}

// The operator's stop (the pause answers false): nothing more is sent.
TEST_F(DeliverTest, AStopEndsTheRetries) {
  for (int i = 0; i < 3; ++i) fake_.Then(std::unexpected(Error::Io("timeout")));
  auto d = Deliver(Keys(), Retry(5, /*stop_after=*/1), false);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().kind(), ErrorKind::kIo);
  EXPECT_EQ(fake_.ids.size(), 1u);
}

// A refusal will not change on retry: one upload, the server's message as the error.
TEST_F(DeliverTest, ARefusalIsNotRetried) {
  for (long status : {400L, 403L, 409L, 411L, 413L, 422L, 431L}) {
    SCOPED_TRACE(status);
    FakeUploader fake;
    fake.Then(std::unexpected(ErrorForStatus(status, "why")));
    auto d = DeliverBundle(AsBytes(std::string_view("b")), expect_, Keys(), fake.AsUploader(),
                           Retry(5), false);
    ASSERT_FALSE(d);
    EXPECT_NE(d.error().kind(), ErrorKind::kIo);
    EXPECT_EQ(d.error().message(),
              "server refused the bundle (HTTP " + std::to_string(status) + ": why)");
    EXPECT_EQ(fake.ids.size(), 1u);
  }
  EXPECT_TRUE(pauses_.empty());
}

TEST_F(DeliverTest, AReceiptByAnotherKeyProvesNothing) {
  fake_.Then(Stored(ReceiptBy(other_)));
  auto d = Deliver(Keys(), RetryPolicy{}, false);
  ASSERT_TRUE(d);  // the server took it
  EXPECT_EQ(d->outcome, Delivered::kConfirmed);
  EXPECT_EQ(d->receipt_check, ReceiptCheck::kDoesNotVerify);
  ASSERT_TRUE(d->receipt_error);
  EXPECT_EQ(d->receipt_error->kind(), ErrorKind::kUntrusted);
}

TEST_F(DeliverTest, AReceiptThatIsNotAReceiptProvesNothing) {
  fake_.Then(Stored("<html>proxy login</html>"));
  auto d = Deliver(Keys(), RetryPolicy{}, false);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->receipt_check, ReceiptCheck::kDoesNotVerify);
}

TEST_F(DeliverTest, AReceiptNamingAnotherBundleProvesNothing) {
  fake_.Then(Stored(ReceiptBy(server_, /*seq=*/8)));
  auto d = Deliver(Keys(), RetryPolicy{}, false);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->receipt_check, ReceiptCheck::kNamesAnother);
  ASSERT_TRUE(d->receipt_error);
  EXPECT_EQ(d->receipt_error->message(), "server's receipt names bundle " +
                                             HexEncode(expect_.bundle_id).substr(0, 16) +
                                             " of T-0001 #8, not this one");
}

TEST_F(DeliverTest, ARelaysHoldIsCheckedWithTheRelayKey) {
  fake_.Then(Held(ReceiptBy(relay_)));
  auto d = Deliver(Keys(/*with_relay=*/true), RetryPolicy{}, false);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->outcome, Delivered::kRelayHeld);
  EXPECT_TRUE(d->Proven());
  EXPECT_EQ(d->answer.note, "upstream down");
}

TEST_F(DeliverTest, ARelaysHoldWithoutTheRelayKeyIsUnchecked) {
  fake_.Then(Held(ReceiptBy(relay_)));
  auto d = Deliver(Keys(), RetryPolicy{}, false);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->outcome, Delivered::kRelayHeldUnchecked);
  EXPECT_EQ(d->receipt_check, ReceiptCheck::kNotChecked);
}

TEST_F(DeliverTest, ARelaysReceiptSignedByTheServerKeyIsNotTheRelays) {
  fake_.Then(Held(ReceiptBy(server_)));
  auto d = Deliver(Keys(/*with_relay=*/true), RetryPolicy{}, false);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->outcome, Delivered::kRelayHeld);
  EXPECT_EQ(d->receipt_check, ReceiptCheck::kDoesNotVerify);
}

TEST_F(DeliverTest, ARelaysReceiptNamingAnotherBundleProvesNothing) {
  fake_.Then(Held(ReceiptBy(relay_, /*seq=*/9)));
  auto d = Deliver(Keys(/*with_relay=*/true), RetryPolicy{}, false);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->receipt_check, ReceiptCheck::kNamesAnother);
  EXPECT_NE(d->receipt_error->message().find("relay's receipt names bundle"), std::string::npos);
}

// `bundles import` wants the collection server's receipt: a relay's hold is retried.
TEST_F(DeliverTest, CentralOnlyRetriesARelaysHold) {
  fake_.Then(Held(ReceiptBy(relay_), "link down"));
  fake_.Then(Held(ReceiptBy(relay_), "link down"));
  auto d = Deliver(Keys(/*with_relay=*/true), Retry(2), /*central_only=*/true);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().kind(), ErrorKind::kIo);
  EXPECT_EQ(d.error().message(),
            "the relay holds it; the collection server has not confirmed it yet (link down)");
  EXPECT_EQ(fake_.ids.size(), 2u);
}

TEST_F(DeliverTest, ADamagedFileIsNeverUploaded) {
  testing::TempDir dir;
  const auto file = dir.path() / "damaged.lrb";
  ASSERT_TRUE(WriteFileAtomic(file, AsBytes(std::string_view("not a bundle at all")), 0644,
                              Overwrite::kRefuse));
  auto d = DeliverBundleFile(file, {other_.public_key()}, server_.public_key(), fake_.AsUploader(),
                             Retry(3));
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().kind(), ErrorKind::kMalformed);
  EXPECT_NE(d.error().message().find("damaged.lrb is not a Lontar result bundle"),
            std::string::npos)
      << d.error().message();
  EXPECT_TRUE(fake_.ids.empty());
}

// The protocol table, both directions (core/sync/protocol.hpp).
TEST(ProtocolTest, ServerErrorKindsMapToStatuses) {
  EXPECT_EQ(StatusFor(ErrorKind::kMalformed), 400);
  EXPECT_EQ(StatusFor(ErrorKind::kInvalidArgument), 400);
  EXPECT_EQ(StatusFor(ErrorKind::kTooNew), 400);
  EXPECT_EQ(StatusFor(ErrorKind::kUntrusted), 403);
  EXPECT_EQ(StatusFor(ErrorKind::kNotFound), 404);
  EXPECT_EQ(StatusFor(ErrorKind::kConflict), 409);
  EXPECT_EQ(StatusFor(ErrorKind::kBadSignature), 422);
  EXPECT_EQ(StatusFor(ErrorKind::kCorruption), 422);
  EXPECT_EQ(StatusFor(ErrorKind::kDiskFull), 507);
  EXPECT_EQ(StatusFor(ErrorKind::kIo), 500);
  EXPECT_EQ(StatusFor(ErrorKind::kInternal), 500);
}

TEST(ProtocolTest, StatusesMapToUploaderErrors) {
  struct Row {
    long status;
    ErrorKind kind;
  };
  const Row rows[] = {
      {400, ErrorKind::kMalformed}, {403, ErrorKind::kUntrusted},    {404, ErrorKind::kMalformed},
      {408, ErrorKind::kIo},        {409, ErrorKind::kMalformed},    {411, ErrorKind::kMalformed},
      {413, ErrorKind::kMalformed}, {422, ErrorKind::kBadSignature}, {429, ErrorKind::kIo},
      {431, ErrorKind::kMalformed}, {500, ErrorKind::kIo},           {503, ErrorKind::kIo},
      {507, ErrorKind::kIo},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.status);
    EXPECT_EQ(ErrorForStatus(r.status, "x").kind(), r.kind);
  }
  EXPECT_EQ(ErrorForStatus(418, "").message(), "server refused the bundle (HTTP 418)");
}

TEST(ProtocolTest, BundleIdsInThePathAreLowerCaseHex) {
  EXPECT_TRUE(IsBundleIdHex(std::string(64, 'a')));
  EXPECT_FALSE(IsBundleIdHex(std::string(64, 'A')));
  EXPECT_FALSE(IsBundleIdHex(std::string(63, 'a')));
  EXPECT_FALSE(IsBundleIdHex(std::string(63, 'a') + "g"));
}

}  // namespace
}  // namespace lontar::sync
