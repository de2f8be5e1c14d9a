// Result bundles in memory: round trip, and every way a bundle can be refused, each with its
// message.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/bundle/bundle_format.hpp"
#include "core/bundle/receipt_code.hpp"
#include "core/terminal/terminal.hpp"

namespace lontar::bundle {
namespace {

std::vector<journal::Record> SittingRecords(int n) {
  std::vector<journal::Record> out;
  crypto::Hash256 prev{};
  for (int i = 1; i <= n; ++i) {
    journal::Record r;
    r.seq = static_cast<std::uint64_t>(i + 10);
    r.mono_ns = 1'000'000'000LL * i;
    r.wall_ms = 1'795'000'000'000LL + i;
    r.type = "sitting.answered";
    r.payload = R"({"participant":"P-001","item":)" + std::to_string(i) + R"(,"choice":"B"})";
    r.prev_hash = prev;
    r.hash = journal::ComputeRecordHash(r);
    prev = r.hash;
    out.push_back(std::move(r));
  }
  return out;
}

class BundleFormat : public ::testing::Test {
 protected:
  void SetUp() override {
    terminal_.emplace(crypto::SigningKey::FromSeed(Bytes(32, 1)).value());
    other_terminal_.emplace(crypto::SigningKey::FromSeed(Bytes(32, 2)).value());
    results_.emplace(crypto::BoxSecretKey::FromBytes(Bytes(32, 3)).value());
    other_results_.emplace(crypto::BoxSecretKey::FromBytes(Bytes(32, 4)).value());
    in_.terminal_id = terminal::TerminalIdFor(terminal_->public_key());
    in_.site = "SITE-01";
    in_.exam_id = "SKD-2026";
    in_.pack_id = "0123456789abcdef0123456789abcdef";
    in_.exam_version = 3;
    in_.participant = "P-001";
    in_.created_ms = 1'795'000'123'456;
    in_.seq = 7;
    in_.journal_seq = 99;
    in_.journal_hash.fill(0xab);
    in_.kind = Kind::kSubmitted;
    in_.payload.answers = {{"tiu-01", "B"}, {"tkp-01", "D"}};
    in_.payload.flags = {{"tiu-01", true}};
    in_.payload.timings = {{"elapsed_ms", 5'400'000}};
    in_.payload.score = {{"total", 420}, {"passed", true}};
    in_.payload.journal = SittingRecords(20);
  }

  Bytes Write() {
    auto b = WriteBundle(in_, *terminal_, results_->public_key());
    EXPECT_TRUE(b) << b.error().message();
    return b.value_or(Bytes());
  }

  BundleInputs in_;
  std::optional<crypto::SigningKey> terminal_, other_terminal_;
  std::optional<crypto::BoxSecretKey> results_, other_results_;
};

TEST_F(BundleFormat, RoundTrip) {
  const Bytes b = Write();
  ASSERT_EQ(std::string(AsChars(ByteView(b).first(8))), "LONTARRB");
  auto h = VerifyBundle(b, terminal_->public_key());
  ASSERT_TRUE(h) << h.error().message();
  EXPECT_EQ(h->terminal_id, in_.terminal_id);
  EXPECT_EQ(h->site, "SITE-01");
  EXPECT_EQ(h->exam_id, "SKD-2026");
  EXPECT_EQ(h->pack_id, in_.pack_id);
  EXPECT_EQ(h->exam_version, 3u);
  EXPECT_EQ(h->participant, "P-001");
  EXPECT_EQ(h->created_ms, in_.created_ms);
  EXPECT_EQ(h->seq, 7u);
  EXPECT_EQ(h->journal_seq, 99u);
  EXPECT_EQ(h->journal_hash, in_.journal_hash);
  EXPECT_EQ(h->kind, Kind::kSubmitted);
  EXPECT_EQ(h->results_key_id, results_->id());
  auto e = ParseEnvelope(b);
  ASSERT_TRUE(e);
  EXPECT_EQ(h->bundle_id, ComputeBundleId(*h, crypto::Blake2b256(e->sealed_payload)));
  EXPECT_NE(h->bundle_id, crypto::Blake2b256(e->sealed_payload));  // format 2: covers the header
  EXPECT_EQ(e->signer, terminal_->id());

  auto p = OpenBundle(b, *results_);
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->answers, in_.payload.answers);
  EXPECT_EQ(p->flags, in_.payload.flags);
  EXPECT_EQ(p->timings, in_.payload.timings);
  EXPECT_EQ(p->score, in_.payload.score);
  ASSERT_EQ(p->journal.size(), 20u);
  for (std::size_t i = 0; i < 20; ++i) {
    EXPECT_EQ(p->journal[i].payload, in_.payload.journal[i].payload);
    EXPECT_EQ(p->journal[i].hash, in_.payload.journal[i].hash);
    EXPECT_EQ(p->journal[i].mono_ns, in_.payload.journal[i].mono_ns);
  }

  // A voided sitting; and the same inputs never give the same bundle id twice.
  in_.kind = Kind::kVoided;
  const Bytes v = Write();
  auto hv = VerifyBundle(v, terminal_->public_key());
  ASSERT_TRUE(hv);
  EXPECT_EQ(hv->kind, Kind::kVoided);
  EXPECT_NE(hv->bundle_id, h->bundle_id);
  EXPECT_NE(ReceiptCodeFor(hv->bundle_id), ReceiptCodeFor(h->bundle_id));
}

// HashBundle: one pass over the payload gives VerifyBundle its hash and names the file's bytes.
// The digest worked by hand from its definition: BLAKE2b-256 of the domain with its NUL, every
// byte before the sealed payload, and the payload's BLAKE2b-256.
TEST_F(BundleFormat, HashBundleNamesTheBytesAndVerifiesAsVerifyBundleDoes) {
  const Bytes b = Write();
  auto hashed = HashBundle(b);
  ASSERT_TRUE(hashed) << hashed.error().message();
  const std::size_t head = b.size() - hashed->envelope.sealed_payload.size();
  EXPECT_EQ(hashed->payload_hash, crypto::Blake2b256(hashed->envelope.sealed_payload));
  Bytes m(AsBytes(std::string_view("lontar-bundle-file-v1\0", 22)).begin(),
          AsBytes(std::string_view("lontar-bundle-file-v1\0", 22)).end());
  Append(m, ByteView(b).first(head));
  Append(m, hashed->payload_hash);
  EXPECT_EQ(hashed->file_digest, crypto::Blake2b256(m));

  const std::vector<crypto::VerifyKey> enrolled = {terminal_->public_key()};
  auto h = VerifyBundle(*hashed, enrolled);
  ASSERT_TRUE(h) << h.error().message();
  EXPECT_EQ(h->bundle_id, VerifyBundle(b, enrolled).value().bundle_id);
  // Another byte anywhere: another digest (or no framing at all), and no verify.
  for (std::size_t i = 0; i < b.size(); i += 7) {
    Bytes damaged = b;
    damaged[i] ^= 0x01;
    auto d = HashBundle(damaged);
    if (!d) continue;
    EXPECT_NE(d->file_digest, hashed->file_digest) << "byte " << i;
    EXPECT_FALSE(VerifyBundle(*d, enrolled)) << "byte " << i;
  }
  // Refusals are VerifyBundle's.
  const std::vector<crypto::VerifyKey> others = {other_terminal_->public_key()};
  auto foreign = VerifyBundle(*hashed, others);
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().message(), VerifyBundle(b, others).error().message());
  Bytes cut(b.begin(), b.end() - 1);
  EXPECT_EQ(HashBundle(cut).error().message(), ParseEnvelope(cut).error().message());
}

TEST_F(BundleFormat, NothingOfThePayloadIsInTheClear) {
  in_.payload.answers = {{"tiu-01", "JAWABAN-RAHASIA"}};
  const Bytes b = Write();
  const std::string text(AsChars(b));
  EXPECT_EQ(text.find("JAWABAN-RAHASIA"), std::string::npos);
  EXPECT_EQ(text.find("sitting.answered"), std::string::npos);
  EXPECT_NE(text.find("P-001"), std::string::npos);  // the header is readable by design
}

TEST_F(BundleFormat, EveryFlippedByteIsRefused) {
  const Bytes b = Write();
  int refused = 0;
  for (std::size_t i = 0; i < b.size(); ++i) {
    Bytes damaged = b;
    damaged[i] ^= static_cast<std::uint8_t>(1u << (i % 8));
    if (VerifyBundle(damaged, terminal_->public_key())) {
      ADD_FAILURE() << "flip at byte " << i << " of " << b.size() << " was accepted";
    } else {
      ++refused;
    }
  }
  EXPECT_EQ(refused, static_cast<int>(b.size()));
}

TEST_F(BundleFormat, AlteredPayloadFailsTheSignatureBeforeAnythingElse) {
  Bytes b = Write();
  b[b.size() - 10] ^= 1;
  auto r = VerifyBundle(b, terminal_->public_key(), "x.lrb");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::kBadSignature);
  EXPECT_NE(r.error().message().find("x.lrb: the signature of terminal key"), std::string::npos)
      << r.error().message();
  // The header too: a changed participant number is a bad signature, not a parse.
  Bytes h = Write();
  const std::string text(AsChars(h));
  const std::size_t at = text.find("P-001");
  ASSERT_NE(at, std::string::npos);
  h[at + 4] = '2';
  auto rh = VerifyBundle(h, terminal_->public_key());
  ASSERT_FALSE(rh);
  EXPECT_EQ(rh.error().kind(), ErrorKind::kBadSignature);
}

TEST_F(BundleFormat, WrongTerminalKey) {
  const Bytes b = Write();
  auto r = VerifyBundle(b, other_terminal_->public_key());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::kUntrusted);
  EXPECT_NE(r.error().message().find("signed by terminal key " + terminal_->id().ToString()),
            std::string::npos)
      << r.error().message();

  const std::vector<crypto::VerifyKey> enrolled = {other_terminal_->public_key()};
  auto none = VerifyBundle(b, enrolled);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind(), ErrorKind::kUntrusted);
  EXPECT_NE(none.error().message().find("not among the 1 enrolled"), std::string::npos);
  const std::vector<crypto::VerifyKey> both = {other_terminal_->public_key(),
                                               terminal_->public_key()};
  EXPECT_TRUE(VerifyBundle(b, both));
}

TEST_F(BundleFormat, WrongResultsKey) {
  const Bytes b = Write();
  auto r = OpenBundle(b, *other_results_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::kWrongKey);
  EXPECT_NE(r.error().message().find("does not open this bundle"), std::string::npos);
}

TEST_F(BundleFormat, TruncationAnywhereIsRefusedAsTruncated) {
  const Bytes b = Write();
  for (std::size_t keep = 0; keep < b.size(); keep += (keep < 400 ? 1 : 97)) {
    auto r = VerifyBundle(ByteView(b).first(keep), terminal_->public_key());
    ASSERT_FALSE(r) << "cut at " << keep << " was accepted";
    if (keep >= 10) {
      EXPECT_NE(r.error().message().find("truncated"), std::string::npos)
          << keep << ": " << r.error().message();
    }
    EXPECT_FALSE(OpenBundle(ByteView(b).first(keep), *results_));
  }
  auto last = VerifyBundle(ByteView(b).first(b.size() - 1), terminal_->public_key());
  ASSERT_FALSE(last);
  EXPECT_NE(last.error().message().find("1 bytes short"), std::string::npos)
      << last.error().message();
}

TEST_F(BundleFormat, TrailingDataIsRefused) {
  Bytes b = Write();
  b.push_back(0);
  auto r = VerifyBundle(b, terminal_->public_key());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::kMalformed);
  EXPECT_NE(r.error().message().find("1 bytes of trailing data"), std::string::npos)
      << r.error().message();
  EXPECT_FALSE(OpenBundle(b, *results_));
}

TEST_F(BundleFormat, OversizeIsRefusedBeforeAnythingIsRead) {
  Bytes huge(kMaxBundleBytes + 1, 0);
  auto r = VerifyBundle(huge, terminal_->public_key());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("oversized"), std::string::npos) << r.error().message();

  // A declared payload length over the cap is refused from the length field alone.
  Bytes b = Write();
  auto e = ParseEnvelope(b);
  ASSERT_TRUE(e);
  const std::size_t len_at = kFixedBytes - 8 + e->header_json.size();
  for (int i = 0; i < 8; ++i) b[len_at + static_cast<std::size_t>(i)] = 0xff;
  auto big = VerifyBundle(b, terminal_->public_key());
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().message().find("sealed payload length"), std::string::npos)
      << big.error().message();

  // And a writer never makes one.
  in_.payload.answers = {{"pad", std::string(kMaxSealedPayloadBytes, 'x')}};
  auto w = WriteBundle(in_, *terminal_, results_->public_key());
  ASSERT_FALSE(w);
  EXPECT_NE(w.error().message().find("MiB limit"), std::string::npos) << w.error().message();
}

TEST_F(BundleFormat, NotABundleAndNewerFormat) {
  auto r = VerifyBundle(AsBytes("LONTARPK and then some"), terminal_->public_key());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("not a Lontar result bundle"), std::string::npos);
  Bytes b = Write();
  b[8] = 3;
  auto v = VerifyBundle(b, terminal_->public_key());
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().kind(), ErrorKind::kTooNew);
  EXPECT_NE(v.error().message().find("this Lontar reads 1 to 2"), std::string::npos);
  b[8] = 0;
  auto zero = VerifyBundle(b, terminal_->public_key());
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().kind(), ErrorKind::kMalformed);
  // A format 2 bundle relabelled as format 1 fails its signature: the version is signed.
  b[8] = 1;
  auto relabelled = VerifyBundle(b, terminal_->public_key());
  ASSERT_FALSE(relabelled);
  EXPECT_EQ(relabelled.error().kind(), ErrorKind::kBadSignature);
}

TEST_F(BundleFormat, WriterChecksItsInputs) {
  BundleInputs bad = in_;
  bad.terminal_id = terminal::TerminalIdFor(other_terminal_->public_key());
  auto w = WriteBundle(bad, *terminal_, results_->public_key());
  ASSERT_FALSE(w);
  EXPECT_NE(w.error().message().find("is not the signing key's"), std::string::npos);
  bad = in_;
  bad.seq = 0;
  EXPECT_FALSE(WriteBundle(bad, *terminal_, results_->public_key()));
  bad = in_;
  bad.participant.clear();
  EXPECT_FALSE(WriteBundle(bad, *terminal_, results_->public_key()));
  bad = in_;
  bad.site = "bad site";
  EXPECT_FALSE(WriteBundle(bad, *terminal_, results_->public_key()));
  bad = in_;
  bad.payload.answers = {{"x", std::string("\xff\xfe")}};
  auto utf = WriteBundle(bad, *terminal_, results_->public_key());
  ASSERT_FALSE(utf);
  EXPECT_NE(utf.error().message().find("not UTF-8"), std::string::npos);
}

TEST_F(BundleFormat, ADamagedJournalRecordInsideIsCaughtWhenOpened) {
  // A terminal bug (or a tampered engine) that seals a record whose hash does not match.
  in_.payload.journal[5].payload = R"({"participant":"P-001","item":6,"choice":"C"})";
  const Bytes b = Write();
  ASSERT_TRUE(VerifyBundle(b, terminal_->public_key()));
  auto p = OpenBundle(b, *results_);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().kind(), ErrorKind::kCorruption);
  EXPECT_NE(p.error().message().find("journal record 16"), std::string::npos)
      << p.error().message();
}

TEST(BundleHeader, ParserNamesTheField) {
  auto r = ParseHeader(R"({"format":"lontar-bundle","bundle_id":"00"})");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("'bundle_id' is not 64 hex digits"), std::string::npos)
      << r.error().message();
  EXPECT_FALSE(ParseHeader("[]"));
  EXPECT_FALSE(ParseHeader("{"));
}

}  // namespace
}  // namespace lontar::bundle

namespace lontar::bundle {
namespace {

// The fuzz seed (tests/fuzz/corpus/bundle/submitted.lrb) is a real bundle by the fuzz target's
// fixed keys, and doubles as the golden file of format version 2 (submitted-v1.lrb, the same
// sitting in format 1, is the golden file of that version): a reader change that stops
// accepting either would strand bundles already waiting in terminals' outboxes or in stores.
// Regenerate it with:
//   LONTAR_WRITE_FUZZ_SEED=tests/fuzz/corpus/bundle/submitted.lrb
//   build/bin/lontar_unit_tests --gtest_filter=BundleFuzzSeed.*
// (the two lines as one command).
TEST(BundleFuzzSeed, IsAValidBundleByTheFuzzKeys) {
  const auto terminal = crypto::SigningKey::FromSeed(Bytes(32, 9)).value();
  const auto results = crypto::BoxSecretKey::FromBytes(Bytes(32, 7)).value();
  const std::filesystem::path seed =
      std::filesystem::path(LONTAR_SOURCE_DIR) / "tests/fuzz/corpus/bundle/submitted.lrb";
  if (const char* out = std::getenv("LONTAR_WRITE_FUZZ_SEED")) {
    BundleInputs in;
    in.terminal_id = terminal::TerminalIdFor(terminal.public_key());
    in.site = "FUZZ-01";
    in.exam_id = "SKD-2026";
    in.pack_id = "0123456789abcdef0123456789abcdef";
    in.exam_version = 1;
    in.participant = "P-001";
    in.created_ms = 1'795'500'000'000;
    in.seq = 1;
    in.journal_seq = 4;
    in.payload.answers = {{"tiu-01", "B"}};
    in.payload.score = {{"total", 5}};
    in.payload.journal = SittingRecords(3);
    auto b = WriteBundle(in, terminal, results.public_key());
    ASSERT_TRUE(b);
    std::ofstream(out, std::ios::binary)
        .write(reinterpret_cast<const char*>(b->data()), static_cast<std::streamsize>(b->size()));
  }
  std::ifstream f(seed, std::ios::binary);
  const Bytes bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto h = VerifyBundle(bytes, terminal.public_key());
  ASSERT_TRUE(h) << h.error().message();
  EXPECT_EQ(h->site, "FUZZ-01");
  EXPECT_EQ(h->participant, "P-001");
  EXPECT_EQ(h->seq, 1u);
  EXPECT_EQ(h->journal_seq, 4u);
  EXPECT_EQ(h->results_key_id, results.id());
  EXPECT_EQ(
      HexEncode(h->bundle_id),
      HexEncode(ComputeBundleId(*h, crypto::Blake2b256(ParseEnvelope(bytes)->sealed_payload))));
  auto p = OpenBundle(bytes, results);
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->journal.size(), 3u);
  EXPECT_EQ(p->answers["tiu-01"], "B");
  EXPECT_EQ(p->score["total"], 5);
  ASSERT_TRUE(p->bound);
  EXPECT_EQ(p->bound->participant, "P-001");
  EXPECT_TRUE(CheckBinding(*h, *p));
}

// corpus/bundle/submitted-v1.lrb is the format 1 seed the same keys made before format 2: it must
// still verify and open (stores hold such bundles), with its id the hash of the sealed payload and
// no binding to check.
TEST(BundleFuzzSeed, FormatOneStillReads) {
  const auto terminal = crypto::SigningKey::FromSeed(Bytes(32, 9)).value();
  const auto results = crypto::BoxSecretKey::FromBytes(Bytes(32, 7)).value();
  std::ifstream f(
      std::filesystem::path(LONTAR_SOURCE_DIR) / "tests/fuzz/corpus/bundle/submitted-v1.lrb",
      std::ios::binary);
  const Bytes bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  ASSERT_EQ(ParseEnvelope(bytes)->version, 1u);
  auto h = VerifyBundle(bytes, terminal.public_key());
  ASSERT_TRUE(h) << h.error().message();
  EXPECT_EQ(h->format_version, 1u);
  EXPECT_EQ(h->bundle_id, crypto::Blake2b256(ParseEnvelope(bytes)->sealed_payload));
  auto p = OpenBundle(bytes, results);
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_FALSE(p->bound);
  EXPECT_EQ(p->answers["tiu-01"], "B");
}

}  // namespace
}  // namespace lontar::bundle

namespace lontar::bundle {
namespace {

TEST(BundlePayloadJson, HandWrittenJournalMatchesTheJsonLibrary) {
  BundlePayload p;
  const std::vector<std::string> payloads = {
      R"({"a":"quote \" backslash \\ end"})", std::string("ctl \x01\x1f\t\n end"),
      "Bahasa: ujian dimulai \xe2\x80\x94 selesai", "emoji \xf0\x9f\x93\x9d and \xc3\xa9", ""};
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    journal::Record r;
    r.seq = i + 1;
    r.mono_ns = -5;
    r.wall_ms = 1;
    r.type = "sitting.answered";
    r.payload = payloads[i];
    r.hash = journal::ComputeRecordHash(r);
    p.journal.push_back(r);
  }
  const std::string text = SerializePayload(p);
  ASSERT_FALSE(text.empty());
  auto parsed = nlohmann::json::parse(text);
  ASSERT_EQ(parsed["journal"].size(), payloads.size());
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    EXPECT_EQ(parsed["journal"][i]["payload"], payloads[i]) << i;
    EXPECT_EQ(parsed["journal"][i]["mono_ns"], -5);
  }
  auto back = ParsePayload(text);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->journal[3].payload, payloads[3]);

  for (const std::string& bad :
       {std::string("\xff"), std::string("\xc3"), std::string("\xc0\x80"),
        std::string("\xed\xa0\x80"), std::string("\xf4\x90\x80\x80"), std::string("ok \xe2\x80")}) {
    BundlePayload q;
    q.journal.push_back(p.journal[0]);
    q.journal[0].payload = bad;
    EXPECT_EQ(SerializePayload(q), "") << "accepted invalid UTF-8";
  }
}

}  // namespace
}  // namespace lontar::bundle
