#include "tests/support/prepared_dir.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>

namespace lontar::testing {

namespace fs = std::filesystem;

namespace {

// The `lontar` binary's size and modification time, so that a rebuild makes the directory anew.
std::string BinaryStamp() {
  const fs::path binary = fs::path(LONTAR_BIN_DIR) / "lontar";
  std::error_code ec;
  const auto size = fs::file_size(binary, ec);
  const auto time = fs::last_write_time(binary, ec);
  return std::to_string(size) + "-" + std::to_string(time.time_since_epoch().count());
}

// Holds an exclusive flock on `path` while it lives.
class FileLock {
 public:
  explicit FileLock(const fs::path& path) : fd_(::open(path.c_str(), O_RDWR | O_CREAT, 0600)) {
    if (fd_ >= 0 && ::flock(fd_, LOCK_EX) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
  }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_;
};

}  // namespace

bool CopyPrepared(const std::string& name, const std::function<void(const fs::path&)>& make,
                  const fs::path& into) {
  const fs::path root = fs::path(LONTAR_BIN_DIR) / ".." / "test-prepared";
  std::error_code ec;
  fs::create_directories(root, ec);
  const fs::path done = root / (name + "-" + BinaryStamp());
  {
    FileLock lock(root / (name + ".lock"));
    if (!lock.ok()) {
      ADD_FAILURE() << "cannot lock " << (root / (name + ".lock"));
      return false;
    }
    if (!fs::exists(done)) {
      // Made beside its final name and renamed, so a test killed half-way leaves nothing that
      // looks finished.
      const fs::path making = root / (name + ".making");
      fs::remove_all(making, ec);
      fs::create_directories(making);
      make(making);
      if (::testing::Test::HasFailure()) {
        fs::remove_all(making, ec);
        return false;
      }
      fs::rename(making, done);
    }
  }
  fs::copy(done, into, fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
  if (ec) {
    ADD_FAILURE() << "cannot copy " << done << " to " << into << ": " << ec.message();
    return false;
  }
  return true;
}

}  // namespace lontar::testing
