// One enrolled terminal taking over another's result (issue 24): terminal B obtains terminal A's
// sealed bundle before A delivers it (plain HTTP on the LAN, a USB export), re-signs A's sealed
// payload under a header of its own naming another participant, and uploads it first. End to end
// through the real store and `results open`'s code path (ForEachResult): A's answers must not be
// credited to the header's participant, and A's own upload must still get A's receipt.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "core/authoring/source.hpp"
#include "core/bundle/outbox.hpp"
#include "core/exam/engine.hpp"
#include "core/server/results.hpp"
#include "core/server/store.hpp"
#include "core/terminal/enrollment.hpp"
#include "core/vault/sqlite.hpp"
#include "tests/support/enrolled_dir.hpp"
#include "tests/support/exam_terminals.hpp"
#include "tests/support/exam_terminals_test.hpp"
#include "tests/support/mini_sitting.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

// What B can do with A's bytes and its own key: keep A's sealed payload, write a header of its
// own (its terminal id, `participant`, its next number), compute the bundle id as the format
// defines it for that header, and sign. No results key is needed.
// `version` 1 writes the old format, whose id names the sealed payload alone.
Bytes Resign(ByteView victim, const terminal::Terminal& thief, const std::string& participant,
             std::uint64_t seq, std::uint16_t version = bundle::kFormatVersion) {
  auto envelope = bundle::ParseEnvelope(victim).value();
  auto header = bundle::ParseHeader(envelope.header_json).value();
  header.format_version = version;
  header.terminal_id = thief.id();
  header.site = thief.site();
  header.participant = participant;
  header.seq = seq;
  const crypto::Hash256 payload_hash = crypto::Blake2b256(envelope.sealed_payload);
  header.bundle_id = bundle::ComputeBundleId(header, payload_hash);
  const std::string header_json = bundle::SerializeHeader(header);
  const crypto::Signature signature = thief.signing_key().Sign(
      bundle::SignedMessage(thief.signing_key().id(), header_json, envelope.sealed_payload.size(),
                            payload_hash, version));
  Bytes out(bundle::kMagic, bundle::kMagic + sizeof bundle::kMagic);
  AppendU16(out, version);
  Append(out, thief.signing_key().id().bytes);
  Append(out, signature);
  AppendU32(out, static_cast<std::uint32_t>(header_json.size()));
  Append(out, AsBytes(header_json));
  AppendU64(out, envelope.sealed_payload.size());
  Append(out, envelope.sealed_payload);
  return out;
}

// Whether any of a row's flags starts with `prefix`.
bool HasFlag(const std::vector<std::string>& flags, std::string_view prefix) {
  for (const auto& f : flags) {
    if (f.starts_with(prefix)) return true;
  }
  return false;
}

class Substitution : public testing::ExamTerminalsTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(MakeTerminals({.terminals = 2, .results_key = &results_}, "terminals"));
    testing::WriteEnrolledDir(dir_ / "enrolled", terminals_);
    auto source = authoring::LoadSource(std::filesystem::path(LONTAR_SOURCE_DIR) /
                                        "tests/fixtures/mini-exam");
    ASSERT_TRUE(source);
    exam_ = source->exam;
  }

  // One sitting on terminal `t` by `who`, answering tiu-01 with `answer`; its bundle's bytes.
  Bytes Sit(terminal::Terminal& t, const std::string& who, const std::string& pin,
            const std::string& answer) {
    testing::SitMiniWithEngine(t, clock_, who, pin, answer);
    auto outbox = bundle::ListOutbox(t).value();
    return bundle::ReadOutboxBundle(t, outbox.back()).value();
  }

  std::unique_ptr<server::Store> OpenStore() {
    auto store = server::Store::Open(dir_ / "store", dir_ / "enrolled",
                                     crypto::SigningKey::Generate().value(), clock_);
    EXPECT_TRUE(store) << store.error().message();
    return store ? std::move(*store) : nullptr;
  }

  // `bundle` stored in a store opened for it alone, which is closed again.
  void StoreAlone(const Bytes& bundle) {
    auto store = OpenStore();
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->Accept(bundle));
  }

  std::vector<server::ResultRow> Open() {
    auto backend = server::OpenSqliteBackend(dir_ / "store", server::StoreAccess::kReadOnly);
    EXPECT_TRUE(backend) << backend.error().message();
    std::vector<crypto::VerifyKey> enrolled;
    for (auto& t : terminals_) enrolled.push_back(t.signing_key().public_key());
    auto report = server::OpenResults(**backend, results_, exam_, enrolled);
    EXPECT_TRUE(report) << report.error().message();
    return report ? report->rows : std::vector<server::ResultRow>{};
  }

  crypto::BoxSecretKey results_ = crypto::BoxSecretKey::Generate().value();
  model::Exam exam_;
};

TEST_F(Substitution, AnotherTerminalCannotTakeOverAResult) {
  terminal::Terminal& a = terminals_[0];
  terminal::Terminal& b = terminals_[1];
  const Bytes original = Sit(a, "TEST-0001", "111111", "B");
  // B re-signs A's payload as its own bundle #1 for TEST-0002, and reaches the server first.
  const Bytes forged = Resign(original, b, "TEST-0002", 1);
  auto store = OpenStore();
  ASSERT_TRUE(store);
  auto first = store->Accept(forged);
  // A's own upload: A's receipt, or a clear refusal; never B's receipt as a "duplicate".
  auto second = store->Accept(original);
  if (first && second) {
    EXPECT_EQ(second->receipt.terminal_id, a.id()) << "A's upload was answered with B's receipt";
    EXPECT_FALSE(second->duplicate);
  }
  store.reset();

  for (const server::ResultRow& row : Open()) {
    if (row.participant != "TEST-0002") continue;
    // The row that claims TEST-0002 carries A's answers: it must not be scored as TEST-0002's.
    EXPECT_FALSE(row.scored) << "A's answers were credited to TEST-0002";
    EXPECT_TRUE(HasFlag(row.flags, "header-mismatch"))
        << "the row naming TEST-0002 is not flagged header-mismatch";
  }
}

// The same take-over through a downgrade: B wraps A's format 2 payload in a format 1 envelope
// (whose id names the payload alone and whose rules bind nothing). The payload still says whom
// it was sealed for, so the row is not scored as TEST-0002's.
TEST_F(Substitution, AFormatOneEnvelopeDoesNotUndoTheBinding) {
  const Bytes original = Sit(terminals_[0], "TEST-0001", "111111", "B");
  ASSERT_NO_FATAL_FAILURE(StoreAlone(Resign(original, terminals_[1], "TEST-0002", 1, 1)));
  bool seen = false;
  for (const server::ResultRow& row : Open()) {
    if (row.participant != "TEST-0002") continue;
    seen = true;
    EXPECT_FALSE(row.scored) << "A's answers were credited to TEST-0002";
    EXPECT_TRUE(HasFlag(row.flags, "header-mismatch"))
        << "the downgraded row is not flagged header-mismatch";
  }
  EXPECT_TRUE(seen);
}

// The payload names the header it was sealed for: a header that says otherwise is named field by
// field.
TEST_F(Substitution, CheckBindingNamesEveryFieldThatDiffers) {
  const Bytes original = Sit(terminals_[0], "TEST-0001", "111111", "B");
  const Bytes forged = Resign(original, terminals_[1], "TEST-0002", 1);
  auto header = bundle::VerifyBundle(forged, terminals_[1].signing_key().public_key());
  ASSERT_TRUE(header) << header.error().message();
  auto payload = bundle::OpenBundle(forged, results_);
  ASSERT_TRUE(payload) << payload.error().message();
  ASSERT_TRUE(payload->bound);
  auto st = bundle::CheckBinding(*header, *payload);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind(), ErrorKind::kCorruption);
  EXPECT_NE(st.error().message().find("terminal " + terminals_[1].id() + ", sealed for " +
                                      terminals_[0].id()),
            std::string::npos)
      << st.error().message();
  EXPECT_NE(st.error().message().find("participant TEST-0002, sealed for TEST-0001"),
            std::string::npos)
      << st.error().message();
  // The victim's own bundle agrees with itself.
  auto own = bundle::VerifyBundle(original, terminals_[0].signing_key().public_key());
  ASSERT_TRUE(own);
  EXPECT_TRUE(bundle::CheckBinding(*own, *bundle::OpenBundle(original, results_)));
  // The re-signed bundle has an id of its own: the id covers the header.
  EXPECT_NE(header->bundle_id, own->bundle_id);
}

// Format 1 ids name the sealed payload alone, so B's re-signed copy has A's id: the second upload
// is refused with kConflict and a flag the status page and `results open` show; a true duplicate
// still gets its receipt.
TEST_F(Substitution, SameIdWithOtherBytesIsRefusedAndFlagged) {
  terminal::Terminal& a = terminals_[0];
  terminal::Terminal& b = terminals_[1];
  const Bytes original = Sit(a, "TEST-0001", "111111", "B");
  const Bytes a_v1 = Resign(original, a, "TEST-0001", 1, 1);
  const Bytes b_v1 = Resign(original, b, "TEST-0002", 1, 1);
  auto store = OpenStore();
  ASSERT_TRUE(store);
  auto first = store->Accept(b_v1);
  ASSERT_TRUE(first) << first.error().message();
  auto again = store->Accept(b_v1);
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->receipt_text, first->receipt_text);

  auto second = store->Accept(a_v1);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().kind(), ErrorKind::kConflict);
  EXPECT_NE(second.error().message().find("a different bundle already has this id"),
            std::string::npos)
      << second.error().message();
  EXPECT_NE(second.error().message().find("signed by " + a.id()), std::string::npos)
      << second.error().message();
  EXPECT_EQ(store->CountBundles().value(), 1u);

  auto status = store->Status();
  ASSERT_TRUE(status);
  bool on_status_page = false;
  for (const auto& t : status->terminals) {
    if (t.terminal_id == b.id()) on_status_page = HasFlag(t.flags, "id-conflict");
  }
  EXPECT_TRUE(on_status_page);
  store.reset();

  auto rows = Open();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(HasFlag(rows[0].flags, "id-conflict"));
  EXPECT_TRUE(HasFlag(rows[0].flags, "unbound-v1"));
  // The stored flag is about the contested bundle, not a vault rollback.
  EXPECT_FALSE(HasFlag(rows[0].flags, "rollback"));
}

// Sets every row's digest in the store's index to `digest` (what older Lontars left there).
void SetDigests(const std::filesystem::path& store, const std::string& digest) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open((store / "index.db").c_str(), &raw), SQLITE_OK);
  vault::Database db(raw);
  ASSERT_TRUE(db.Exec("UPDATE bundles SET digest = '" + digest + "'"));
}

// The same signer, the same size and the same format 1 id, other header bytes (another
// participant of the same length): told apart by the digest kept in the row, whichever Lontar
// wrote it (round 0: the file digest, found before verifying; round 1: the index rebuilt from
// the segments, whose records carry it; round 2: a row of 5 Dec 2026, BundleBytesDigest), and,
// for a row without one (round 3: stored before the column existed), by reading the stored
// bytes back. A true duplicate is answered with the stored receipt every time.
TEST_F(Substitution, SameIdSameSignerOtherHeaderIsRefusedWhateverDigestTheRowHas) {
  terminal::Terminal& a = terminals_[0];
  const Bytes original = Sit(a, "TEST-0001", "111111", "B");
  const Bytes first_copy = Resign(original, a, "TEST-0001", 1, 1);
  const Bytes other = Resign(original, a, "TEST-0009", 1, 1);
  ASSERT_EQ(first_copy.size(), other.size());
  const auto envelope = bundle::ParseEnvelope(first_copy).value();
  const auto header = bundle::VerifyBundle(first_copy, a.signing_key().public_key()).value();
  const std::string file_digest = HexEncode(bundle::HashBundle(first_copy).value().file_digest);
  std::string receipt;
  for (int round = 0; round < 4; ++round) {
    if (round == 2) {
      SetDigests(dir_ / "store", server::BundleBytesDigest(envelope, header.bundle_id));
    }
    if (round == 3) SetDigests(dir_ / "store", "");
    auto store = OpenStore();
    ASSERT_TRUE(store);
    if (round < 2) {
      auto row = server::OpenSqliteBackend(dir_ / "store", server::StoreAccess::kReadOnly)
                     .value()
                     ->FindByDigest(file_digest);
      ASSERT_TRUE(row) << row.error().message();
      EXPECT_EQ(row->has_value(), round == 1) << "round " << round;
    }
    auto again = store->Accept(first_copy);
    ASSERT_TRUE(again) << again.error().message();
    if (round == 0) {
      EXPECT_FALSE(again->duplicate);
      receipt = again->receipt_text;
      again = store->Accept(first_copy);
      ASSERT_TRUE(again) << again.error().message();
    }
    EXPECT_TRUE(again->duplicate) << "round " << round;
    EXPECT_EQ(again->receipt_text, receipt);
    EXPECT_EQ(again->receipt.terminal_id, a.id());
    EXPECT_EQ(again->receipt.seq, 1u);
    EXPECT_EQ(again->receipt.bundle_id, header.bundle_id);
    auto refused = store->Accept(other);
    ASSERT_FALSE(refused) << "round " << round;
    EXPECT_EQ(refused.error().kind(), ErrorKind::kConflict);
    EXPECT_NE(refused.error().message().find("with other bytes than the stored one"),
              std::string::npos)
        << refused.error().message();
    EXPECT_EQ(store->CountBundles().value(), 1u);
    store.reset();
    if (round == 0) {
      // Round 1 opens an index rebuilt from the segments.
      std::filesystem::remove(dir_ / "store" / "index.db");
      std::filesystem::remove(dir_ / "store" / "index.db-wal");
      std::filesystem::remove(dir_ / "store" / "index.db-shm");
    }
  }
}

// A re-sent bundle is answered from the row its bytes' digest finds, before any signature check:
// the stored receipt, nothing stored; an id named with the upload is still checked against the
// row's, and a bundle id named wrongly is refused as before.
TEST_F(Substitution, AReSentBundleIsFoundByItsDigest) {
  terminal::Terminal& a = terminals_[0];
  const Bytes bundle = Sit(a, "TEST-0001", "111111", "B");
  const auto header = bundle::VerifyBundle(bundle, a.signing_key().public_key()).value();
  auto store = OpenStore();
  ASSERT_TRUE(store);
  auto first = store->Accept(bundle, header.bundle_id);
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_FALSE(first->duplicate);
  {
    auto row = server::OpenSqliteBackend(dir_ / "store", server::StoreAccess::kReadOnly)
                   .value()
                   ->FindByDigest(HexEncode(bundle::HashBundle(bundle).value().file_digest));
    ASSERT_TRUE(row && *row);
    EXPECT_EQ((*row)->bundle_id, HexEncode(header.bundle_id));
  }
  auto again = store->Accept(bundle, header.bundle_id);
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->receipt_text, first->receipt_text);
  EXPECT_EQ(again->receipt.bundle_id, header.bundle_id);
  EXPECT_EQ(again->receipt.terminal_id, a.id());
  EXPECT_EQ(again->receipt.seq, header.seq);
  EXPECT_EQ(again->receipt.stored_ms, first->receipt.stored_ms);
  crypto::Hash256 wrong = header.bundle_id;
  wrong[0] ^= 1;
  auto misnamed = store->Accept(bundle, wrong);
  ASSERT_FALSE(misnamed);
  EXPECT_EQ(misnamed.error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(misnamed.error().message(), "bundle id in the request (" + HexEncode(wrong) +
                                            ") is not the bundle's (" +
                                            HexEncode(header.bundle_id) + ")");
  EXPECT_EQ(store->CountBundles().value(), 1u);
}

// Format 1 bundles in a store still open and score, marked as not checkable.
TEST_F(Substitution, FormatOneBundlesStillOpen) {
  const Bytes original = Sit(terminals_[0], "TEST-0001", "111111", "B");
  ASSERT_NO_FATAL_FAILURE(StoreAlone(Resign(original, terminals_[0], "TEST-0001", 1, 1)));
  auto rows = Open();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(rows[0].scored);
  EXPECT_TRUE(HasFlag(rows[0].flags, "unbound-v1"));
  EXPECT_FALSE(HasFlag(rows[0].flags, "header-mismatch"));
}

// A terminal reports only for the site it is enrolled at.
TEST_F(Substitution, ForeignSiteIsRefused) {
  terminal::Terminal& t = terminals_[0];
  bundle::BundleInputs in;
  in.terminal_id = t.id();
  in.site = "OTHER-99";
  in.exam_id = "TEST-MINI";
  in.pack_id = "0123456789abcdef0123456789abcdef";
  in.participant = "TEST-0001";
  in.seq = 1;
  auto bytes = bundle::WriteBundle(in, t.signing_key(), results_.public_key());
  ASSERT_TRUE(bytes) << bytes.error().message();
  auto store = OpenStore();
  ASSERT_TRUE(store);
  auto r = store->Accept(*bytes);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::kUntrusted);
  EXPECT_NE(r.error().message().find("names site OTHER-99, but the terminal is enrolled at site " +
                                     t.site()),
            std::string::npos)
      << r.error().message();
  EXPECT_EQ(store->CountBundles().value(), 0u);
}

}  // namespace
}  // namespace lontar
