// Bundle bytes of the SQLite store, appended to segment files so that one group commit costs one
// fdatasync for all its bundles (a file per bundle cost two fsyncs each: the file and its
// directory). STORE/segments/NNNNNNNN.seg, numbered from 1; a segment is closed once it passes
// kSegmentTargetBytes and the next batch starts a new one.
//
// Record layout (every bundle, back to back; integers little endian):
//   magic     4  "LSG1"
//   length    4  bundle bytes that follow (at most bundle::kMaxBundleBytes)
//   bundle id 32 the id the index row names (raw, not hex)
//   bundle    length bytes, exactly as received
// The index row holds (segment, offset of the record); a reader checks magic, length and id
// against the row before returning the bytes (kCorruption otherwise). Nothing in a segment is
// read unless a committed index row names it.
//
// A torn or truncated write: a server killed mid-batch leaves bytes after the last record that a
// committed row names. They were never acknowledged (the receipt goes out only after the index
// commit, which comes after the segment's fdatasync), and the next read-write open cuts every
// segment back to the end of its last indexed record (TrimTo), before anything new is appended.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <utility>
#include <vector>

#include "core/util/bytes.hpp"
#include "core/util/error.hpp"

namespace lontar::server {

inline constexpr std::uint64_t kSegmentRecordHeaderBytes = 40;
// 256 MiB: about 5,000 bundles of a 3-hour sitting. Big enough that a province's 18,000 bundles
// are a handful of files, small enough to copy or check one at a time.
inline constexpr std::uint64_t kSegmentTargetBytes = 256ull << 20;

// Where a record is: the segment's number and the record's offset in it.
struct SegmentLocation {
  std::int64_t segment = 0;
  std::uint64_t offset = 0;
};

// Appends records to the newest segment of a directory; one writer per store (the caller holds
// the store's lock, see sqlite_backend.cpp). Not thread-safe: one batch at a time.
class SegmentWriter {
 public:
  // Opens `dir` (created if missing). `indexed_ends` gives, per segment number, where its last
  // indexed record ends; every segment file is cut back to that (0 for a segment no row names)
  // and the cut is fsync'd. A crash leaves at most one batch unindexed: a longer unindexed tail
  // than `max_cut` means the index is older than the segments (restored from a backup?) and is
  // refused with kCorruption, cutting nothing. Touches disk.
  [[nodiscard]] static Result<SegmentWriter> Open(
      const std::filesystem::path& dir,
      const std::vector<std::pair<std::int64_t, std::uint64_t>>& indexed_ends,
      std::uint64_t max_cut);
  SegmentWriter(SegmentWriter&& other) noexcept;
  SegmentWriter& operator=(SegmentWriter&&) = delete;
  SegmentWriter(const SegmentWriter&) = delete;
  ~SegmentWriter();

  // Starts a batch: moves to a new segment if the current one is past kSegmentTargetBytes.
  [[nodiscard]] Status BeginBatch();
  // Writes one record at the end of the current segment (not yet durable). Touches disk.
  [[nodiscard]] Result<SegmentLocation> Append(ByteView bundle_id, ByteView bundle);
  // Makes every record appended since BeginBatch durable: fdatasync of the segment, and of the
  // directory if the segment file was created in this batch. Touches disk.
  [[nodiscard]] Status Sync();
  // Drops what was appended since BeginBatch (a batch whose index commit failed), so that no
  // unacknowledged bytes stay behind. Best effort: what it cannot cut, the next open cuts.
  void Rollback();

 private:
  SegmentWriter() = default;
  [[nodiscard]] Status OpenSegment(std::int64_t number);
  std::filesystem::path dir_;
  int fd_ = -1;
  std::int64_t segment_ = 0;
  std::uint64_t end_ = 0, batch_start_ = 0;
  bool new_file_ = false;  // created since the last Sync: the directory needs an fsync too
};

// The file holding segment `number` under `dir`.
std::filesystem::path SegmentPath(const std::filesystem::path& dir, std::int64_t number);

// Reads the record at `at`, which the index says holds `length` bytes of bundle `bundle_id`.
// kNotFound if the segment is missing, kCorruption if the record is not that. Reads disk.
[[nodiscard]] Result<Bytes> ReadSegmentRecord(const std::filesystem::path& dir,
                                              const SegmentLocation& at, ByteView bundle_id,
                                              std::uint64_t length);

}  // namespace lontar::server
