// Segment files of the SQLite store: appending records, one sync per batch, finding on open what
// the index lacks (re-indexed) and what a crash tore (cut), and reading a record back. The layout
// and the rules are documented in segment_log.hpp.
#include "core/server/segment_log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <initializer_list>
#include <map>
#include <utility>
#include <vector>

#include "core/bundle/bundle_format.hpp"
#include "core/crypto/hash.hpp"
#include "core/util/fs.hpp"

namespace lontar::server {
namespace {

constexpr std::uint8_t kMagicV1[4] = {'L', 'S', 'G', '1'};
constexpr std::uint8_t kMagicV2[4] = {'L', 'S', 'G', '2'};
constexpr std::size_t kChecksumAt = 44;  // the header bytes the checksum covers come before it
constexpr std::size_t kChunkBytes = 1 << 20;

void PutU32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

std::uint32_t GetU32(const std::uint8_t* p) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(p[i]) << (8 * i);
  return v;
}

// An open file descriptor, closed when it goes.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(Fd&& other) noexcept : fd(std::exchange(other.fd, -1)) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// A segment file opened for reading, with its size when opened.
struct ReadableSegment {
  Fd fd;
  std::uint64_t size = 0;
};

Result<ReadableSegment> OpenSegmentToRead(const std::filesystem::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.fd < 0) return std::unexpected(Error::FromErrno("open " + path.string(), errno));
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) {
    return std::unexpected(Error::FromErrno("stat " + path.string(), errno));
  }
  return ReadableSegment{std::move(fd), static_cast<std::uint64_t>(st.st_size)};
}

// Writes `parts` one after another at `at`, in as few pwritev calls as the kernel allows.
Status PwriteAll(int fd, std::initializer_list<ByteView> parts, std::uint64_t at,
                 const std::filesystem::path& path) {
  std::vector<iovec> iov;
  for (ByteView p : parts) {
    if (!p.empty()) iov.push_back({const_cast<std::uint8_t*>(p.data()), p.size()});
  }
  std::size_t first = 0;
  while (first < iov.size()) {
    const ssize_t n = ::pwritev(fd, iov.data() + first, static_cast<int>(iov.size() - first),
                                static_cast<off_t>(at));
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(Error::FromErrno("write " + path.string(), errno));
    }
    if (n == 0) return std::unexpected(Error::FromErrno("write " + path.string(), EIO));
    at += static_cast<std::uint64_t>(n);
    for (auto left = static_cast<std::size_t>(n); left > 0 && first < iov.size();) {
      const std::size_t take = std::min(left, iov[first].iov_len);
      iov[first].iov_base = static_cast<std::uint8_t*>(iov[first].iov_base) + take;
      iov[first].iov_len -= take;
      left -= take;
      if (iov[first].iov_len == 0) ++first;
    }
  }
  return Ok();
}

// Reads up to `size` bytes at `at`; fewer only at the end of the file.
Result<std::size_t> PreadSome(int fd, std::uint8_t* data, std::size_t size, std::uint64_t at,
                              const std::filesystem::path& path) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, data + done, size - done, static_cast<off_t>(at + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(Error::FromErrno("read " + path.string(), errno));
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return done;
}

Status PreadAll(int fd, std::uint8_t* data, std::size_t size, std::uint64_t at,
                const std::filesystem::path& path) {
  LONTAR_ASSIGN_OR_RETURN(std::size_t got, PreadSome(fd, data, size, at, path));
  if (got < size) {
    return std::unexpected(Error::Corruption(
        path.string() + ": ends at " + std::to_string(at + got) + ", inside a record the index " +
        "names (offset " + std::to_string(at) + "): the segment was cut or damaged"));
  }
  return Ok();
}

// Segment numbers present under `dir` ("NNNNNNNN.seg").
Result<std::vector<std::int64_t>> ListSegments(const std::filesystem::path& dir) {
  std::vector<std::int64_t> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.size() != 12 || !name.ends_with(".seg")) continue;
    const std::string digits = name.substr(0, 8);
    if (digits.find_first_not_of("0123456789") != std::string::npos) continue;
    out.push_back(std::stoll(digits));
  }
  if (ec) return std::unexpected(Error::FromErrno("list " + dir.string(), ec.value()));
  std::sort(out.begin(), out.end());
  return out;
}

// ---- Index fields ----

void PutString(Bytes& out, const std::string& s) {
  AppendU32(out, static_cast<std::uint32_t>(s.size()));
  Append(out, AsBytes(s));
}

Bytes EncodeIndexFields(const StoredBundle& r, const std::vector<StoredFlag>& flags) {
  Bytes out;
  for (const std::string* s : {&r.receipt_code, &r.terminal_id, &r.site, &r.exam_id, &r.participant,
                               &r.kind, &r.pack_id, &r.receipt_text}) {
    PutString(out, *s);
  }
  AppendU64(out, r.seq);
  AppendU64(out, r.journal_seq);
  AppendU64(out, static_cast<std::uint64_t>(r.created_ms));
  AppendU64(out, static_cast<std::uint64_t>(r.stored_ms));
  AppendU32(out, static_cast<std::uint32_t>(flags.size()));
  for (const StoredFlag& f : flags) {
    PutString(out, f.terminal_id);
    AppendU64(out, f.seq);
    PutString(out, f.bundle_id);
    PutString(out, f.kind);
    PutString(out, f.detail);
    AppendU64(out, static_cast<std::uint64_t>(f.at_ms));
  }
  return out;
}

// Reads index fields back; false when they do not parse exactly (damage the checksum missed
// cannot happen, but a reader never trusts lengths from disk).
class FieldReader {
 public:
  explicit FieldReader(ByteView in) : in_(in) {}
  bool String(std::string& out) {
    if (in_.size() - at_ < 4) return false;
    const std::uint32_t n = LoadU32(in_.subspan(at_));
    at_ += 4;
    if (in_.size() - at_ < n) return false;
    out.assign(reinterpret_cast<const char*>(in_.data() + at_), n);
    at_ += n;
    return true;
  }
  bool U64(std::uint64_t& out) {
    if (in_.size() - at_ < 8) return false;
    out = LoadU64(in_.subspan(at_));
    at_ += 8;
    return true;
  }
  bool I64(std::int64_t& out) {
    std::uint64_t v = 0;
    if (!U64(v)) return false;
    out = static_cast<std::int64_t>(v);
    return true;
  }
  bool U32(std::uint32_t& out) {
    if (in_.size() - at_ < 4) return false;
    out = LoadU32(in_.subspan(at_));
    at_ += 4;
    return true;
  }
  bool AtEnd() const { return at_ == in_.size(); }

 private:
  ByteView in_;
  std::size_t at_ = 0;
};

std::optional<UnindexedRecord> DecodeIndexFields(ByteView in, const SegmentLocation& at,
                                                 const std::string& id_hex, std::uint64_t length) {
  UnindexedRecord rec;
  rec.at = at;
  StoredBundle& r = rec.row;
  r.bundle_id = id_hex;
  r.bytes = length;
  FieldReader f(in);
  for (std::string* s : {&r.receipt_code, &r.terminal_id, &r.site, &r.exam_id, &r.participant,
                         &r.kind, &r.pack_id, &r.receipt_text}) {
    if (!f.String(*s)) return std::nullopt;
  }
  std::uint32_t count = 0;
  if (!f.U64(r.seq) || !f.U64(r.journal_seq) || !f.I64(r.created_ms) || !f.I64(r.stored_ms) ||
      !f.U32(count)) {
    return std::nullopt;
  }
  for (std::uint32_t i = 0; i < count; ++i) {
    StoredFlag flag;
    if (!f.String(flag.terminal_id) || !f.U64(flag.seq) || !f.String(flag.bundle_id) ||
        !f.String(flag.kind) || !f.String(flag.detail) || !f.I64(flag.at_ms)) {
      return std::nullopt;
    }
    rec.flags.push_back(std::move(flag));
  }
  if (!f.AtEnd()) return std::nullopt;
  return rec;
}

// ---- Record headers ----

struct RecordHeader {
  int version = 0;
  std::uint64_t header_bytes = 0, index_bytes = 0, length = 0;
  std::uint8_t raw[kSegmentRecordHeaderBytes] = {};  // as on disk (version 1: the first 40)
  std::uint64_t record_bytes() const { return header_bytes + index_bytes + length; }
  ByteView id() const { return ByteView(raw + (version == 1 ? 8 : 12), 32); }
};

// The header at `at` of a segment `size` bytes long, if it parses and its record fits in the
// segment; nullopt otherwise (a torn or damaged record).
Result<std::optional<RecordHeader>> ReadHeader(int fd, std::uint64_t at, std::uint64_t size,
                                               const std::filesystem::path& path) {
  RecordHeader h;
  const std::size_t want =
      static_cast<std::size_t>(std::min<std::uint64_t>(kSegmentRecordHeaderBytes, size - at));
  LONTAR_ASSIGN_OR_RETURN(std::size_t got, PreadSome(fd, h.raw, want, at, path));
  if (got < 4) return std::optional<RecordHeader>();
  if (std::equal(std::begin(kMagicV1), std::end(kMagicV1), h.raw)) {
    if (got < kSegmentRecordHeaderBytesV1) return std::optional<RecordHeader>();
    h.version = 1;
    h.header_bytes = kSegmentRecordHeaderBytesV1;
    h.length = GetU32(h.raw + 4);
  } else if (std::equal(std::begin(kMagicV2), std::end(kMagicV2), h.raw)) {
    if (got < kSegmentRecordHeaderBytes) return std::optional<RecordHeader>();
    h.version = 2;
    h.header_bytes = kSegmentRecordHeaderBytes;
    h.index_bytes = GetU32(h.raw + 4);
    h.length = GetU32(h.raw + 8);
    if (h.index_bytes > kMaxRecordIndexBytes) return std::optional<RecordHeader>();
  } else {
    return std::optional<RecordHeader>();
  }
  if (h.length > bundle::kMaxBundleBytes || h.record_bytes() > size - at) {
    return std::optional<RecordHeader>();
  }
  return std::optional<RecordHeader>(h);
}

// Reads a version 2 record's index fields and bundle (streamed through the checksum, kept only
// if `bundle_out` is given) and checks the checksum. nullopt if it does not match; the index
// fields otherwise.
Result<std::optional<Bytes>> CheckRecord(int fd, std::uint64_t at, const RecordHeader& h,
                                         Bytes* bundle_out, const std::filesystem::path& path) {
  Bytes index(static_cast<std::size_t>(h.index_bytes));
  LONTAR_TRY(PreadAll(fd, index.data(), index.size(), at + h.header_bytes, path));
  crypto::Blake2bHasher hasher;
  hasher.Update(ByteView(h.raw, kChecksumAt)).Update(index);
  const std::uint64_t bundle_at = at + h.header_bytes + h.index_bytes;
  if (bundle_out != nullptr) {
    bundle_out->resize(static_cast<std::size_t>(h.length));
    LONTAR_TRY(PreadAll(fd, bundle_out->data(), bundle_out->size(), bundle_at, path));
    hasher.Update(*bundle_out);
  } else {
    Bytes chunk(static_cast<std::size_t>(std::min<std::uint64_t>(kChunkBytes, h.length)));
    for (std::uint64_t done = 0; done < h.length;) {
      const auto n =
          static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), h.length - done));
      LONTAR_TRY(PreadAll(fd, chunk.data(), n, bundle_at + done, path));
      hasher.Update(ByteView(chunk.data(), n));
      done += n;
    }
  }
  const Bytes sum = hasher.Finish();
  if (!std::equal(sum.begin(), sum.end(), h.raw + kChecksumAt)) return std::optional<Bytes>();
  return std::optional<Bytes>(std::move(index));
}

// Whether the bytes at `at` hold a record that checks out: a version 2 record with a matching
// checksum, or a version 1 record that fits (it has no checksum).
Result<bool> ChecksOut(int fd, std::uint64_t at, std::uint64_t size,
                       const std::filesystem::path& path) {
  if (at >= size) return false;
  LONTAR_ASSIGN_OR_RETURN(std::optional<RecordHeader> h, ReadHeader(fd, at, size, path));
  if (!h) return false;
  if (h->version == 1) return true;
  LONTAR_ASSIGN_OR_RETURN(std::optional<Bytes> index, CheckRecord(fd, at, *h, nullptr, path));
  return index.has_value();
}

// The first offset after `from` (and before `limit`) where a version 2 record starts that checks
// out; nullopt if none. Looks first where `h`, the failed record's header if it parsed, says the
// next record starts, then at every "LSG2" in the bytes that follow (a record's bytes are sealed
// or hashed: the magic turns up by chance about once in 4 GB, and then its checksum fails).
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
      if (!std::equal(std::begin(kMagicV2), std::end(kMagicV2), chunk.data() + i)) continue;
      LONTAR_ASSIGN_OR_RETURN(bool ok, ChecksOut(fd, at + i, size, path));
      if (ok) return std::optional<std::uint64_t>(at + i);
    }
    // The next chunk starts where a magic cut by this chunk's end would begin.
    at += got > sizeof kMagicV2 ? got - (sizeof kMagicV2 - 1) : got;
  }
  return std::optional<std::uint64_t>();
}

std::string Where(const std::filesystem::path& path, std::uint64_t offset) {
  return path.string() + " at offset " + std::to_string(offset);
}

}  // namespace

std::filesystem::path SegmentPath(const std::filesystem::path& dir, std::int64_t number) {
  char name[32];
  std::snprintf(name, sizeof name, "%08lld.seg", static_cast<long long>(number));
  return dir / name;
}

Result<SegmentScan> ScanSegments(const std::filesystem::path& dir,
                                 std::vector<SegmentLocation> indexed,
                                 const SegmentScanOptions& options) {
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

Result<SegmentWriter> SegmentWriter::Open(const std::filesystem::path& dir,
                                          const SegmentScan& scan) {
  LONTAR_TRY(EnsureDir(dir, 0750));
  // What is cut was never acknowledged (a torn tail): cut it durably before anything is
  // appended after it.
  for (const auto& [n, keep] : scan.cuts) {
    const std::filesystem::path path = SegmentPath(dir, n);
    Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (fd.fd < 0) return std::unexpected(Error::FromErrno("open " + path.string(), errno));
    if (::ftruncate(fd.fd, static_cast<off_t>(keep)) != 0 || ::fsync(fd.fd) != 0) {
      return std::unexpected(Error::FromErrno(
          "cut the torn tail of " + path.string() + " at " + std::to_string(keep), errno));
    }
  }
  SegmentWriter w;
  w.dir_ = dir;
  LONTAR_TRY(w.OpenSegment(scan.present.empty() ? 1 : scan.present.back()));
  return w;
}

SegmentWriter::SegmentWriter(SegmentWriter&& other) noexcept
    : dir_(std::move(other.dir_)),
      fd_(other.fd_),
      segment_(other.segment_),
      end_(other.end_),
      batch_start_(other.batch_start_),
      new_file_(other.new_file_),
      broken_(other.broken_) {
  other.fd_ = -1;
}

SegmentWriter::~SegmentWriter() {
  if (fd_ >= 0) ::close(fd_);
}

Status SegmentWriter::OpenSegment(std::int64_t number) {
  const std::filesystem::path path = SegmentPath(dir_, number);
  const bool existed = std::filesystem::exists(path);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return std::unexpected(Error::FromErrno("open " + path.string(), errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return std::unexpected(Error::FromErrno("stat " + path.string(), err));
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  segment_ = number;
  end_ = batch_start_ = static_cast<std::uint64_t>(st.st_size);
  new_file_ = new_file_ || !existed;
  return Ok();
}

Status SegmentWriter::BeginBatch() {
  if (broken_) {
    return std::unexpected(Error::Io(
        SegmentPath(dir_, segment_).string() + ": a failed batch's bytes could not be cut off; " +
        "restart the server (its start cuts them) once the disk is writable"));
  }
  if (end_ >= kSegmentTargetBytes) LONTAR_TRY(OpenSegment(segment_ + 1));
  batch_start_ = end_;
  return Ok();
}

Result<SegmentRecordHead> EncodeSegmentRecord(const StoredBundle& row,
                                              const std::vector<StoredFlag>& flags,
                                              ByteView bundle) {
  LONTAR_ASSIGN_OR_RETURN(Bytes id, HexDecode(row.bundle_id));
  Bytes index = EncodeIndexFields(row, flags);
  if (id.size() != 32 || bundle.size() > bundle::kMaxBundleBytes || row.bytes != bundle.size() ||
      index.size() > kMaxRecordIndexBytes) {
    return std::unexpected(
        Error::Internal("segment record: bad id, oversized bundle or index fields"));
  }
  SegmentRecordHead out{Bytes(kSegmentRecordHeaderBytes), row.bundle_id, bundle.size()};
  Bytes& head = out.bytes;
  std::copy(std::begin(kMagicV2), std::end(kMagicV2), head.begin());
  PutU32(head.data() + 4, static_cast<std::uint32_t>(index.size()));
  PutU32(head.data() + 8, static_cast<std::uint32_t>(bundle.size()));
  std::copy(id.begin(), id.end(), head.begin() + 12);
  crypto::Blake2bHasher hasher;
  hasher.Update(ByteView(head.data(), kChecksumAt)).Update(index).Update(bundle);
  const Bytes sum = hasher.Finish();
  std::copy(sum.begin(), sum.end(), head.begin() + kChecksumAt);
  head.insert(head.end(), index.begin(), index.end());
  return out;
}

Result<SegmentLocation> SegmentWriter::Append(const SegmentRecordHead& head, ByteView bundle) {
  if (head.bundle_bytes != bundle.size() || head.bytes.size() < kSegmentRecordHeaderBytes) {
    return std::unexpected(Error::Internal("segment record: head encoded for another bundle"));
  }
  const std::filesystem::path path = SegmentPath(dir_, segment_);
  const SegmentLocation at{segment_, end_};
  LONTAR_TRY(PwriteAll(fd_, {ByteView(head.bytes), bundle}, end_, path));
  end_ += head.bytes.size() + bundle.size();
  return at;
}

Result<SegmentLocation> SegmentWriter::Append(const StoredBundle& row,
                                              const std::vector<StoredFlag>& flags,
                                              ByteView bundle) {
  LONTAR_ASSIGN_OR_RETURN(SegmentRecordHead head, EncodeSegmentRecord(row, flags, bundle));
  return Append(head, bundle);
}

Status SegmentWriter::Sync() {
  if (::fdatasync(fd_) != 0) {
    return std::unexpected(
        Error::FromErrno("fdatasync " + SegmentPath(dir_, segment_).string(), errno));
  }
  if (new_file_) {
    LONTAR_TRY(FsyncDir(dir_));
    new_file_ = false;
  }
  batch_start_ = end_;  // durable: the store's now, whatever the index commit does
  return Ok();
}

void SegmentWriter::Rollback() {
  if (end_ == batch_start_) return;
  if (::ftruncate(fd_, static_cast<off_t>(batch_start_)) == 0) {
    end_ = batch_start_;
  } else {
    broken_ = true;
  }
}

Result<Bytes> ReadSegmentRecord(const std::filesystem::path& dir, const SegmentLocation& at,
                                ByteView bundle_id, std::uint64_t length) {
  const std::filesystem::path path = SegmentPath(dir, at.segment);
  if (length > bundle::kMaxBundleBytes) {
    return std::unexpected(Error::Corruption(path.string() + ": the index names a record of " +
                                             std::to_string(length) + " bytes, over the cap"));
  }
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.fd < 0) {
    const int err = errno;
    if (err == ENOENT) {
      return std::unexpected(
          Error::NotFound(path.string() + " is missing: restore it from a backup of the store"));
    }
    return std::unexpected(Error::FromErrno("open " + path.string(), err));
  }
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) {
    return std::unexpected(Error::FromErrno("stat " + path.string(), errno));
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (at.offset >= size) {
    return std::unexpected(Error::Corruption(
        path.string() + ": ends at " + std::to_string(size) + ", before the record the index " +
        "names (offset " + std::to_string(at.offset) + "): the segment was cut or damaged"));
  }
  LONTAR_ASSIGN_OR_RETURN(std::optional<RecordHeader> h, ReadHeader(fd.fd, at.offset, size, path));
  auto not_it = [&](const std::string& why) {
    return std::unexpected(Error::Corruption(
        Where(path, at.offset) + " does not hold the bundle its index row names (" +
        HexEncode(bundle_id) + ", " + std::to_string(length) + " bytes): " + why +
        "; the segment or the index was damaged"));
  };
  if (!h) return not_it("no whole record there (cut or damaged)");
  if (h->length != length || bundle_id.size() != 32 ||
      !std::equal(bundle_id.begin(), bundle_id.end(), h->id().begin())) {
    return not_it("the record there is another");
  }
  Bytes out;
  if (h->version == 1) {
    out.resize(static_cast<std::size_t>(length));
    LONTAR_TRY(PreadAll(fd.fd, out.data(), out.size(), at.offset + h->header_bytes, path));
    return out;
  }
  LONTAR_ASSIGN_OR_RETURN(std::optional<Bytes> index,
                          CheckRecord(fd.fd, at.offset, *h, &out, path));
  if (!index) return not_it("its checksum does not match");
  return out;
}

Result<std::vector<SegmentRecordInfo>> ListSegmentRecords(const std::filesystem::path& dir) {
  LONTAR_ASSIGN_OR_RETURN(std::vector<std::int64_t> present, ListSegments(dir));
  std::vector<SegmentRecordInfo> out;
  for (std::int64_t n : present) {
    const std::filesystem::path path = SegmentPath(dir, n);
    LONTAR_ASSIGN_OR_RETURN(ReadableSegment segment, OpenSegmentToRead(path));
    const Fd& fd = segment.fd;
    const std::uint64_t size = segment.size;
    for (std::uint64_t pos = 0; pos < size;) {
      LONTAR_ASSIGN_OR_RETURN(std::optional<RecordHeader> h, ReadHeader(fd.fd, pos, size, path));
      if (!h) {
        return std::unexpected(
            Error::Corruption(Where(path, pos) + ": no whole record there (torn or damaged)"));
      }
      out.push_back({{n, pos}, h->record_bytes(), HexEncode(h->id()), h->version});
      pos += h->record_bytes();
    }
  }
  return out;
}

}  // namespace lontar::server
