// Segment records (segment_log.hpp has the layout): encoding one, reading its header and
// checking it whole, reading one back where the index names it, listing a segment's records.
#include "core/server/segment_record.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <initializer_list>

#include "core/bundle/bundle_format.hpp"
#include "core/crypto/hash.hpp"

namespace lontar::server {
namespace segment_detail {
namespace {

constexpr char kPlainBytesDomain[] = "lontar-segment-bytes-v1";  // followed by its NUL

void PutString(Bytes& out, const std::string& s) {
  AppendU32(out, static_cast<std::uint32_t>(s.size()));
  Append(out, AsBytes(s));
}

// Reads index fields back; false when they do not parse exactly (damage the checksum missed
// cannot happen, but a reader never trusts lengths from disk).
class FieldReader {
 public:
  explicit FieldReader(ByteView in) : in_(in) {}
  bool String(std::string& out) {
    std::uint32_t n = 0;
    if (!U32(n) || in_.size() - at_ < n) return false;
    out.assign(reinterpret_cast<const char*>(in_.data() + at_), n);
    at_ += n;
    return true;
  }
  bool U64(std::uint64_t& out) { return Fixed(out, 8, &LoadU64); }
  bool I64(std::int64_t& out) {
    std::uint64_t v = 0;
    if (!U64(v)) return false;
    out = static_cast<std::int64_t>(v);
    return true;
  }
  bool U32(std::uint32_t& out) { return Fixed(out, 4, &LoadU32); }
  bool AtEnd() const { return at_ == in_.size(); }

 private:
  // A field of `size` bytes, read by `load`.
  template <class T>
  bool Fixed(T& out, std::size_t size, T (*load)(ByteView)) {
    if (in_.size() - at_ < size) return false;
    out = load(in_.subspan(at_));
    at_ += size;
    return true;
  }

  ByteView in_;
  std::size_t at_ = 0;
};

}  // namespace

void PutU32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

std::uint32_t GetU32(const std::uint8_t* p) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(p[i]) << (8 * i);
  return v;
}

Result<ReadableSegment> OpenSegmentToRead(const std::filesystem::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.fd < 0) return std::unexpected(Error::FromErrno("open " + path.string(), errno));
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) {
    return std::unexpected(Error::FromErrno("stat " + path.string(), errno));
  }
  return ReadableSegment{std::move(fd), static_cast<std::uint64_t>(st.st_size)};
}

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

std::string Where(const std::filesystem::path& path, std::uint64_t offset) {
  return path.string() + " at offset " + std::to_string(offset);
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

Result<std::optional<RecordHeader>> ReadHeader(int fd, std::uint64_t at, std::uint64_t size,
                                               const std::filesystem::path& path) {
  RecordHeader h;
  const std::size_t want =
      static_cast<std::size_t>(std::min<std::uint64_t>(kSegmentRecordHeaderBytesV3, size - at));
  LONTAR_ASSIGN_OR_RETURN(std::size_t got, PreadSome(fd, h.raw, want, at, path));
  if (got < 4) return std::optional<RecordHeader>();
  if (std::equal(std::begin(kMagicV1), std::end(kMagicV1), h.raw)) {
    if (got < kSegmentRecordHeaderBytesV1) return std::optional<RecordHeader>();
    h.version = 1;
    h.header_bytes = kSegmentRecordHeaderBytesV1;
    h.length = GetU32(h.raw + 4);
  } else if (std::equal(std::begin(kMagicV2), std::end(kMagicV2), h.raw) ||
             std::equal(std::begin(kMagicV3), std::end(kMagicV3), h.raw)) {
    h.version = h.raw[3] == '3' ? 3 : 2;
    h.header_bytes = h.version == 3 ? kSegmentRecordHeaderBytesV3 : kSegmentRecordHeaderBytes;
    if (got < h.header_bytes) return std::optional<RecordHeader>();
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

Result<std::optional<Bytes>> CheckRecord(int fd, std::uint64_t at, const RecordHeader& h,
                                         Bytes* bundle_out, const std::filesystem::path& path) {
  Bytes index(static_cast<std::size_t>(h.index_bytes));
  LONTAR_TRY(PreadAll(fd, index.data(), index.size(), at + h.header_bytes, path));
  const std::uint64_t bundle_at = at + h.header_bytes + h.index_bytes;
  if (h.version == 3) {
    // The header and index fields first: a record that fails them is not read further.
    crypto::Blake2bHasher hasher;
    hasher.Update(ByteView(h.raw, kChecksumAtV3)).Update(index);
    const Bytes sum = hasher.Finish();
    if (!std::equal(sum.begin(), sum.end(), h.raw + kChecksumAtV3)) return std::optional<Bytes>();
    Bytes bundle(static_cast<std::size_t>(h.length));
    LONTAR_TRY(PreadAll(fd, bundle.data(), bundle.size(), bundle_at, path));
    const crypto::Hash256 digest = SegmentBundleDigest(bundle);
    if (!std::equal(digest.begin(), digest.end(), h.raw + kDigestAtV3)) {
      return std::optional<Bytes>();
    }
    if (bundle_out != nullptr) *bundle_out = std::move(bundle);
    return std::optional<Bytes>(std::move(index));
  }
  crypto::Blake2bHasher hasher;
  hasher.Update(ByteView(h.raw, kChecksumAt)).Update(index);
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

}  // namespace segment_detail

crypto::Hash256 SegmentBundleDigest(ByteView bundle) {
  using namespace segment_detail;
  if (auto hashed = bundle::HashBundle(bundle)) return hashed->file_digest;
  crypto::Blake2bHasher hasher;
  hasher.Update(AsBytes(std::string_view(kPlainBytesDomain, sizeof kPlainBytesDomain)));
  hasher.Update(bundle);
  const Bytes sum = hasher.Finish();
  crypto::Hash256 out{};
  std::copy(sum.begin(), sum.end(), out.begin());
  return out;
}

Result<SegmentRecordHead> EncodeSegmentRecord(const StoredBundle& row,
                                              const std::vector<StoredFlag>& flags,
                                              ByteView bundle) {
  using namespace segment_detail;
  LONTAR_ASSIGN_OR_RETURN(Bytes id, HexDecode(row.bundle_id));
  Bytes index = EncodeIndexFields(row, flags);
  if (id.size() != 32 || bundle.size() > bundle::kMaxBundleBytes || row.bytes != bundle.size() ||
      index.size() > kMaxRecordIndexBytes) {
    return std::unexpected(
        Error::Internal("segment record: bad id, oversized bundle or index fields"));
  }
  Bytes digest;
  if (auto given = HexDecode(row.digest); given && given->size() == 32) {
    digest = std::move(*given);
  } else {
    const crypto::Hash256 computed = SegmentBundleDigest(bundle);
    digest.assign(computed.begin(), computed.end());
  }
  SegmentRecordHead out{Bytes(kSegmentRecordHeaderBytesV3), row.bundle_id, bundle.size()};
  Bytes& head = out.bytes;
  std::copy(std::begin(kMagicV3), std::end(kMagicV3), head.begin());
  PutU32(head.data() + 4, static_cast<std::uint32_t>(index.size()));
  PutU32(head.data() + 8, static_cast<std::uint32_t>(bundle.size()));
  std::copy(id.begin(), id.end(), head.begin() + 12);
  std::copy(digest.begin(), digest.end(), head.begin() + kDigestAtV3);
  crypto::Blake2bHasher hasher;
  hasher.Update(ByteView(head.data(), kChecksumAtV3)).Update(index);
  const Bytes sum = hasher.Finish();
  std::copy(sum.begin(), sum.end(), head.begin() + kChecksumAtV3);
  head.insert(head.end(), index.begin(), index.end());
  return out;
}

Result<Bytes> ReadSegmentRecord(const std::filesystem::path& dir, const SegmentLocation& at,
                                ByteView bundle_id, std::uint64_t length) {
  using namespace segment_detail;
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
  if (!index) return not_it("its checksum or digest does not match");
  return out;
}

Result<std::vector<SegmentRecordInfo>> ListSegmentRecords(const std::filesystem::path& dir) {
  using namespace segment_detail;
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