// Segment files of the SQLite store (core/server/segment_log): records read back as written and
// carry their rows; a record that is not what the index says, or fails its checksum, is refused
// as damage; a scan re-indexes complete records no row names, cuts a torn tail wherever the last
// record is torn or damaged, skips (and reports) damage with a whole record after it, and
// refuses damage to what the index names; records of the older layouts still read (LSG1) and
// re-index (LSG2); an LSG3 record carries its bundle's digest into the row it re-indexes, and a
// digest that is not its bundle's is damage.
#include "core/server/segment_log.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using server::SegmentLocation;
using server::SegmentScan;
using server::SegmentWriter;
using server::StoredBundle;
using server::StoredFlag;

constexpr std::uint64_t kCut = 1 << 20;

Bytes Id(std::uint8_t fill) { return Bytes(32, fill); }

StoredBundle Row(std::uint8_t id, const std::string& bundle) {
  StoredBundle r;
  r.bundle_id = HexEncode(Id(id));
  r.receipt_code = "CODE-" + std::to_string(id);
  r.terminal_id = "T-" + std::to_string(id % 3);
  r.site = "Samarinda";
  r.exam_id = "CACT";
  r.participant = "P-" + std::to_string(id);
  r.kind = "submitted";
  r.pack_id = "pack-1";
  r.seq = id;
  r.journal_seq = 100u + id;
  r.created_ms = 1'700'000'000'000 + id;
  r.stored_ms = -5;  // two's complement survives
  r.bytes = bundle.size();
  r.receipt_text = "{\"receipt\": " + std::to_string(id) + "}";
  return r;
}

std::vector<StoredFlag> Flags(std::uint8_t id) {
  if (id % 2 == 0) return {};
  return {{"T-1", id, HexEncode(Id(id)), "seq-reused", "bundle #" + std::to_string(id), 42},
          {"T-1", id, HexEncode(Id(id)), "journal-rollback", "", -1}};
}

SegmentLocation Put(SegmentWriter& w, std::uint8_t id, const std::string& bundle) {
  auto at = w.Append(Row(id, bundle), Flags(id), AsBytes(bundle));
  EXPECT_TRUE(at) << at.error().message();
  return at ? *at : SegmentLocation{};
}

std::string Read(const std::filesystem::path& dir, const SegmentLocation& at, std::uint8_t id,
                 std::uint64_t length) {
  auto r = server::ReadSegmentRecord(dir, at, Id(id), length);
  return r ? std::string(r->begin(), r->end()) : "error: " + r.error().message();
}

std::string ScanError(const std::filesystem::path& dir, std::vector<SegmentLocation> indexed,
                      server::SegmentScanOptions options = {}) {
  auto s = server::ScanSegments(dir, std::move(indexed), options);
  if (s) return "no error";
  EXPECT_EQ(s.error().kind(), ErrorKind::kCorruption) << s.error().message();
  return s.error().message();
}

void Flip(const std::filesystem::path& file, std::uint64_t at) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(at));
  char c = 0;
  f.get(c);
  f.seekp(static_cast<std::streamoff>(at));
  f.put(static_cast<char>(c ^ 0x20));
}

void ExpectSameRecord(const server::UnindexedRecord& got, const SegmentLocation& at,
                      std::uint8_t id, const std::string& bundle) {
  const StoredBundle want = Row(id, bundle);
  EXPECT_EQ(got.at, at);
  EXPECT_EQ(got.row.bundle_id, want.bundle_id);
  EXPECT_EQ(got.row.receipt_code, want.receipt_code);
  EXPECT_EQ(got.row.terminal_id, want.terminal_id);
  EXPECT_EQ(got.row.site, want.site);
  EXPECT_EQ(got.row.exam_id, want.exam_id);
  EXPECT_EQ(got.row.participant, want.participant);
  EXPECT_EQ(got.row.kind, want.kind);
  EXPECT_EQ(got.row.pack_id, want.pack_id);
  EXPECT_EQ(got.row.seq, want.seq);
  EXPECT_EQ(got.row.journal_seq, want.journal_seq);
  EXPECT_EQ(got.row.created_ms, want.created_ms);
  EXPECT_EQ(got.row.stored_ms, want.stored_ms);
  EXPECT_EQ(got.row.bytes, want.bytes);
  EXPECT_EQ(got.row.receipt_text, want.receipt_text);
  const auto flags = Flags(id);
  ASSERT_EQ(got.flags.size(), flags.size());
  for (std::size_t i = 0; i < flags.size(); ++i) {
    EXPECT_EQ(got.flags[i].terminal_id, flags[i].terminal_id);
    EXPECT_EQ(got.flags[i].seq, flags[i].seq);
    EXPECT_EQ(got.flags[i].bundle_id, flags[i].bundle_id);
    EXPECT_EQ(got.flags[i].kind, flags[i].kind);
    EXPECT_EQ(got.flags[i].detail, flags[i].detail);
    EXPECT_EQ(got.flags[i].at_ms, flags[i].at_ms);
  }
}

// Three records: the first named by the index, the other two not (a batch whose index commit
// was lost). Returns their locations.
std::vector<SegmentLocation> WriteThree(const std::filesystem::path& dir) {
  auto w = SegmentWriter::Open(dir, SegmentScan{});
  EXPECT_TRUE(w) << w.error().message();
  if (!w) return {};
  EXPECT_TRUE(w->BeginBatch());
  std::vector<SegmentLocation> at = {Put(*w, 1, "first")};
  EXPECT_TRUE(w->Sync());
  EXPECT_TRUE(w->BeginBatch());
  at.push_back(Put(*w, 2, "second"));
  at.push_back(Put(*w, 3, "third bundle"));
  EXPECT_TRUE(w->Sync());
  return at;
}

TEST(SegmentLog, RecordsReadBackAsWritten) {
  testing::TempDir dir;
  const auto at = WriteThree(dir / "seg");
  ASSERT_EQ(at.size(), 3u);
  EXPECT_EQ(at[0].segment, 1);
  EXPECT_EQ(at[0].offset, 0u);
  EXPECT_GT(at[1].offset, server::kSegmentRecordHeaderBytesV3 + 5);
  EXPECT_EQ(Read(dir / "seg", at[0], 1, 5), "first");
  EXPECT_EQ(Read(dir / "seg", at[1], 2, 6), "second");
  EXPECT_EQ(Read(dir / "seg", at[2], 3, 12), "third bundle");
  auto listed = server::ListSegmentRecords(dir / "seg");
  ASSERT_TRUE(listed) << listed.error().message();
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[1].at, at[1]);
  EXPECT_EQ((*listed)[1].bundle_id, HexEncode(Id(2)));
  EXPECT_EQ((*listed)[2].at.offset + (*listed)[2].record_bytes,
            std::filesystem::file_size(server::SegmentPath(dir / "seg", 1)));
}

TEST(SegmentLog, ARecordThatIsNotWhatTheIndexSaysOrFailsItsChecksumIsDamage) {
  testing::TempDir dir;
  const auto at = WriteThree(dir / "seg");
  ASSERT_EQ(at.size(), 3u);
  EXPECT_NE(Read(dir / "seg", at[0], 2, 5).find("the record there is another"), std::string::npos);
  EXPECT_NE(Read(dir / "seg", at[0], 1, 4).find("the record there is another"), std::string::npos);
  EXPECT_NE(Read(dir / "seg", {1, 3}, 1, 5).find("no whole record there"), std::string::npos);
  EXPECT_NE(Read(dir / "seg", {1, 1 << 20}, 1, 5).find("cut or damaged"), std::string::npos);
  auto missing = server::ReadSegmentRecord(dir / "seg", {7, 0}, Id(1), 5);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind(), ErrorKind::kNotFound);
  // One byte of the bundle flipped: its digest says so (the checksum covers the header and index
  // fields, the digest the bundle).
  Flip(server::SegmentPath(dir / "seg", 1), at[1].offset - 2);
  const std::string damaged = Read(dir / "seg", at[0], 1, 5);
  EXPECT_NE(damaged.find("checksum or digest does not match"), std::string::npos) << damaged;
  EXPECT_EQ(Read(dir / "seg", at[1], 2, 6), "second");
}

TEST(SegmentLog, ScanReindexesCompleteRecordsNoRowNamesInLogOrder) {
  testing::TempDir dir;
  const auto at = WriteThree(dir / "seg");
  ASSERT_EQ(at.size(), 3u);
  auto scan = server::ScanSegments(dir / "seg", {at[0]}, {});
  ASSERT_TRUE(scan) << scan.error().message();
  EXPECT_TRUE(scan->cuts.empty());
  ASSERT_EQ(scan->reindex.size(), 2u);
  ExpectSameRecord(scan->reindex[0], at[1], 2, "second");
  ExpectSameRecord(scan->reindex[1], at[2], 3, "third bundle");
  // The row carries the digest the record does: the bundle's, computed by the writer.
  EXPECT_EQ(scan->reindex[0].row.digest, HexEncode(server::SegmentBundleDigest(AsBytes("second"))));
  // A lost index: every record.
  auto all = server::ScanSegments(dir / "seg", {}, {.index_is_new = true});
  ASSERT_TRUE(all) << all.error().message();
  ASSERT_EQ(all->reindex.size(), 3u);
  ExpectSameRecord(all->reindex[0], at[0], 1, "first");
  // Fully indexed: nothing to do.
  auto none = server::ScanSegments(dir / "seg", at, {});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->reindex.empty());
  EXPECT_TRUE(none->cuts.empty());
}

// WriteThree under DIR/seg, and a copy of its segment as written (DIR/pristine.seg), to damage
// and put back.
struct ThreeRecords {
  explicit ThreeRecords(const std::filesystem::path& dir)
      : at(WriteThree(dir / "seg")),
        segment(server::SegmentPath(dir / "seg", 1)),
        pristine(dir / "pristine.seg") {
    std::error_code ec;
    end = std::filesystem::file_size(segment, ec);
    std::filesystem::copy_file(segment, pristine, ec);
  }
  std::vector<SegmentLocation> at;
  std::filesystem::path segment, pristine;
  std::uint64_t end = 0;
};

// The last record torn at every byte (a crash mid-write) or with any one byte flipped (a write
// that reached the disk only in part): it is cut, the record before it is re-indexed, and the
// writer appends where it was.
TEST(SegmentLog, ALastRecordTornOrDamagedAtAnyByteIsCutAndTheRestReindexed) {
  testing::TempDir dir;
  const ThreeRecords three(dir.path());
  ASSERT_EQ(three.at.size(), 3u);
  const auto& [at, segment, pristine, end] = three;
  auto check = [&](const std::string& what) {
    auto scan = server::ScanSegments(dir / "seg", {at[0]}, {});
    ASSERT_TRUE(scan) << what << ": " << scan.error().message();
    ASSERT_EQ(scan->reindex.size(), 1u) << what;
    ExpectSameRecord(scan->reindex[0], at[1], 2, "second");
    ASSERT_EQ(scan->cuts.size(), 1u) << what;
    EXPECT_EQ(scan->cuts[0], std::make_pair(std::int64_t{1}, at[2].offset)) << what;
  };
  for (std::uint64_t size = at[2].offset + 1; size < end; ++size) {
    std::filesystem::copy_file(pristine, segment,
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::resize_file(segment, size);
    check("cut at " + std::to_string(size));
  }
  for (std::uint64_t byte = at[2].offset; byte < end; ++byte) {
    std::filesystem::copy_file(pristine, segment,
                               std::filesystem::copy_options::overwrite_existing);
    Flip(segment, byte);
    check("byte " + std::to_string(byte) + " flipped");
  }
  // The cut is applied, durably, and appends follow the last record that stays.
  auto scan = server::ScanSegments(dir / "seg", {at[0]}, {});
  ASSERT_TRUE(scan);
  auto w = SegmentWriter::Open(dir / "seg", *scan);
  ASSERT_TRUE(w) << w.error().message();
  EXPECT_EQ(std::filesystem::file_size(segment), at[2].offset);
  ASSERT_TRUE(w->BeginBatch());
  const SegmentLocation again = Put(*w, 4, "fourth");
  ASSERT_TRUE(w->Sync());
  EXPECT_EQ(again.offset, at[2].offset);
  EXPECT_EQ(Read(dir / "seg", again, 4, 6), "fourth");
}

// A record with a hole or damage at any byte, with a whole record after it (a power cut that
// wrote a batch's pages back out of order, or a disk fault): its bytes are skipped and reported,
// the record after it kept (re-indexed, or as the index names it), nothing cut.
TEST(SegmentLog, DamageWithAWholeRecordAfterItIsSkippedAtAnyByteAndTheRestKept) {
  testing::TempDir dir;
  const ThreeRecords three(dir.path());
  ASSERT_EQ(three.at.size(), 3u);
  const auto& [at, segment, pristine, end] = three;
  auto restore = [&] {
    std::filesystem::copy_file(pristine, segment,
                               std::filesystem::copy_options::overwrite_existing);
  };
  auto expect_skipped = [&](const server::SegmentScan& scan, const std::string& what) {
    ASSERT_EQ(scan.skipped.size(), 1u) << what;
    EXPECT_EQ(scan.skipped[0].at, at[1]) << what;
    EXPECT_EQ(scan.skipped[0].bytes, at[2].offset - at[1].offset) << what;
    EXPECT_TRUE(scan.cuts.empty()) << what;
  };
  for (std::uint64_t byte = at[1].offset; byte < at[2].offset; ++byte) {
    restore();
    Flip(segment, byte);
    const std::string what = "byte " + std::to_string(byte) + " flipped";
    auto scan = server::ScanSegments(dir / "seg", {at[0]}, {});
    ASSERT_TRUE(scan) << what << ": " << scan.error().message();
    expect_skipped(*scan, what);
    ASSERT_EQ(scan->reindex.size(), 1u) << what;
    ExpectSameRecord(scan->reindex[0], at[2], 3, "third bundle");
    // The same with the record after it named by the index: skipped, nothing to re-index.
    scan = server::ScanSegments(dir / "seg", {at[0], at[2]}, {});
    ASSERT_TRUE(scan) << what << ": " << scan.error().message();
    expect_skipped(*scan, what);
    EXPECT_TRUE(scan->reindex.empty()) << what;
  }
  {  // A hole: the middle record's bytes all zeros, as a page never written back reads.
    restore();
    std::fstream f(segment, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(at[1].offset));
    const std::string zeros(at[2].offset - at[1].offset, '\0');
    f.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
  }
  auto scan = server::ScanSegments(dir / "seg", {at[0]}, {});
  ASSERT_TRUE(scan) << scan.error().message();
  expect_skipped(*scan, "zeros");
  ASSERT_EQ(scan->reindex.size(), 1u);
  // The writer keeps the skipped bytes and appends after the last record; the next scan skips
  // them again and finds all three.
  auto w = SegmentWriter::Open(dir / "seg", *scan);
  ASSERT_TRUE(w) << w.error().message();
  EXPECT_EQ(std::filesystem::file_size(segment), end);
  ASSERT_TRUE(w->BeginBatch());
  const SegmentLocation fourth = Put(*w, 4, "fourth");
  ASSERT_TRUE(w->Sync());
  EXPECT_EQ(fourth.offset, end);
  scan = server::ScanSegments(dir / "seg", {at[0], at[2], fourth}, {});
  ASSERT_TRUE(scan) << scan.error().message();
  expect_skipped(*scan, "zeros, reopened");
  EXPECT_EQ(Read(dir / "seg", fourth, 4, 6), "fourth");
  // Damage with nothing whole after it (the last record torn too) is a torn tail: cut.
  restore();
  Flip(segment, at[1].offset + 5);
  std::filesystem::resize_file(segment, end - 3);
  scan = server::ScanSegments(dir / "seg", {at[0]}, {});
  ASSERT_TRUE(scan) << scan.error().message();
  EXPECT_TRUE(scan->skipped.empty());
  ASSERT_EQ(scan->cuts.size(), 1u);
  EXPECT_EQ(scan->cuts[0], std::make_pair(std::int64_t{1}, at[1].offset));
}

// Damage the scan cannot step over: a record the index names, an index naming what is not there.
TEST(SegmentLog, DamageToWhatTheIndexNamesIsRefusedAndNothingCut) {
  testing::TempDir dir;
  const ThreeRecords three(dir.path());
  ASSERT_EQ(three.at.size(), 3u);
  const auto& [at, segment, pristine, end] = three;
  std::string e;
  // A record the index names, damaged in its header.
  std::filesystem::copy_file(pristine, segment, std::filesystem::copy_options::overwrite_existing);
  Flip(segment, at[0].offset);
  e = ScanError(dir / "seg", {at[0]});
  EXPECT_NE(e.find("the record the index names there is damaged"), std::string::npos) << e;
  // An index naming an offset inside a record, or past the end.
  std::filesystem::copy_file(pristine, segment, std::filesystem::copy_options::overwrite_existing);
  e = ScanError(dir / "seg", {at[0], {1, at[1].offset + 3}});
  EXPECT_NE(e.find("inside another record"), std::string::npos) << e;
  e = ScanError(dir / "seg", {at[0], {1, end + 10}});
  EXPECT_NE(e.find("has no record at that offset"), std::string::npos) << e;
  auto missing = server::ScanSegments(dir / "seg", {at[0], {2, 0}}, {});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind(), ErrorKind::kNotFound);
  EXPECT_NE(missing.error().message().find("00000002.seg is missing"), std::string::npos);
  // A torn record in a segment other than the newest: no crash leaves that.
  std::filesystem::copy_file(pristine, server::SegmentPath(dir / "seg", 2));
  std::filesystem::resize_file(segment, end - 1);
  e = ScanError(dir / "seg", {at[0]});
  EXPECT_NE(e.find("other than the newest"), std::string::npos) << e;
  EXPECT_EQ(std::filesystem::file_size(segment), end - 1);
}

TEST(SegmentLog, ABatchIsCutUntilSyncedAndKeptAfter) {
  testing::TempDir dir;
  const auto at = WriteThree(dir / "seg");
  ASSERT_EQ(at.size(), 3u);
  const auto segment = server::SegmentPath(dir / "seg", 1);
  const std::uint64_t end = std::filesystem::file_size(segment);
  auto scan = server::ScanSegments(dir / "seg", at, {});
  ASSERT_TRUE(scan);
  auto w = SegmentWriter::Open(dir / "seg", *scan);
  ASSERT_TRUE(w);
  // Failed before its sync (e.g. a failed insert): cut at once.
  ASSERT_TRUE(w->BeginBatch());
  Put(*w, 4, "fourth");
  w->Rollback();
  EXPECT_EQ(std::filesystem::file_size(segment), end);
  // Failed after its sync (the index commit failed): the record stays, for the next open.
  ASSERT_TRUE(w->BeginBatch());
  const SegmentLocation fifth = Put(*w, 5, "fifth");
  ASSERT_TRUE(w->Sync());
  w->Rollback();
  EXPECT_EQ(fifth.offset, end);
  EXPECT_GT(std::filesystem::file_size(segment), end);
  auto next = server::ScanSegments(dir / "seg", at, {});
  ASSERT_TRUE(next) << next.error().message();
  ASSERT_EQ(next->reindex.size(), 1u);
  ExpectSameRecord(next->reindex[0], fifth, 5, "fifth");
}

// A schema version 3 store's records ("LSG1": length, id, bundle; no row, no checksum).
std::string V1Record(std::uint8_t id, const std::string& bundle) {
  std::string out = "LSG1";
  for (int i = 0; i < 4; ++i) out += static_cast<char>((bundle.size() >> (8 * i)) & 0xff);
  out += std::string(32, static_cast<char>(id));
  return out + bundle;
}

TEST(SegmentLog, RecordsOfTheOlderLayoutStillReadAndAreNeverReindexed) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir / "seg");
  const auto segment = server::SegmentPath(dir / "seg", 1);
  const std::string a = V1Record(1, "old one"), b = V1Record(2, "old two");
  testing::WriteText(segment, a + b);
  EXPECT_EQ(Read(dir / "seg", {1, 0}, 1, 7), "old one");
  EXPECT_EQ(Read(dir / "seg", {1, a.size()}, 2, 7), "old two");
  EXPECT_NE(Read(dir / "seg", {1, 0}, 1, 6).find("another"), std::string::npos);
  // A lost index cannot be rebuilt from them: refused, nothing changed.
  std::string e = ScanError(dir / "seg", {}, {.index_is_new = true});
  EXPECT_NE(e.find("older layout (LSG1"), std::string::npos) << e;
  // An unindexed tail of one batch (a version 3 server killed mid-batch) is cut; more than that
  // means an older index, refused.
  e = ScanError(dir / "seg", {{1, 0}}, {.max_v1_cut = b.size() - 1});
  EXPECT_NE(e.find("older backup"), std::string::npos) << e;
  EXPECT_EQ(std::filesystem::file_size(segment), a.size() + b.size());
  auto scan = server::ScanSegments(dir / "seg", {{1, 0}}, {.max_v1_cut = kCut});
  ASSERT_TRUE(scan) << scan.error().message();
  EXPECT_TRUE(scan->reindex.empty());
  ASSERT_EQ(scan->cuts.size(), 1u);
  EXPECT_EQ(scan->cuts[0].second, a.size());
  // New records follow the old ones, and both read.
  auto w = SegmentWriter::Open(dir / "seg", *scan);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->BeginBatch());
  const SegmentLocation c = Put(*w, 3, "new three");
  ASSERT_TRUE(w->Sync());
  EXPECT_EQ(c.offset, a.size());
  EXPECT_EQ(Read(dir / "seg", {1, 0}, 1, 7), "old one");
  EXPECT_EQ(Read(dir / "seg", c, 3, 9), "new three");
  auto after = server::ScanSegments(dir / "seg", {{1, 0}}, {});
  ASSERT_TRUE(after) << after.error().message();
  ASSERT_EQ(after->reindex.size(), 1u);
  ExpectSameRecord(after->reindex[0], c, 3, "new three");
}

// The digest a record carries is the one its writer gave (a server gives the one it computed,
// without a second pass); when it is not the bundle's, the record is damage: refused where the
// index names it, and not re-indexed (a record that is whole comes after it: skipped).
TEST(SegmentLog, ARecordWhoseDigestIsNotItsBundlesIsDamage) {
  testing::TempDir dir;
  auto w = SegmentWriter::Open(dir / "seg", SegmentScan{});
  ASSERT_TRUE(w) << w.error().message();
  ASSERT_TRUE(w->BeginBatch());
  StoredBundle wrong = Row(1, "first");
  wrong.digest = HexEncode(server::SegmentBundleDigest(AsBytes("other")));
  auto bad = w->Append(wrong, {}, AsBytes("first"));
  ASSERT_TRUE(bad) << bad.error().message();
  StoredBundle right = Row(2, "second");
  right.digest = HexEncode(server::SegmentBundleDigest(AsBytes("second")));
  auto good = w->Append(right, {}, AsBytes("second"));
  ASSERT_TRUE(good) << good.error().message();
  ASSERT_TRUE(w->Sync());
  const std::string damaged = Read(dir / "seg", *bad, 1, 5);
  EXPECT_NE(damaged.find("checksum or digest does not match"), std::string::npos) << damaged;
  EXPECT_EQ(Read(dir / "seg", *good, 2, 6), "second");
  auto scan = server::ScanSegments(dir / "seg", {}, {});
  ASSERT_TRUE(scan) << scan.error().message();
  ASSERT_EQ(scan->reindex.size(), 1u);
  EXPECT_EQ(scan->reindex[0].at, *good);
  EXPECT_EQ(scan->reindex[0].row.digest, right.digest);
  ASSERT_EQ(scan->skipped.size(), 1u);
  EXPECT_EQ(scan->skipped[0].at, *bad);
}

// An LSG2 record (schema 4 until 5 Dec 2026) as that writer laid it out: a 76-byte header whose
// checksum covers the bundle, no digest. Row `id` of Row(), no flags.
std::string V2Record(std::uint8_t id, const std::string& bundle) {
  const StoredBundle r = Row(id, bundle);
  Bytes index;
  for (const std::string* f : {&r.receipt_code, &r.terminal_id, &r.site, &r.exam_id, &r.participant,
                               &r.kind, &r.pack_id, &r.receipt_text}) {
    AppendU32(index, static_cast<std::uint32_t>(f->size()));
    Append(index, AsBytes(*f));
  }
  AppendU64(index, r.seq);
  AppendU64(index, r.journal_seq);
  AppendU64(index, static_cast<std::uint64_t>(r.created_ms));
  AppendU64(index, static_cast<std::uint64_t>(r.stored_ms));
  AppendU32(index, 0);  // no flags
  Bytes head(AsBytes("LSG2").begin(), AsBytes("LSG2").end());
  AppendU32(head, static_cast<std::uint32_t>(index.size()));
  AppendU32(head, static_cast<std::uint32_t>(bundle.size()));
  Append(head, Id(id));
  crypto::Blake2bHasher hasher;
  hasher.Update(head).Update(index).Update(AsBytes(bundle));
  Append(head, hasher.Finish());
  Append(head, index);
  return std::string(head.begin(), head.end()) + bundle;
}

TEST(SegmentLog, RecordsOfVersionTwoStillReadAndReindexWithoutADigest) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir / "seg");
  const auto segment = server::SegmentPath(dir / "seg", 1);
  const std::string a = V2Record(1, "first"), b = V2Record(2, "second");
  testing::WriteText(segment, a + b);
  EXPECT_EQ(Read(dir / "seg", {1, 0}, 1, 5), "first");
  EXPECT_EQ(Read(dir / "seg", {1, a.size()}, 2, 6), "second");
  auto scan = server::ScanSegments(dir / "seg", {{1, 0}}, {});
  ASSERT_TRUE(scan) << scan.error().message();
  ASSERT_EQ(scan->reindex.size(), 1u);
  ExpectSameRecord(scan->reindex[0], {1, a.size()}, 2, "second");
  EXPECT_EQ(scan->reindex[0].row.digest, "");
  // Torn inside the LSG2 record's bundle: cut, as before.
  std::filesystem::resize_file(segment, a.size() + b.size() - 1);
  auto torn = server::ScanSegments(dir / "seg", {{1, 0}}, {});
  ASSERT_TRUE(torn) << torn.error().message();
  EXPECT_TRUE(torn->reindex.empty());
  ASSERT_EQ(torn->cuts.size(), 1u);
  EXPECT_EQ(torn->cuts[0].second, a.size());
  // LSG3 records follow LSG2 ones in the same segment, and both read.
  auto w = SegmentWriter::Open(dir / "seg", *torn);
  ASSERT_TRUE(w) << w.error().message();
  ASSERT_TRUE(w->BeginBatch());
  const SegmentLocation c = Put(*w, 3, "new three");
  ASSERT_TRUE(w->Sync());
  EXPECT_EQ(c.offset, a.size());
  EXPECT_EQ(Read(dir / "seg", {1, 0}, 1, 5), "first");
  EXPECT_EQ(Read(dir / "seg", c, 3, 9), "new three");
}

}  // namespace
}  // namespace lontar
