// The durable record of the SQLite store: bundles, each with everything its index row and flags
// hold, appended to segment files, so that one group commit costs ONE sync (an fdatasync of the
// segment) and the SQLite index (index.db) can be rebuilt from the segments. STORE/segments/
// NNNNNNNN.seg, numbered from 1; a segment is closed once it passes kSegmentTargetBytes and the
// next batch starts a new one. A batch's records are all in one segment.
//
// Record layout, version 3 (every record since schema version 5; integers little endian):
//   magic       4   "LSG3"
//   index len   4   bytes of index fields that follow the header (at most kMaxRecordIndexBytes)
//   length      4   bundle bytes after the index fields (at most bundle::kMaxBundleBytes)
//   bundle id   32  the id the index row names (raw, not hex)
//   digest      32  SegmentBundleDigest of the bundle (the row's digest, StoredBundle::digest)
//   checksum    32  BLAKE2b-256 of the 76 bytes above and the index fields
//   index fields    index len bytes: strings are a u32 length and the bytes, integers u64
//                   (two's complement for the times):
//                     receipt_code, terminal_id, site, exam_id, participant, kind, pack_id,
//                     receipt (the signed receipt text, byte for byte), seq, journal_seq,
//                     created_ms, stored_ms, then a u32 count of flags and per flag:
//                     terminal_id, seq, bundle_id (hex), kind, detail, at_ms
//   bundle      length bytes, exactly as received
// The row's `bytes` is `length`, its `bundle_id` the hex of the id, its `digest` the hex of the
// digest. A record is whole when its checksum matches AND its bundle's digest is the one it
// carries: the checksum does not cover the bundle bytes, whose digest the server has computed
// already (it looks re-sent bundles up by it), so writing a record costs no pass over the bundle;
// a reader pays the one pass (ReadSegmentRecord, and the scan for every record it re-indexes).
//
// Version 2 ("LSG2", written by schema version 4 stores; read, re-indexed, never
// written): the same header without the digest (76 bytes: magic, index len, length, bundle id,
// checksum), whose checksum is BLAKE2b-256 of the 44 bytes before it, the index fields and the
// bundle. Its rows are re-indexed with an empty digest.
//
// Version 1 ("LSG1", written by schema version 3 stores; read, never written):
//   magic 4 "LSG1", length 4, bundle id 32, bundle length bytes. No index fields, no checksum:
//   such a record cannot be re-indexed, only read where an index row names it.
//
// The index row holds (segment, offset of the record); a reader checks magic, length, id and
// (versions 2 and 3) the checksum and (3) the digest before returning the bytes (kCorruption
// otherwise).
//
// Durability: a batch's records are appended, the segment fdatasync'd, and only then are the
// rows committed to index.db (synchronous=NORMAL: atomic, but a power cut may lose the last
// commits) and the receipts sent. So the segments are the durable record; the index may lag.
// A read-write open walks every segment's record headers (ScanSegments) and:
//   - re-indexes each complete version 2 or 3 record that checks out and that no row names (a batch
//     whose index commit was lost or failed, or an index restored from an older backup, or
//     index.db deleted), in log order; a record whose bundle id already has a row is a retry's
//     leftover and is skipped;
//   - cuts a torn tail: a record at the end of a segment that is incomplete or fails its
//     checksum, with nothing after it that checks out (a server killed or a power cut mid-batch:
//     never acknowledged, since the receipt goes out after the fdatasync), with any unindexed
//     version 1 records before it;
//   - skips, and reports (SegmentScan::skipped), the bytes of a record that fails its check when
//     a record that checks out, or one the index names, comes after it: a power cut mid-batch
//     can leave a hole in one record and a later one whole (pages are written back in no set
//     order), and a disk fault can damage one record among good ones. The bytes stay where they
//     are (the next open skips them again); every good record after them is kept;
//   - refuses (kCorruption, changing nothing) a record the index names that is damaged or cut,
//     or an index naming an offset inside another record or past a segment's end.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/crypto/hash.hpp"
#include "core/server/store_backend.hpp"
#include "core/util/bytes.hpp"
#include "core/util/error.hpp"

namespace lontar::server {

inline constexpr std::uint64_t kSegmentRecordHeaderBytesV3 = 108;  // version 3
inline constexpr std::uint64_t kSegmentRecordHeaderBytes = 76;     // version 2
inline constexpr std::uint64_t kSegmentRecordHeaderBytesV1 = 40;   // version 1
// Index fields are a few hundred bytes (the receipt is most of it); a header claiming more is
// damage, not a record.
inline constexpr std::uint32_t kMaxRecordIndexBytes = 1u << 20;
// 256 MiB: about 5,000 bundles of a 3-hour sitting. Big enough that a province's 18,000 bundles
// are a handful of files, small enough to copy or check one at a time.
inline constexpr std::uint64_t kSegmentTargetBytes = 256ull << 20;

// Where a record is: the segment's number and the record's offset in it.
struct SegmentLocation {
  std::int64_t segment = 0;
  std::uint64_t offset = 0;
  bool operator==(const SegmentLocation&) const = default;
};

// A record found by ScanSegments that no index row names, with the row and flags it carries.
struct UnindexedRecord {
  SegmentLocation at;
  StoredBundle row;
  std::vector<StoredFlag> flags;
};

// What a read-write open does to the segments (ScanSegments decides, nothing is changed yet).
struct SegmentScan {
  std::vector<std::int64_t> present;     // segment numbers on disk, ascending
  std::vector<UnindexedRecord> reindex;  // in log order; the caller skips ids that have a row
  std::vector<std::pair<std::int64_t, std::uint64_t>> cuts;  // (segment, bytes to keep)
  struct Skipped {
    SegmentLocation at;  // where the bytes that are not a record start
    std::uint64_t bytes = 0;
  };
  std::vector<Skipped> skipped;  // in log order
};

struct SegmentScanOptions {
  // index.db was missing: every record must be re-indexable (a version 1 record is refused,
  // since its row cannot be rebuilt).
  bool index_is_new = false;
  // The most bytes of unindexed version 1 records a tail may hold: one batch of a schema
  // version 3 server killed mid-batch. More means an index older than the segments, which
  // version 1 records cannot rebuild: refused.
  std::uint64_t max_v1_cut = 0;
};

// Walks every segment under `dir` (created if missing) against `indexed`, the records the index
// names, and says what to re-index and what to cut (see the top of this file). kCorruption for
// damage (a named record missing, cut or not at a record boundary; a failed record with checked
// bytes after it), kNotFound for a segment the index names that is missing. Reads disk: every
// record header, and every unindexed record whole.
[[nodiscard]] Result<SegmentScan> ScanSegments(const std::filesystem::path& dir,
                                               std::vector<SegmentLocation> indexed,
                                               const SegmentScanOptions& options);

// The digest a version 3 record carries for its bundle: bundle::HashBundle's file_digest when the
// bytes are a bundle's framing (every bundle a store holds: the value a Store keeps in
// bundles.digest), else BLAKE2b-256("lontar-segment-bytes-v1" NUL | the bytes) (segments hold
// any bytes; the two domains differ, so either way the digest names exactly these bytes). One
// pass over the bytes. Pure.
crypto::Hash256 SegmentBundleDigest(ByteView bundle);

// A record's bytes before its bundle (header with checksum, then its index fields), for
// SegmentWriter::Append. Encoded by the server on the uploading thread, before the group
// commit, which then only writes.
struct SegmentRecordHead {
  Bytes bytes;
  std::string bundle_id;       // hex, as the row says
  std::uint64_t bundle_bytes;  // the bundle that follows, which the checksum covers
};

// Encodes the (version 3) record of (row, flags, bundle). `row.bundle_id` is the hex id;
// `row.bytes` must be bundle.size(); `row.digest`, when it is 64 hex digits, must be
// SegmentBundleDigest(bundle) and is taken as it is (no pass over the bundle: the server has
// it), else it is computed here. Pure, thread-safe.
[[nodiscard]] Result<SegmentRecordHead> EncodeSegmentRecord(const StoredBundle& row,
                                                            const std::vector<StoredFlag>& flags,
                                                            ByteView bundle);

// What one batch appended, sealed (SegmentWriter::Seal) for its sync: the segment file (kept open
// by this point even if the writer has moved on to a new segment) and whether the directory needs
// an fsync too (the file was created since the last sealed batch).
struct SegmentSyncPoint {
  std::shared_ptr<const int> fd;  // the segment's descriptor, closed when the last holder goes
  std::filesystem::path path;     // for messages
  std::filesystem::path dir;
  bool sync_dir = false;
  std::uint64_t start = 0, end = 0;  // the batch's bytes in the segment
};

// Appends records to the newest segment of a directory; one writer per store (the caller holds
// the store's lock, see sqlite_backend.cpp). One batch is filled at a time (BeginBatch, Append,
// Seal or Rollback, from one thread at a time), but a sealed batch may be synced (Sync of its
// point) on another thread while the next batch is filled: the group commit is pipelined
// (store.hpp (5)). A batch's records are all in one segment; the next batch may start a new
// segment while the previous one's sync of the old segment runs.
class SegmentWriter {
 public:
  // Applies `scan`'s cuts (each fsync'd) and opens the newest segment of `dir` for appending.
  // Call it once the scan's records are re-indexed. Touches disk.
  [[nodiscard]] static Result<SegmentWriter> Open(const std::filesystem::path& dir,
                                                  const SegmentScan& scan);
  SegmentWriter(SegmentWriter&& other) noexcept;
  SegmentWriter& operator=(SegmentWriter&&) = delete;
  SegmentWriter(const SegmentWriter&) = delete;
  ~SegmentWriter();

  // Starts a batch: moves to a new segment if the current one is past kSegmentTargetBytes.
  // kIo if an earlier batch's bytes could not be cut (the server must be restarted).
  [[nodiscard]] Status BeginBatch();
  // Writes one record, `head` (EncodeSegmentRecord of this bundle) then `bundle`, at the end of
  // the current segment, in one write (not yet durable). Touches disk.
  [[nodiscard]] Result<SegmentLocation> Append(const SegmentRecordHead& head, ByteView bundle);
  // The same, encoding the record here.
  [[nodiscard]] Result<SegmentLocation> Append(const StoredBundle& row,
                                               const std::vector<StoredFlag>& flags,
                                               ByteView bundle);
  // Ends the batch begun by BeginBatch: what it appended is no longer Rollback's to cut, and the
  // next BeginBatch may follow at once. The point says what Sync(point) must make durable.
  SegmentSyncPoint Seal();
  // Makes a sealed batch's records durable: fdatasync of its segment, and of the directory if the
  // segment file was created since the previous sealed batch. Once it returns Ok those records
  // are the store's (if the index commit then fails, the next open re-indexes them). If it
  // fails, the records stay where they are, never acknowledged, since the next batch may already
  // follow them: whatever of them reached the disk the next open re-indexes (a retried upload
  // then gets the receipt a record holds), a torn or lost part it cuts or skips like a crash's.
  // Thread-safe against the writer's other methods (touches only the point's file). Touches disk.
  [[nodiscard]] static Status Sync(const SegmentSyncPoint& point);
  // Seal, then Sync of that point: one batch, not pipelined.
  [[nodiscard]] Status Sync();
  // Drops what was appended since BeginBatch and not sealed (a batch that failed before Seal).
  // If the cut fails, the writer refuses further batches: the next open cuts the bytes as a torn
  // tail.
  void Rollback();

 private:
  SegmentWriter() = default;
  [[nodiscard]] Status OpenSegment(std::int64_t number);
  std::filesystem::path dir_;
  std::shared_ptr<const int> file_;  // closes the descriptor when the writer and every point let go
  int fd_ = -1;                      // *file_
  std::int64_t segment_ = 0;
  std::uint64_t end_ = 0, batch_start_ = 0;
  bool new_file_ = false;  // created since the last Sync: the directory needs an fsync too
  bool broken_ = false;    // a Rollback could not cut: no more batches until the next open
};

// The file holding segment `number` under `dir`.
std::filesystem::path SegmentPath(const std::filesystem::path& dir, std::int64_t number);

// Reads the record at `at`, which the index says holds `length` bytes of bundle `bundle_id`
// (version 1, 2 or 3). kNotFound if the segment is missing, kCorruption if the record is not that
// or fails its checksum or digest. Reads disk.
[[nodiscard]] Result<Bytes> ReadSegmentRecord(const std::filesystem::path& dir,
                                              const SegmentLocation& at, ByteView bundle_id,
                                              std::uint64_t length);

// One record of a segment as it parses: where, its whole size on disk, its bundle id (hex) and
// version (1, 2 or 3).
struct SegmentRecordInfo {
  SegmentLocation at;
  std::uint64_t record_bytes = 0;
  std::string bundle_id;
  int version = 0;
};

// Every record of every segment under `dir`, in log order, by their headers (checksums are not
// checked). kCorruption at the first header that does not parse or a record that overruns its
// segment. For checks and tests. Reads disk.
[[nodiscard]] Result<std::vector<SegmentRecordInfo>> ListSegmentRecords(
    const std::filesystem::path& dir);

}  // namespace lontar::server
