// The SQLite store's index is derived from its segments (core/server/sqlite_backend.cpp,
// segment_log.hpp): records the index lacks are re-indexed with the very rows, receipts and flags
// that were committed, a torn last record is cut at any byte, damage in the middle is refused
// with nothing changed, and a deleted index.db is rebuilt (or refused when the segments cannot
// rebuild it).
#include <gtest/gtest.h>

#include <fstream>

#include "core/server/segment_log.hpp"
#include "core/server/store_backend.hpp"
#include "core/vault/sqlite.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using server::StoredBundle;
using server::StoredFlag;

std::string IdHex(int n) { return HexEncode(Bytes(32, static_cast<std::uint8_t>(n))); }
std::string Bundle(int n) { return "bundle bytes of #" + std::to_string(n); }

StoredBundle Row(int n) {
  StoredBundle r;
  r.bundle_id = IdHex(n);
  r.receipt_code = "C" + std::to_string(n);
  r.terminal_id = "T-" + std::to_string(n % 2);
  r.site = "Balikpapan";
  r.exam_id = "CACT";
  r.participant = "P-" + std::to_string(n);
  r.kind = n == 3 ? "voided" : "submitted";
  r.pack_id = "pack";
  r.seq = static_cast<std::uint64_t>(n);
  r.journal_seq = 10u * static_cast<std::uint64_t>(n);
  r.created_ms = 1000 + n;
  r.stored_ms = 2000 + n;
  r.bytes = Bundle(n).size();
  r.receipt_text = "{\"signed receipt of\": " + std::to_string(n) + "}";
  return r;
}

std::vector<StoredFlag> FlagsOf(int n) {
  if (n % 2 == 0) return {};
  return {{"T-1", static_cast<std::uint64_t>(n), IdHex(n), "seq-reused",
           "again #" + std::to_string(n), 3000 + n}};
}

// Commits bundles `from`..`to` (inclusive) as one batch.
void Commit(server::StoreBackend& b, int from, int to) {
  auto batch = b.Begin();
  ASSERT_TRUE(batch) << batch.error().message();
  for (int n = from; n <= to; ++n) {
    const std::string bytes = Bundle(n);
    ASSERT_TRUE((*batch)->Insert(Row(n), AsBytes(bytes), FlagsOf(n)));
  }
  ASSERT_TRUE((*batch)->Commit());
}

std::unique_ptr<server::StoreBackend> Open(
    const std::filesystem::path& store,
    server::StoreAccess access = server::StoreAccess::kReadWrite) {
  auto b = server::OpenSqliteBackend(store, access);
  EXPECT_TRUE(b) << b.error().message();
  return b ? std::move(*b) : nullptr;
}

std::string Describe(const StoredBundle& r) {
  return r.bundle_id + "|" + r.receipt_code + "|" + r.terminal_id + "|" + r.site + "|" + r.exam_id +
         "|" + r.participant + "|" + r.kind + "|" + r.pack_id + "|" + std::to_string(r.seq) + "|" +
         std::to_string(r.journal_seq) + "|" + std::to_string(r.created_ms) + "|" +
         std::to_string(r.stored_ms) + "|" + std::to_string(r.bytes) + "|" + r.receipt_text;
}

std::string Describe(const StoredFlag& f) {
  return f.terminal_id + "|" + std::to_string(f.seq) + "|" + f.bundle_id + "|" + f.kind + "|" +
         f.detail + "|" + std::to_string(f.at_ms);
}

// Rows, flags and every bundle's bytes, as text to compare.
std::vector<std::string> Contents(server::StoreBackend& b) {
  std::vector<std::string> out;
  auto rows = b.ListBundles();
  EXPECT_TRUE(rows) << rows.error().message();
  if (!rows) return out;
  for (const auto& r : *rows) {
    auto bytes = b.ReadBundle(r.bundle_id);
    out.push_back(
        Describe(r) + " => " +
        (bytes ? std::string(bytes->begin(), bytes->end()) : "error: " + bytes.error().message()));
  }
  auto flags = b.ListFlags();
  EXPECT_TRUE(flags) << flags.error().message();
  if (flags) {
    for (const auto& f : *flags) out.push_back("flag " + Describe(f));
  }
  return out;
}

// What a store holding bundles 1..n, committed normally, reads as.
std::vector<std::string> Expected(const std::filesystem::path& scratch, int n) {
  std::filesystem::remove_all(scratch);
  auto b = Open(scratch);
  if (!b) return {};
  Commit(*b, 1, 1);
  if (n > 1) Commit(*b, 2, n);
  return Contents(*b);
}

void CopyStore(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::filesystem::remove_all(to);
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
}

// An index restored from a backup taken after the first batch; the segments hold three more
// bundles. The last record is then torn at every byte: each time it alone is cut, the other two
// are re-indexed with the rows, receipts and flags they were committed with.
TEST(StoreReindex, AnOlderIndexIsCaughtUpAndATornLastRecordIsCutAtAnyByte) {
  testing::TempDir dir;
  const auto store = dir / "store";
  std::filesystem::path old_index = dir / "index-after-batch-1.db";
  {
    auto b = Open(store);
    ASSERT_TRUE(b);
    Commit(*b, 1, 1);
  }
  std::filesystem::copy_file(store / "index.db", old_index);  // closed: the WAL is checkpointed
  {
    auto b = Open(store);
    ASSERT_TRUE(b);
    Commit(*b, 2, 4);
  }
  const std::vector<std::string> all = Expected(dir / "all", 4);
  const std::vector<std::string> three = Expected(dir / "three", 3);
  ASSERT_EQ(all.size(), 6u);  // four rows, two flags

  auto records = server::ListSegmentRecords(store / "segments");
  ASSERT_TRUE(records) << records.error().message();
  ASSERT_EQ(records->size(), 4u);
  const auto last = records->back();
  const auto segment = server::SegmentPath(store / "segments", 1);
  ASSERT_EQ(last.at.offset + last.record_bytes, std::filesystem::file_size(segment));

  const auto work = dir / "work";
  // Untorn: everything comes back.
  CopyStore(store, work);
  std::filesystem::copy_file(old_index, work / "index.db",
                             std::filesystem::copy_options::overwrite_existing);
  {  // `results open` before a server caught the index up: refused, saying how many bundles the
     // index lacks and what to do, rather than reading three of four.
    auto lagging = server::CheckSqliteIndexIsCurrent(work);
    ASSERT_FALSE(lagging);
    EXPECT_EQ(lagging.error().kind(), ErrorKind::kConflict);
    EXPECT_NE(lagging.error().message().find("3 stored bundles are not in its index yet"),
              std::string::npos)
        << lagging.error().message();
    EXPECT_NE(lagging.error().message().find("Start `lontar serve` on the store once"),
              std::string::npos);
  }
  {
    auto b = Open(work);
    ASSERT_TRUE(b);
    EXPECT_EQ(Contents(*b), all);
  }
  {  // Caught up: the check passes, and a read-only open reads it all.
    EXPECT_TRUE(server::CheckSqliteIndexIsCurrent(work));
    auto reader = Open(work, server::StoreAccess::kReadOnly);
    ASSERT_TRUE(reader);
    EXPECT_EQ(Contents(*reader), all);
  }
  for (std::uint64_t size = last.at.offset + 1; size < last.at.offset + last.record_bytes; ++size) {
    CopyStore(store, work);
    std::filesystem::copy_file(old_index, work / "index.db",
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::resize_file(server::SegmentPath(work / "segments", 1), size);
    auto b = Open(work);
    ASSERT_TRUE(b) << "torn at " << size;
    ASSERT_EQ(Contents(*b), three) << "torn at " << size;
    EXPECT_EQ(std::filesystem::file_size(server::SegmentPath(work / "segments", 1)), last.at.offset)
        << "torn at " << size;
  }
  // After the cut the store goes on: the torn bundle is stored again (its uploader retries).
  auto b = Open(work);
  ASSERT_TRUE(b);
  Commit(*b, 4, 4);
  EXPECT_EQ(Contents(*b).size(), all.size());
}

// A power cut mid-batch that left the batch's first record with a hole and its second whole (or a
// disk fault in one record among good ones): the store opens, the whole record is indexed, the
// damaged bytes are skipped, left in place and reported; the damaged bundle's upload, retried,
// is stored again.
TEST(StoreReindex, DamageInTheMiddleOfASegmentIsSkippedAndTheRecordsAfterItKept) {
  testing::TempDir dir;
  const auto store = dir / "store";
  const auto old_index = dir / "old-index.db";
  {
    auto b = Open(store);
    ASSERT_TRUE(b);
    Commit(*b, 1, 1);
  }
  std::filesystem::copy_file(store / "index.db", old_index);
  {
    auto b = Open(store);
    ASSERT_TRUE(b);
    Commit(*b, 2, 3);
  }
  std::filesystem::copy_file(old_index, store / "index.db",
                             std::filesystem::copy_options::overwrite_existing);
  auto records = server::ListSegmentRecords(store / "segments");
  ASSERT_TRUE(records);
  ASSERT_EQ(records->size(), 3u);
  const auto segment = server::SegmentPath(store / "segments", 1);
  const auto size = std::filesystem::file_size(segment);
  {  // One byte of the second bundle's bytes flipped; the third checks out.
    std::fstream f(segment, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>((*records)[2].at.offset - 3));
    f.put('!');
  }
  {
    auto b = Open(store);
    ASSERT_TRUE(b);
    EXPECT_EQ(std::filesystem::file_size(segment), size) << "nothing cut";
    EXPECT_EQ(b->CountBundles().value(), 2u);
    EXPECT_FALSE(b->FindById(IdHex(2)).value().has_value());
    ASSERT_TRUE(b->FindById(IdHex(3)).value().has_value());
    EXPECT_EQ(b->ReadBundle(IdHex(3)).value(), ToBytes(Bundle(3)));
    const auto notes = b->OpenNotes();
    ASSERT_EQ(notes.size(), 2u);
    EXPECT_NE(notes[0].find("at offset " + std::to_string((*records)[1].at.offset) + ": " +
                            std::to_string((*records)[1].record_bytes) +
                            " bytes that are not a whole record were skipped"),
              std::string::npos)
        << notes[0];
    EXPECT_NE(notes[1].find("1 stored bundles that the index did not list"), std::string::npos)
        << notes[1];
    Commit(*b, 2, 2);  // the retried upload
    EXPECT_EQ(b->CountBundles().value(), 3u);
  }
  // The next open skips the same bytes again and finds all three.
  auto b = Open(store);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->CountBundles().value(), 3u);
  EXPECT_EQ(b->ReadBundle(IdHex(2)).value(), ToBytes(Bundle(2)));
  EXPECT_EQ(b->OpenNotes().size(), 1u);
}

// index.db deleted (or lost with its disk) while the segments remain: the first read-write open
// rebuilds it, rows, receipts and flags as committed; a WAL the old index left behind is not
// replayed into the new one.
TEST(StoreReindex, ADeletedIndexIsRebuiltFromTheSegments) {
  testing::TempDir dir;
  const auto store = dir / "store";
  std::string stale_wal;
  std::vector<std::string> before;
  {
    auto b = Open(store);
    ASSERT_TRUE(b);
    Commit(*b, 1, 1);
    Commit(*b, 2, 5);
    stale_wal = testing::ReadText(store / "index.db-wal");
    before = Contents(*b);
  }
  ASSERT_EQ(before.size(), 8u);  // five rows, three flags
  ASSERT_FALSE(stale_wal.empty());
  std::filesystem::remove(store / "index.db");
  testing::WriteText(store / "index.db-wal", stale_wal);
  auto read_only = server::OpenSqliteBackend(store, server::StoreAccess::kReadOnly);
  ASSERT_FALSE(read_only);
  EXPECT_NE(read_only.error().message().find("rebuilds the index from the segments"),
            std::string::npos)
      << read_only.error().message();
  {
    auto b = Open(store);
    ASSERT_TRUE(b);
    EXPECT_EQ(Contents(*b), before);
    Commit(*b, 6, 6);
  }
  auto reader = Open(store, server::StoreAccess::kReadOnly);
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->CountBundles().value(), 6u);
  auto sixth = reader->FindById(IdHex(6));
  ASSERT_TRUE(sixth && *sixth);
  EXPECT_EQ((*sixth)->receipt_text, Row(6).receipt_text);
}

// A power cut can leave index.db made but empty (its first commit never reached the disk): the
// read-only open says what to do instead of failing on a missing table; a server rebuilds it.
TEST(StoreReindex, AnEmptyIndexLeftByAPowerCutIsRebuiltFromTheSegments) {
  testing::TempDir dir;
  const auto store = dir / "store";
  {
    auto b = Open(store);
    ASSERT_TRUE(b);
    Commit(*b, 1, 3);
  }
  std::filesystem::remove(store / "index.db-wal");
  std::filesystem::remove(store / "index.db-shm");
  testing::WriteText(store / "index.db", "");
  auto read_only = server::OpenSqliteBackend(store, server::StoreAccess::kReadOnly);
  ASSERT_FALSE(read_only);
  EXPECT_NE(read_only.error().message().find("start `lontar serve` on the store once"),
            std::string::npos)
      << read_only.error().message();
  { ASSERT_TRUE(Open(store)); }
  auto reader = Open(store, server::StoreAccess::kReadOnly);
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->CountBundles().value(), 3u);
}

// What the segments cannot rebuild: records of the older layout (no row in them), and bundle
// files of stores before segments. Refused, and index.db is not created.
TEST(StoreReindex, ADeletedIndexTheSegmentsCannotRebuildIsRefused) {
  testing::TempDir dir;
  const auto store = dir / "store";
  std::filesystem::create_directories(store / "segments");
  std::string v1 = "LSG1";
  v1 += std::string("\x05\x00\x00\x00", 4) + std::string(32, 'a') + "bytes";
  testing::WriteText(server::SegmentPath(store / "segments", 1), v1);
  auto refused = server::OpenSqliteBackend(store, server::StoreAccess::kReadWrite);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("restore index.db from a backup"), std::string::npos)
      << refused.error().message();
  EXPECT_FALSE(std::filesystem::exists(store / "index.db"));
  EXPECT_EQ(std::filesystem::file_size(server::SegmentPath(store / "segments", 1)), v1.size());

  std::filesystem::remove(server::SegmentPath(store / "segments", 1));
  std::filesystem::create_directories(store / "bundles");
  testing::WriteText(store / "bundles" / (IdHex(1) + ".lrb"), "old");
  refused = server::OpenSqliteBackend(store, server::StoreAccess::kReadWrite);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("known only to it"), std::string::npos)
      << refused.error().message();
  EXPECT_FALSE(std::filesystem::exists(store / "index.db"));
}

}  // namespace
}  // namespace lontar
