// The terminal's clock against its server's: the signed time in receipts (format version 2, and
// version 1 still read), the offset measured at a sync and kept in the vault (journaled when it
// moves past the warning threshold), the relay's list of terminals whose clock is off, and the
// site's time zone as people read it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/bundle/bundle_format.hpp"
#include "core/bundle/outbox.hpp"
#include "core/bundle/receipt.hpp"
#include "core/format/signed_envelope.hpp"
#include "core/health/health.hpp"
#include "core/server/room.hpp"
#include "core/server/store.hpp"
#include "core/sync/clock_offset.hpp"
#include "core/sync/sync.hpp"
#include "core/terminal/enrollment.hpp"
#include "core/util/time_zone.hpp"
#include "tests/support/exam_terminals.hpp"
#include "tests/support/sample_bundles.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using testing::TempDir;
using testing::WriteText;

crypto::SigningKey SeedKey(std::uint8_t first) {
  std::array<std::uint8_t, crypto::kSignSeedSize> seed{};
  for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(first + i);
  return crypto::SigningKey::FromSeed(seed).value();
}

bundle::Receipt Sample(const crypto::SigningKey& key) {
  return testing::SampleReceipt(key, 1'796'516'100'000);
}

// The body's JSON, for tests that change one field and sign again.
nlohmann::ordered_json BodyOf(const std::string& receipt_text) {
  return nlohmann::ordered_json::parse(
      nlohmann::json::parse(receipt_text)["body"].get<std::string>());
}

// ---------------------------------------------------------------------------------------------
// The signed time

TEST(ReceiptTime, SignedTimeRoundTripsInsideTheSignature) {
  const auto key = SeedKey(1);
  bundle::Receipt r = Sample(key);
  r.signed_ms = r.stored_ms + 90'000;  // a relay signing again 90 s after it stored the bundle
  const std::string text = bundle::WriteReceipt(r, key);
  EXPECT_EQ(nlohmann::json::parse(text)["version"], 2);
  auto v = bundle::VerifyReceipt(AsBytes(text), key.public_key());
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(v->signed_ms, r.stored_ms + 90'000);
  EXPECT_EQ(v->stored_ms, r.stored_ms);
  // Without a signed time of its own, a receipt is signed at its stored time.
  auto plain =
      bundle::VerifyReceipt(AsBytes(bundle::WriteReceipt(Sample(key), key)), key.public_key());
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->signed_ms, Sample(key).stored_ms);
}

TEST(ReceiptTime, AChangedSignedTimeIsRefused) {
  const auto key = SeedKey(1);
  const std::string text = bundle::WriteReceipt(Sample(key), key);
  // Move the signed time 10 minutes on, in the body as sent, and keep the signature.
  auto envelope = nlohmann::ordered_json::parse(text);
  auto body = BodyOf(text);
  body["signed_ms"] = body["signed_ms"].get<std::int64_t>() + 600'000;
  envelope["body"] = body.dump();
  auto r = bundle::VerifyReceipt(AsBytes(envelope.dump()), key.public_key());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::kBadSignature) << r.error().message();
}

TEST(ReceiptTime, AVersionTwoBodyRelabelledVersionOneIsRefused) {
  // The version is signed: a new receipt cannot pass for an old one that has no time to check.
  const auto key = SeedKey(1);
  auto envelope = nlohmann::ordered_json::parse(bundle::WriteReceipt(Sample(key), key));
  envelope["version"] = 1;
  auto r = bundle::VerifyReceipt(AsBytes(envelope.dump()), key.public_key());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::kBadSignature) << r.error().message();
}

TEST(ReceiptTime, AVersionTwoBodyWithoutSignedTimeIsMalformed) {
  const auto key = SeedKey(1);
  auto body = BodyOf(bundle::WriteReceipt(Sample(key), key));
  body.erase("signed_ms");
  const std::string text = format::WriteSignedEnvelope("lontar-receipt", 2, key, body.dump());
  auto r = bundle::VerifyReceipt(AsBytes(text), key.public_key());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::kMalformed);
  EXPECT_EQ(r.error().message(), "receipt: field 'signed_ms' missing or not an integer");
}

TEST(ReceiptTime, VersionOneReceiptsStillVerify) {
  // What the version-1 writer produced, byte for byte: its body fields in its order, signed as
  // format "lontar-receipt" version 1.
  const auto key = SeedKey(1);
  const bundle::Receipt s = Sample(key);
  nlohmann::ordered_json body;
  body["bundle_id"] = HexEncode(s.bundle_id);
  body["receipt_code"] = "0000-0000-0000";  // not checked by the reader: for people
  body["terminal_id"] = s.terminal_id;
  body["seq"] = s.seq;
  body["stored_ms"] = s.stored_ms;
  body["server_key_id"] = key.id().ToString();
  const std::string v1 = format::WriteSignedEnvelope("lontar-receipt", 1, key, body.dump());
  auto r = bundle::VerifyReceipt(AsBytes(v1), key.public_key());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->bundle_id, s.bundle_id);
  EXPECT_EQ(r->seq, 7u);
  EXPECT_EQ(r->stored_ms, s.stored_ms);
  EXPECT_FALSE(r->signed_ms.has_value());
  // And one from another key is still refused as before.
  auto other = bundle::VerifyReceipt(AsBytes(v1), SeedKey(2).public_key());
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().kind(), ErrorKind::kUntrusted);
}

TEST(ReceiptTime, AFutureVersionIsTooNew) {
  const auto key = SeedKey(1);
  const std::string v3 = format::WriteSignedEnvelope(
      "lontar-receipt", 3, key, BodyOf(bundle::WriteReceipt(Sample(key), key)).dump());
  auto r = bundle::VerifyReceipt(AsBytes(v3), key.public_key());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::kTooNew);
}

// ---------------------------------------------------------------------------------------------
// Measuring

sync::ClockOffset Reading(std::int64_t offset_ms, bool relay = false) {
  sync::ClockOffset r;
  r.offset_ms = offset_ms;
  r.relay = relay;
  return r;
}

TEST(ClockOffset, MeasuredFromTheMiddleOfTheRoundTrip) {
  // Sent at monotonic 5.000 s, answered at 5.040 s (a 40 ms round trip), when the terminal's
  // wall clock read 1'000'000. The server signed at 1'600'020: the middle of the exchange on the
  // terminal's clock is 1'000'000 - 20 = 999'980, so the server is 600'040 ms ahead, ± 20 ms.
  const sync::UploadTiming t{.sent_mono_ns = 5'000'000'000,
                             .answered_mono_ns = 5'040'000'000,
                             .answered_wall_ms = 1'000'000};
  const sync::ClockOffset r = sync::MeasureClockOffset(1'600'020, t);
  EXPECT_EQ(r.offset_ms, 600'040);
  EXPECT_EQ(r.uncertainty_ms, 20);
  EXPECT_EQ(r.measured_ms, 1'000'000);
  EXPECT_TRUE(r.Off());
  // A 3 ms round trip: half is 1.5 ms, rounded up to 2 ms; the middle is 1 ms back (whole ms).
  const sync::ClockOffset q = sync::MeasureClockOffset(
      1'000'050, {.sent_mono_ns = 0, .answered_mono_ns = 3'000'000, .answered_wall_ms = 1'000'000});
  EXPECT_EQ(q.offset_ms, 51);
  EXPECT_EQ(q.uncertainty_ms, 2);
  EXPECT_FALSE(q.Off());
}

TEST(ClockOffset, TheThresholdIsTwoMinutesEitherWay) {
  auto off = [](std::int64_t ms) { return Reading(ms).Off(); };
  EXPECT_FALSE(off(120'000));
  EXPECT_TRUE(off(120'001));
  EXPECT_FALSE(off(-120'000));
  EXPECT_TRUE(off(-120'001));
}

TEST(ClockOffset, DescribedForPeople) {
  EXPECT_EQ(sync::DescribeClockOffset(1'250), "1.2 s behind");
  EXPECT_EQ(sync::DescribeClockOffset(-600'040), "10 min 0 s ahead of");
  EXPECT_EQ(sync::DescribeClockOffset(3 * 3'600'000 + 5 * 60'000), "3 h 5 min behind");
  // A dead CMOS battery: 2000-01-01 against December 2026 is 9836 days and a quarter hour.
  EXPECT_EQ(sync::DescribeClockOffset(1'796'516'100'000 - 946'684'800'000), "9836 days behind");
  EXPECT_EQ(sync::DescribeClockOffset(0), "0.0 s level with");
  EXPECT_EQ(sync::ClockAdvice(Reading(119'000)), "");
  const std::string advice = sync::ClockAdvice(Reading(-600'040, /*relay=*/true));
  EXPECT_NE(advice.find("10 min 0 s ahead of the site relay's"), std::string::npos) << advice;
  EXPECT_NE(advice.find("technician mode"), std::string::npos) << advice;
}

// ---------------------------------------------------------------------------------------------
// A sync against a store whose clock is 10 minutes ahead, in process: kept, journaled once.

class ClockSync : public ::testing::Test {
 protected:
  void SetUp() override {
    authority_.emplace(crypto::SigningKey::Generate().value());
    results_.emplace(crypto::BoxSecretKey::Generate().value());
    auto t = testing::InitTerminal(dir_ / "home", authority_->public_key(), terminal_clock_);
    ASSERT_TRUE(t);
    t_.emplace(std::move(*t));
    std::filesystem::create_directories(dir_ / "enrolled");
    WriteText(dir_ / "enrolled" / "t1.enroll",
              terminal::WriteEnrollment(*t_, terminal_clock_.WallMs()));
    server_clock_.SetWallMs(terminal_clock_.WallMs() + 600'000);
    auto store = server::Store::Open(dir_ / "store", dir_ / "enrolled", SeedKey(9), server_clock_);
    ASSERT_TRUE(store) << store.error().message();
    store_ = std::move(*store);
  }

  void AddBundle(std::uint64_t seq) {
    bundle::BundleInputs in;
    in.terminal_id = t_->id();
    in.site = t_->site();
    in.exam_id = "SKD-2026";
    in.pack_id = "0123456789abcdef0123456789abcdef";
    in.exam_version = 1;
    in.participant = "P-00" + std::to_string(seq);
    in.created_ms = terminal_clock_.WallMs();
    in.seq = seq;
    in.journal_seq = t_->journal().head().seq;
    in.journal_hash = t_->journal().head().hash;
    in.payload.answers = {{"tiu-01", "A"}};
    auto b = bundle::WriteBundle(in, t_->signing_key(), results_->public_key());
    ASSERT_TRUE(b) << b.error().message();
    ASSERT_TRUE(bundle::AddToOutbox(*t_, *b));
  }

  // Uploads straight into the store; each upload takes 30 ms of the terminal's monotonic clock.
  sync::Uploader Upload() {
    return [this](const std::string&, ByteView bytes) -> Result<sync::UploadAnswer> {
      terminal_clock_.Advance(30'000'000);
      LONTAR_ASSIGN_OR_RETURN(server::Accepted a, store_->Accept(bytes));
      return sync::UploadAnswer{.receipt = a.receipt_text,
                                .relay_held = false,
                                .already_stored = a.duplicate,
                                .note = {}};
    };
  }

  std::vector<std::string> ClockRecords() {
    std::vector<std::string> out;
    const std::vector<journal::Record> all = t_->journal().Read(1, 1000).value();
    for (const auto& r : all) {
      if (r.type == "clock.offset") out.push_back(r.payload);
    }
    return out;
  }

  TempDir dir_;
  ManualClock terminal_clock_, server_clock_;
  std::optional<crypto::SigningKey> authority_;
  std::optional<crypto::BoxSecretKey> results_;
  std::optional<terminal::Terminal> t_;
  std::unique_ptr<server::Store> store_;
};

TEST_F(ClockSync, ASyncKeepsTheOffsetAndJournalsItOnce) {
  AddBundle(1);
  const sync::SyncKeys keys{.server_key = SeedKey(9).public_key(), .relay_key = std::nullopt};
  auto r = sync::SyncOutbox(*t_, keys, Upload(), terminal_clock_);
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->delivered, 1u);
  // The store signed at its clock, 600'000 ms ahead of the terminal's wall clock before the
  // upload; the answer came 30 ms later (the terminal's wall clock moved with it), so the middle
  // of the exchange is 15 ms after sending: 600'000 - 15 = 599'985 ms, ± 15 ms.
  ASSERT_TRUE(r->clock.has_value());
  EXPECT_EQ(r->clock->offset_ms, 599'985);
  EXPECT_EQ(r->clock->uncertainty_ms, 15);
  EXPECT_EQ(r->clock->signer_key_id, SeedKey(9).id().ToString());
  EXPECT_FALSE(r->clock->relay);
  EXPECT_EQ(r->clock_error, "");

  auto kept = sync::ReadClockOffset(t_->vault());
  ASSERT_TRUE(kept && kept->has_value());
  EXPECT_EQ((*kept)->offset_ms, 599'985);
  auto records = ClockRecords();
  ASSERT_EQ(records.size(), 1u);
  auto j = nlohmann::json::parse(records[0]);
  EXPECT_EQ(j["offset_ms"], 599'985);
  EXPECT_TRUE(j["previous_offset_ms"].is_null());

  // What terminal status and the kiosk's health page show.
  auto health = health::ReadClockHealth(t_->vault(), terminal_clock_);
  ASSERT_TRUE(health) << health.error().message();
  EXPECT_TRUE(health->measured);
  EXPECT_TRUE(health->off);
  EXPECT_EQ(health->offset_ms, 599'985);
  EXPECT_EQ(health->last_sync_ms, r->clock->measured_ms);
  EXPECT_NE(health->summary.find("9 min 59 s behind the collection server's"), std::string::npos)
      << health->summary;
  EXPECT_NE(health->advice.find("set the date and time"), std::string::npos) << health->advice;

  // A second sync that finds the clock as before keeps the reading but journals nothing.
  AddBundle(2);
  ASSERT_TRUE(sync::SyncOutbox(*t_, keys, Upload(), terminal_clock_));
  EXPECT_EQ(ClockRecords().size(), 1u);

  // The technician sets the clock right: the next sync journals the change back.
  terminal_clock_.SetWallMs(server_clock_.WallMs());
  AddBundle(3);
  auto fixed = sync::SyncOutbox(*t_, keys, Upload(), terminal_clock_);
  ASSERT_TRUE(fixed);
  ASSERT_TRUE(fixed->clock.has_value());
  EXPECT_EQ(fixed->clock->offset_ms, -15);
  records = ClockRecords();
  ASSERT_EQ(records.size(), 2u);
  // The second sync's reading: 30 ms later on the terminal's clock, the store's unchanged.
  EXPECT_EQ(nlohmann::json::parse(records[1])["previous_offset_ms"], 599'955);
  EXPECT_FALSE(health::ReadClockHealth(t_->vault(), terminal_clock_)->off);
}

TEST_F(ClockSync, ADuplicatesOldReceiptIsNotAReading) {
  AddBundle(1);
  const sync::SyncKeys keys{.server_key = SeedKey(9).public_key(), .relay_key = std::nullopt};
  // The bundle reaches the store first by another way (a USB stick); an hour later the
  // terminal's own upload gets the receipt signed back then.
  const auto entries = bundle::ListOutbox(*t_).value();
  ASSERT_TRUE(store_->Accept(bundle::ReadOutboxBundle(*t_, entries[0]).value()));
  server_clock_.Advance(3'600'000'000'000);
  auto r = sync::SyncOutbox(*t_, keys, Upload(), terminal_clock_);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->delivered, 1u);
  EXPECT_FALSE(r->clock.has_value());
  EXPECT_FALSE(sync::ReadClockOffset(t_->vault()).value().has_value());
  EXPECT_TRUE(ClockRecords().empty());
  EXPECT_FALSE(health::ReadClockHealth(t_->vault(), terminal_clock_)->measured);
}

TEST_F(ClockSync, ARelaysReceiptSignedAgainCarriesItsTimeNow) {
  // What a relay answers when it holds a bundle it stored an hour ago.
  AddBundle(1);
  const auto entries = bundle::ListOutbox(*t_).value();
  auto first = store_->Accept(bundle::ReadOutboxBundle(*t_, entries[0]).value());
  ASSERT_TRUE(first);
  server_clock_.Advance(3'600'000'000'000);
  const std::string again = store_->SignReceiptNow(first->receipt);
  auto r = bundle::VerifyReceipt(AsBytes(again), SeedKey(9).public_key());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->stored_ms, first->receipt.stored_ms);
  EXPECT_EQ(r->signed_ms, server_clock_.WallMs());
  EXPECT_EQ(*r->signed_ms - r->stored_ms, 3'600'000);
}

// ---------------------------------------------------------------------------------------------
// The relay's list: terminals that only sync are listed by their uploads' clocks.

TEST(RoomClock, TerminalsThatOnlySyncAreListedByTheirUploads) {
  TempDir dir;
  ManualClock clock;
  std::vector<terminal::Enrollment> enrolled;
  const auto authority = SeedKey(5);
  for (const char* name : {"t1", "t2"}) {
    auto t = testing::InitTerminal(dir / name, authority.public_key(), clock, name);
    ASSERT_TRUE(t);
    enrolled.push_back(
        terminal::ReadEnrollment(AsBytes(terminal::WriteEnrollment(*t, clock.WallMs()))).value());
  }
  server::RoomBoard board(enrolled, {});
  const std::int64_t now = 1'796'516'100'000;
  board.NoteUploadClock(enrolled[0].terminal_id, now - 600'000, now);  // 10 min behind
  board.NoteUploadClock(enrolled[1].terminal_id, now + 60'000, now);   // 1 min: within limits
  board.NoteUploadClock("T-NOT-ENROLLED", now - 600'000, now);         // ignored
  const server::RoomView v = board.View(now + 1000);
  ASSERT_EQ(v.clock_off.size(), 1u);
  EXPECT_EQ(v.clock_off[0].heartbeat.terminal_id, enrolled[0].terminal_id);
  EXPECT_EQ(v.clock_off[0].heartbeat.name, "t1");
  EXPECT_EQ(v.clock_off[0].clock_skew_ms, -600'000);
  EXPECT_TRUE(v.clock_off[0].clock_from_upload);
  EXPECT_TRUE(v.sessions.empty());  // no heartbeat: no tile
}

// ---------------------------------------------------------------------------------------------
// Zones

TEST(TimeZone, IndonesiasZonesAreFixedOffsets) {
  // 2026-12-06T00:15:00Z: 20454 days to 2026-01-01 (56 years, 14 of them leap) + 339 to 6
  // December = 20793 days = 1'796'515'200 s, + 900 s.
  const std::int64_t t = 1'796'516'100'000;
  EXPECT_EQ(FormatZonedTime(t, ParseTimeZone("WIB").value()), "2026-12-06 07:15 WIB");
  EXPECT_EQ(FormatZonedTime(t, ParseTimeZone("wita").value()), "2026-12-06 08:15 WITA");
  EXPECT_EQ(FormatZonedTime(t, ParseTimeZone("WIT").value()), "2026-12-06 09:15 WIT");
  EXPECT_EQ(FormatZonedTime(t, ParseTimeZone("UTC").value()), "2026-12-06 00:15 UTC");
  // 2026-12-31T16:30:00Z (20454 + 364 days, + 16.5 h): still 2026 in Jakarta, already 2027 in
  // Makassar and Jayapura.
  const std::int64_t eve = 1'798'734'600'000;
  EXPECT_EQ(FormatZonedTime(eve, ParseTimeZone("WIB").value()), "2026-12-31 23:30 WIB");
  EXPECT_EQ(FormatZonedTime(eve, ParseTimeZone("WITA").value()), "2027-01-01 00:30 WITA");
  EXPECT_EQ(FormatZonedTime(eve, ParseTimeZone("WIT").value()), "2027-01-01 01:30 WIT");
  EXPECT_EQ(FormatZonedTime(eve, ParseTimeZone("UTC-03:30").value()), "2026-12-31 13:00 UTC-03:30");
  // A dead CMOS battery's 2000-01-01T00:00:00Z (946'684'800 s).
  EXPECT_EQ(FormatZonedTime(946'684'800'000, ParseTimeZone("WITA").value()),
            "2000-01-01 08:00 WITA");
}

TEST(TimeZone, AnUnknownZoneSaysWhatIsAccepted) {
  auto z = ParseTimeZone("Asia/Makassar");
  ASSERT_FALSE(z);
  EXPECT_EQ(z.error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(z.error().message(),
            "time zone 'Asia/Makassar': give WIB, WITA or WIT (Indonesia's zones), UTC, or an "
            "offset such as UTC+08:00");
}

}  // namespace
}  // namespace lontar
