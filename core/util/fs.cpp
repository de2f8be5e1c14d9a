#include "core/util/fs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace lontar {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_;
};

Status WriteAll(int fd, ByteView data, const std::filesystem::path& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(Error::FromErrno("write " + path.string(), errno));
    }
    done += static_cast<size_t>(n);
  }
  return Ok();
}

}  // namespace

Result<Bytes> ReadFile(const std::filesystem::path& path, std::uint64_t max_bytes) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.ok()) return std::unexpected(Error::FromErrno("open " + path.string(), errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return std::unexpected(Error::FromErrno("stat " + path.string(), errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return std::unexpected(Error::InvalidArgument(path.string() + ": not a regular file"));
  }
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    return std::unexpected(Error::Malformed(path.string() + ": file is " +
                                            std::to_string(st.st_size) + " bytes; at most " +
                                            std::to_string(max_bytes) + " expected"));
  }
  Bytes out;
  out.reserve(static_cast<size_t>(st.st_size));
  std::uint8_t buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(Error::FromErrno("read " + path.string(), errno));
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      return std::unexpected(Error::Malformed(path.string() + ": file grew past " +
                                              std::to_string(max_bytes) + " bytes while reading"));
    }
    out.insert(out.end(), buf, buf + n);
  }
  return out;
}

Status FsyncDir(const std::filesystem::path& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.ok()) return std::unexpected(Error::FromErrno("open directory " + dir.string(), errno));
  if (::fsync(fd.get()) != 0) {
    return std::unexpected(Error::FromErrno("fsync directory " + dir.string(), errno));
  }
  return Ok();
}

Status WriteFileAtomic(const std::filesystem::path& path, ByteView data, mode_t mode,
                       Overwrite overwrite) {
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  if (overwrite == Overwrite::kRefuse && ::access(path.c_str(), F_OK) == 0) {
    return std::unexpected(
        Error::AlreadyExists(path.string() + " already exists; refusing to overwrite it"));
  }
  std::string tmp_template = (dir / ("." + path.filename().string() + ".tmp-XXXXXX")).string();
  int raw_fd = ::mkstemp(tmp_template.data());
  if (raw_fd < 0)
    return std::unexpected(Error::FromErrno("create temporary file in " + dir.string(), errno));
  Fd fd(raw_fd);
  const std::filesystem::path tmp = tmp_template;
  auto fail = [&](Error e) -> Status {
    ::unlink(tmp.c_str());
    return std::unexpected(std::move(e));
  };
  if (::fchmod(fd.get(), mode) != 0) return fail(Error::FromErrno("chmod " + tmp.string(), errno));
  if (auto st = WriteAll(fd.get(), data, tmp); !st) return fail(st.error());
  if (::fsync(fd.get()) != 0) return fail(Error::FromErrno("fsync " + tmp.string(), errno));
  if (overwrite == Overwrite::kRefuse) {
    if (::link(tmp.c_str(), path.c_str()) != 0) {
      int err = errno;
      if (err == EEXIST) {
        return fail(
            Error::AlreadyExists(path.string() + " already exists; refusing to overwrite it"));
      }
      return fail(Error::FromErrno("create " + path.string(), err));
    }
    ::unlink(tmp.c_str());
  } else if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return fail(Error::FromErrno("rename into " + path.string(), errno));
  }
  return FsyncDir(dir);
}

Status EnsureDir(const std::filesystem::path& dir, mode_t mode) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return Ok();
  std::filesystem::path partial;
  for (const auto& part : dir) {
    partial /= part;
    if (partial.empty() || std::filesystem::is_directory(partial, ec)) continue;
    if (::mkdir(partial.c_str(), mode) != 0 && errno != EEXIST) {
      return std::unexpected(Error::FromErrno("create directory " + partial.string(), errno));
    }
  }
  return Ok();
}

}  // namespace lontar
