// Segment files of the SQLite store: appending records, one sync per batch, cutting back what no
// index row names, and reading a record back. The layout is documented in segment_log.hpp.
#include "core/server/segment_log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <map>

#include "core/bundle/bundle_format.hpp"
#include "core/util/fs.hpp"

namespace lontar::server {
namespace {

constexpr std::uint8_t kMagic[4] = {'L', 'S', 'G', '1'};

void PutU32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

std::uint32_t GetU32(const std::uint8_t* p) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(p[i]) << (8 * i);
  return v;
}

Status PwriteAll(int fd, const std::uint8_t* data, std::size_t size, std::uint64_t at,
                 const std::filesystem::path& path) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pwrite(fd, data + done, size - done, static_cast<off_t>(at + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(Error::FromErrno("write " + path.string(), errno));
    }
    done += static_cast<std::size_t>(n);
  }
  return Ok();
}

Status PreadAll(int fd, std::uint8_t* data, std::size_t size, std::uint64_t at,
                const std::filesystem::path& path) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, data + done, size - done, static_cast<off_t>(at + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(Error::FromErrno("read " + path.string(), errno));
    }
    if (n == 0) {
      return std::unexpected(
          Error::Corruption(path.string() + ": ends at " + std::to_string(at + done) +
                            ", inside a record the index " + "names (offset " + std::to_string(at) +
                            "): the segment was cut or damaged"));
    }
    done += static_cast<std::size_t>(n);
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

}  // namespace

std::filesystem::path SegmentPath(const std::filesystem::path& dir, std::int64_t number) {
  char name[32];
  std::snprintf(name, sizeof name, "%08lld.seg", static_cast<long long>(number));
  return dir / name;
}

Result<SegmentWriter> SegmentWriter::Open(
    const std::filesystem::path& dir,
    const std::vector<std::pair<std::int64_t, std::uint64_t>>& indexed_ends,
    std::uint64_t max_cut) {
  LONTAR_TRY(EnsureDir(dir, 0750));
  const std::map<std::int64_t, std::uint64_t> ends(indexed_ends.begin(), indexed_ends.end());
  LONTAR_ASSIGN_OR_RETURN(std::vector<std::int64_t> present, ListSegments(dir));
  // Bytes past the last indexed record were never acknowledged: cut them, durably, before
  // anything is appended after them. First check every segment, so that a refusal cuts nothing.
  std::vector<std::pair<std::filesystem::path, std::uint64_t>> cuts;
  for (std::int64_t n : present) {
    const std::filesystem::path path = SegmentPath(dir, n);
    const auto it = ends.find(n);
    const std::uint64_t keep = it == ends.end() ? 0 : it->second;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      return std::unexpected(Error::FromErrno("stat " + path.string(), errno));
    }
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (size < keep) {
      return std::unexpected(Error::Corruption(path.string() + " is " + std::to_string(size) +
                                               " bytes but the index names records up "
                                               "to byte " +
                                               std::to_string(keep) +
                                               ": the segment was cut or replaced; restore it "
                                               "from a backup of the store"));
    }
    if (size == keep) continue;
    if (size - keep > max_cut) {
      return std::unexpected(Error::Corruption(
          path.string() + " holds " + std::to_string(size - keep) + " bytes after the last " +
          "record the index names, more than one batch can leave: the index (index.db) looks " +
          "older than the segments, e.g. restored from an older backup. Nothing was changed; " +
          "restore index.db and segments/ from the same backup"));
    }
    cuts.emplace_back(path, keep);
  }
  for (const auto& [path, keep] : cuts) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return std::unexpected(Error::FromErrno("open " + path.string(), errno));
    const bool cut = ::ftruncate(fd, static_cast<off_t>(keep)) == 0 && ::fsync(fd) == 0;
    const int err = errno;
    ::close(fd);
    if (!cut) {
      return std::unexpected(
          Error::FromErrno("cut unacknowledged bytes from " + path.string(), err));
    }
  }
  for (const auto& [n, end] : ends) {
    if (!std::binary_search(present.begin(), present.end(), n) && end > 0) {
      return std::unexpected(Error::NotFound(SegmentPath(dir, n).string() +
                                             " is missing, but the index names bundles in it: "
                                             "restore it from a backup of the store"));
    }
  }
  SegmentWriter w;
  w.dir_ = dir;
  LONTAR_TRY(w.OpenSegment(present.empty() ? 1 : present.back()));
  return w;
}

SegmentWriter::SegmentWriter(SegmentWriter&& other) noexcept
    : dir_(std::move(other.dir_)),
      fd_(other.fd_),
      segment_(other.segment_),
      end_(other.end_),
      batch_start_(other.batch_start_),
      new_file_(other.new_file_) {
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
  if (end_ >= kSegmentTargetBytes) LONTAR_TRY(OpenSegment(segment_ + 1));
  batch_start_ = end_;
  return Ok();
}

Result<SegmentLocation> SegmentWriter::Append(ByteView bundle_id, ByteView bundle) {
  if (bundle_id.size() != 32 || bundle.size() > bundle::kMaxBundleBytes) {
    return std::unexpected(Error::Internal("segment record: bad id or oversized bundle"));
  }
  const std::filesystem::path path = SegmentPath(dir_, segment_);
  std::uint8_t header[kSegmentRecordHeaderBytes];
  std::copy(std::begin(kMagic), std::end(kMagic), header);
  PutU32(header + 4, static_cast<std::uint32_t>(bundle.size()));
  std::copy(bundle_id.begin(), bundle_id.end(), header + 8);
  const SegmentLocation at{segment_, end_};
  LONTAR_TRY(PwriteAll(fd_, header, sizeof header, end_, path));
  LONTAR_TRY(PwriteAll(fd_, bundle.data(), bundle.size(), end_ + sizeof header, path));
  end_ += sizeof header + bundle.size();
  return at;
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
  return Ok();
}

void SegmentWriter::Rollback() {
  if (end_ == batch_start_) return;
  if (::ftruncate(fd_, static_cast<off_t>(batch_start_)) == 0) end_ = batch_start_;
}

Result<Bytes> ReadSegmentRecord(const std::filesystem::path& dir, const SegmentLocation& at,
                                ByteView bundle_id, std::uint64_t length) {
  const std::filesystem::path path = SegmentPath(dir, at.segment);
  if (length > bundle::kMaxBundleBytes) {
    return std::unexpected(Error::Corruption(path.string() + ": the index names a record of " +
                                             std::to_string(length) + " bytes, over the cap"));
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) {
      return std::unexpected(
          Error::NotFound(path.string() + " is missing: restore it from a backup of the store"));
    }
    return std::unexpected(Error::FromErrno("open " + path.string(), err));
  }
  std::uint8_t header[kSegmentRecordHeaderBytes];
  Bytes out(static_cast<std::size_t>(length));
  Status read = PreadAll(fd, header, sizeof header, at.offset, path);
  if (read) read = PreadAll(fd, out.data(), out.size(), at.offset + sizeof header, path);
  ::close(fd);
  if (!read) return std::unexpected(read.error());
  if (!std::equal(std::begin(kMagic), std::end(kMagic), header) || GetU32(header + 4) != length ||
      bundle_id.size() != 32 || !std::equal(bundle_id.begin(), bundle_id.end(), header + 8)) {
    return std::unexpected(Error::Corruption(
        path.string() + " at offset " + std::to_string(at.offset) + " does not hold the bundle " +
        "its index row names (" + HexEncode(bundle_id) + ", " + std::to_string(length) +
        " bytes): the segment or the index was damaged"));
  }
  return out;
}

}  // namespace lontar::server
