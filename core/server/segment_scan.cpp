// The start-up scan of the SQLite store's segments (segment_log.hpp has the rules): what the
// index lacks (re-indexed), what a crash tore (cut), what damage to skip or refuse.
#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "core/server/segment_record.hpp"
#include "core/util/fs.hpp"

namespace lontar::server {
namespace segment_detail {
namespace {

// Whether the bytes at `at` hold a record that checks out: a version 2 or 3 record that passes
// CheckRecord, or a version 1 record that fits (it has no checksum).
Result<bool> ChecksOut(int fd, std::uint64_t at, std::uint64_t size,
                       const std::filesystem::path& path) {
  if (at >= size) return false;
  LONTAR_ASSIGN_OR_RETURN(std::optional<RecordHeader> h, ReadHeader(fd, at, size, path));
  if (!h) return false;
  if (h->version == 1) return true;
  LONTAR_ASSIGN_OR_RETURN(std::optional<Bytes> index, CheckRecord(fd, at, *h, nullptr, path));
  return index.has_value();
}

// The first offset after `from` (and before `limit`) where a version 2 or 3 record starts that
// checks out; nullopt if none. Looks first where `h`, the failed record's header if it parsed,
// says the next record starts, then at every "LSG2" or "LSG3" in the bytes that follow (a record's
// bytes are sealed or hashed: the magic turns up by chance about once in 4 GB, and then its
// checksum fails).
Result<std::optional<std::uint64_t>> NextCheckedRecord(int fd, std::uint64_t from,
                                                       const std::optional<RecordHeader>& h,
                                                       std::uint64_t limit, std::uint64_t size,
                                                       const std::filesystem::path& path) {
  if (h && from + h->record_bytes() < limit) {
    LONTAR_ASSIGN_OR_RETURN(bool ok, ChecksOut(fd, from + h->record_bytes(), size, path));
    if (ok) return std::optional<std::uint64_t>(from + h->record_bytes());
  }
  Bytes chunk(kChunkBytes);
  for (std::uint64_t at = from + 1; at < limit;) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(kChunkBytes, limit - at));
    LONTAR_ASSIGN_OR_RETURN(std::size_t got, PreadSome(fd, chunk.data(), want, at, path));
    if (got == 0) break;
    for (std::size_t i = 0; i + sizeof kMagicV2 <= got; ++i) {
      if (!std::equal(std::begin(kMagicV3), std::end(kMagicV3), chunk.data() + i) &&
          !std::equal(std::begin(kMagicV2), std::end(kMagicV2), chunk.data() + i)) {
        continue;
      }
      LONTAR_ASSIGN_OR_RETURN(bool ok, ChecksOut(fd, at + i, size, path));
      if (ok) return std::optional<std::uint64_t>(at + i);
    }
    // The next chunk starts where a magic cut by this chunk's end would begin.
    at += got > sizeof kMagicV2 ? got - (sizeof kMagicV2 - 1) : got;
  }
  return std::optional<std::uint64_t>();
}

}  // namespace
}  // namespace segment_detail

Result<SegmentScan> ScanSegments(const std::filesystem::path& dir,
                                 std::vector<SegmentLocation> indexed,
                                 const SegmentScanOptions& options) {
  using namespace segment_detail;
  LONTAR_TRY(EnsureDir(dir, 0750));
  SegmentScan scan;
  LONTAR_ASSIGN_OR_RETURN(scan.present, ListSegments(dir));
  std::map<std::int64_t, std::vector<std::uint64_t>> named;
  for (const SegmentLocation& at : indexed) named[at.segment].push_back(at.offset);
  for (auto& [n, offsets] : named) {
    if (!std::binary_search(scan.present.begin(), scan.present.end(), n)) {
      return std::unexpected(Error::NotFound(SegmentPath(dir, n).string() +
                                             " is missing, but the index names bundles in it: "
                                             "restore it from a backup of the store"));
    }
    std::sort(offsets.begin(), offsets.end());
  }
  const std::int64_t newest = scan.present.empty() ? 0 : scan.present.back();
  const std::vector<std::uint64_t> none;
  for (std::int64_t n : scan.present) {
    const std::filesystem::path path = SegmentPath(dir, n);
    LONTAR_ASSIGN_OR_RETURN(ReadableSegment segment, OpenSegmentToRead(path));
    const Fd& fd = segment.fd;
    const std::uint64_t size = segment.size;
    const auto it = named.find(n);
    const std::vector<std::uint64_t>& offsets = it == named.end() ? none : it->second;
    std::size_t k = 0;          // the next row-named offset
    std::uint64_t pos = 0;      // the record being looked at
    std::uint64_t keep = 0;     // the end of the last record that stays
    std::uint64_t v1_dead = 0;  // unindexed version 1 bytes since `keep`
    bool torn = false;
    while (pos < size) {
      if (k < offsets.size() && offsets[k] < pos) {
        return std::unexpected(Error::Corruption(
            Where(path, offsets[k]) + ": the index names a record there, but it lies inside " +
            "another record: the segment or index.db was damaged; restore the store from a "
            "backup"));
      }
      const bool is_named = k < offsets.size() && offsets[k] == pos;
      LONTAR_ASSIGN_OR_RETURN(std::optional<RecordHeader> h, ReadHeader(fd.fd, pos, size, path));
      if (is_named) {
        if (!h) {
          return std::unexpected(Error::Corruption(
              Where(path, pos) + ": the record the index names there is damaged or cut short " +
              "(segment size " + std::to_string(size) +
              "); nothing was changed: restore the store from a backup"));
        }
        ++k;
        pos += h->record_bytes();
        keep = pos;
        v1_dead = 0;
        continue;
      }
      if (h && h->version == 1) {
        if (options.index_is_new) {
          return std::unexpected(
              Error::Corruption(Where(path, pos) +
                                " holds a record of the older layout (LSG1, Lontar schema 3), "
                                "which cannot be re-indexed, and index.db is missing. Nothing "
                                "was changed; restore index.db from a backup of the store"));
        }
        pos += h->record_bytes();  // never acknowledged: an LSG1 server had no row for it
        v1_dead += h->record_bytes();
        continue;
      }
      if (h) {
        LONTAR_ASSIGN_OR_RETURN(std::optional<Bytes> index,
                                CheckRecord(fd.fd, pos, *h, nullptr, path));
        std::optional<UnindexedRecord> rec;
        if (index) rec = DecodeIndexFields(*index, {n, pos}, HexEncode(h->id()), h->length);
        if (rec && h->version == 3) {
          rec->row.digest = HexEncode(ByteView(h->raw + kDigestAtV3, 32));
        }
        if (rec) {
          scan.reindex.push_back(std::move(*rec));
          pos += h->record_bytes();
          keep = pos;
          v1_dead = 0;
          continue;
        }
      }
      // A record that fails its check. Nothing after it checks out: a torn tail (cut below). A
      // record that checks out follows it (or the index names one after it): the bytes between
      // are skipped and reported, and the scan goes on from there. A power cut mid-batch leaves
      // that as well as a torn tail: the page cache writes a batch's pages back in no set order,
      // so a later record of the batch can be on disk whole while an earlier one has a hole.
      // None of that batch was acknowledged (the receipts go out after the fdatasync), but a
      // record that is whole is kept: its upload, retried, then gets the receipt it holds. The
      // same rule keeps every good record after a damaged one that was acknowledged (a disk
      // fault), which is then reported, not cut.
      const std::uint64_t limit = k < offsets.size() ? offsets[k] : size;
      LONTAR_ASSIGN_OR_RETURN(std::optional<std::uint64_t> next,
                              NextCheckedRecord(fd.fd, pos, h, limit, size, path));
      if (!next && k < offsets.size()) next = offsets[k];
      if (next) {
        scan.skipped.push_back({{n, pos}, *next - pos});
        pos = *next;
        continue;
      }
      if (n != newest) {
        return std::unexpected(Error::Corruption(
            Where(path, pos) + ": a record fails its check, and nothing after it does, in a " +
            "segment other than the newest (" + SegmentPath(dir, newest).string() +
            "), where no crash leaves a torn record: the segment was damaged or cut. Nothing was "
            "changed; restore the store from a backup"));
      }
      torn = true;
      break;
    }
    if (k < offsets.size()) {
      return std::unexpected(Error::Corruption(
          Where(path, offsets[k]) + ": the index names a record there, but the segment is " +
          std::to_string(size) +
          " bytes and has no record at that offset: the segment was cut "
          "or replaced; restore it from a backup of the store"));
    }
    if (!torn && v1_dead == 0) continue;
    if (v1_dead > 0 && size - keep > options.max_v1_cut) {
      return std::unexpected(Error::Corruption(
          path.string() + " holds " + std::to_string(size - keep) + " bytes of records of the " +
          "older layout (LSG1) after the last record the index names, more than one batch can " +
          "leave: the index (index.db) looks older than the segments, e.g. restored from an " +
          "older backup, and such records cannot be re-indexed. Nothing was changed; restore " +
          "index.db and segments/ from the same backup"));
    }
    scan.cuts.emplace_back(n, keep);
  }
  return scan;
}

}  // namespace lontar::server
