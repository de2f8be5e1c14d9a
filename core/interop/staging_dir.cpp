#include "core/interop/staging_dir.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "core/util/fs.hpp"

namespace lontar::interop {
namespace fs = std::filesystem;

Status StagingDir::CheckFree(const fs::path& final_dir) {
  std::error_code ec;
  if (fs::exists(fs::symlink_status(final_dir, ec))) {
    return std::unexpected(
        Error::AlreadyExists(final_dir.string() + " already exists; choose a new --out directory"));
  }
  return Ok();
}

Result<StagingDir> StagingDir::Beside(const fs::path& final_dir) {
  LONTAR_TRY(CheckFree(final_dir));
  fs::path parent = final_dir.parent_path();
  if (parent.empty()) parent = ".";
  LONTAR_TRY(EnsureDir(parent, 0755));
  std::string tmpl = (parent / ("." + final_dir.filename().string() + ".import-XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    return std::unexpected(
        Error::FromErrno("create a directory beside " + final_dir.string(), errno));
  }
  StagingDir out;
  out.path_ = tmpl;
  out.final_ = final_dir;
  ::chmod(out.path_.c_str(), 0755);
  LONTAR_TRY(EnsureDir(out.path_ / "items", 0755));
  LONTAR_TRY(EnsureDir(out.path_ / "media", 0755));
  return out;
}

StagingDir::StagingDir(StagingDir&& other) noexcept
    : path_(std::move(other.path_)), final_(std::move(other.final_)), published_(other.published_) {
  other.published_ = true;
}

StagingDir::~StagingDir() {
  if (published_ || path_.empty()) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

Status StagingDir::Publish() {
  const int fd = ::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(Error::FromErrno(path_.string(), errno));
  const int rc = ::syncfs(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return std::unexpected(Error::FromErrno("sync " + path_.string(), err));
  std::error_code ec;
  if (fs::exists(fs::symlink_status(final_, ec))) {
    return std::unexpected(Error::AlreadyExists(final_.string() + " appeared while importing"));
  }
  if (::rename(path_.c_str(), final_.c_str()) != 0) {
    return std::unexpected(Error::FromErrno("rename to " + final_.string(), errno));
  }
  published_ = true;
  fs::path parent = final_.parent_path();
  return FsyncDir(parent.empty() ? fs::path(".") : parent);
}

}  // namespace lontar::interop
