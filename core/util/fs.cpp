#include "core/util/fs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

namespace lontar {

Result<std::vector<std::filesystem::path>> ListFilesWithExtension(const std::filesystem::path& dir,
                                                                  std::string_view extension) {
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) return std::unexpected(Error::FromErrno("read directory " + dir.string(), ec.value()));
  std::vector<std::filesystem::path> files;
  for (const auto& e : it) {
    if (e.path().extension() == extension) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}
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

Status WriteAllFd(int fd, ByteView data, const std::filesystem::path& path) {
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

Result<TempFile> TempFile::Beside(const std::filesystem::path& final_path) {
  const std::filesystem::path dir = final_path.has_parent_path() ? final_path.parent_path() : ".";
  // mkstemp replaces the trailing six X's with a unique suffix.
  std::string name =
      (dir / ("." + final_path.filename().string() + ".tmp-" + std::string(6, 'X'))).string();
  TempFile t;
  t.fd_ = ::mkstemp(name.data());
  if (t.fd_ < 0) {
    return std::unexpected(Error::FromErrno("create a temporary file in " + dir.string(), errno));
  }
  t.path_ = name;
  t.final_ = final_path;
  return t;
}

TempFile::TempFile(TempFile&& other) noexcept
    : path_(std::move(other.path_)),
      final_(std::move(other.final_)),
      fd_(other.fd_),
      published_(other.published_) {
  other.fd_ = -1;
  other.published_ = true;  // nothing left to clean up in the moved-from object
}

TempFile::~TempFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!published_) ::unlink(path_.c_str());
}

Result<InputFile> InputFile::Open(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(Error::FromErrno("open " + path.string(), errno));
  return InputFile(fd);
}

InputFile::~InputFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status TempFile::WriteAll(ByteView data) { return WriteAllFd(fd_, data, path_); }

Status TempFile::Publish(mode_t mode, Overwrite overwrite) {
  if (::fchmod(fd_, mode) != 0) {
    return std::unexpected(Error::FromErrno("chmod " + path_.string(), errno));
  }
  if (::fsync(fd_) != 0) return std::unexpected(Error::FromErrno("fsync " + path_.string(), errno));
  if (overwrite == Overwrite::kRefuse) {
    if (::link(path_.c_str(), final_.c_str()) != 0) {
      const int err = errno;
      if (err == EEXIST) {
        return std::unexpected(
            Error::AlreadyExists(final_.string() + " already exists; refusing to overwrite it"));
      }
      return std::unexpected(Error::FromErrno("create " + final_.string(), err));
    }
    ::unlink(path_.c_str());
  } else if (::rename(path_.c_str(), final_.c_str()) != 0) {
    return std::unexpected(Error::FromErrno("rename into " + final_.string(), errno));
  }
  published_ = true;
  return FsyncDir(final_.has_parent_path() ? final_.parent_path() : ".");
}

Status WriteFileAtomic(const std::filesystem::path& path, ByteView data, mode_t mode,
                       Overwrite overwrite) {
  if (overwrite == Overwrite::kRefuse && ::access(path.c_str(), F_OK) == 0) {
    return std::unexpected(
        Error::AlreadyExists(path.string() + " already exists; refusing to overwrite it"));
  }
  LONTAR_ASSIGN_OR_RETURN(TempFile file, TempFile::Beside(path));
  LONTAR_TRY(file.WriteAll(data));
  return file.Publish(mode, overwrite);
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
