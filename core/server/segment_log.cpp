// Segment files of the SQLite store: appending records, one sync per batch, and cutting what a
// failed batch left. The layout and the rules are documented in segment_log.hpp; records are
// encoded and read in segment_record.cpp, scanned at start-up in segment_scan.cpp.
#include "core/server/segment_log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <initializer_list>
#include <utility>
#include <vector>

#include "core/server/segment_record.hpp"
#include "core/util/fs.hpp"

namespace lontar::server {
namespace {

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

}  // namespace

std::filesystem::path SegmentPath(const std::filesystem::path& dir, std::int64_t number) {
  char name[32];
  std::snprintf(name, sizeof name, "%08lld.seg", static_cast<long long>(number));
  return dir / name;
}

Result<SegmentWriter> SegmentWriter::Open(const std::filesystem::path& dir,
                                          const SegmentScan& scan) {
  LONTAR_TRY(EnsureDir(dir, 0750));
  // What is cut was never acknowledged (a torn tail): cut it durably before anything is
  // appended after it.
  for (const auto& [n, keep] : scan.cuts) {
    const std::filesystem::path path = SegmentPath(dir, n);
    segment_detail::Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
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
      file_(std::move(other.file_)),
      fd_(other.fd_),
      segment_(other.segment_),
      end_(other.end_),
      batch_start_(other.batch_start_),
      new_file_(other.new_file_),
      broken_(other.broken_) {
  other.fd_ = -1;
}

SegmentWriter::~SegmentWriter() = default;  // file_ closes the descriptor with its last holder

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
  // The previous segment's descriptor stays open while a sealed batch's point still holds it.
  file_ = std::shared_ptr<const int>(new int(fd), [](const int* p) {
    ::close(*p);
    delete p;
  });
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

Result<SegmentLocation> SegmentWriter::Append(const SegmentRecordHead& head, ByteView bundle) {
  if (head.bundle_bytes != bundle.size() || head.bytes.size() < kSegmentRecordHeaderBytesV3) {
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

SegmentSyncPoint SegmentWriter::Seal() {
  SegmentSyncPoint point{file_, SegmentPath(dir_, segment_), dir_, new_file_, batch_start_, end_};
  new_file_ = false;
  batch_start_ = end_;  // sealed: no longer this writer's to cut, whatever its sync does
  return point;
}

Status SegmentWriter::Sync(const SegmentSyncPoint& point) {
  if (!point.fd) return Ok();  // nothing was ever opened: nothing to sync
  if (::fdatasync(*point.fd) != 0) {
    return std::unexpected(Error::FromErrno("fdatasync " + point.path.string(), errno));
  }
  if (point.sync_dir) LONTAR_TRY(FsyncDir(point.dir));
  return Ok();
}

Status SegmentWriter::Sync() { return Sync(Seal()); }

void SegmentWriter::Rollback() {
  if (end_ == batch_start_) return;
  if (::ftruncate(fd_, static_cast<off_t>(batch_start_)) == 0) {
    end_ = batch_start_;
  } else {
    broken_ = true;
  }
}

}  // namespace lontar::server
