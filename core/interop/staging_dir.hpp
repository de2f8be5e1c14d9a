// The directory an import writes into before it exists: created beside its final name with a
// unique temporary name, filled, synced once, and renamed into place. An import that fails, or
// a process killed half-way, leaves the final name untouched (at worst a ".NAME.import-*"
// directory beside it, which the next import does not reuse).
#pragma once

#include <filesystem>

#include "core/util/error.hpp"

namespace lontar::interop {

class StagingDir {
 public:
  // kAlreadyExists when `final_dir` exists: what Beside checks first, and what an import checks
  // before it reads its input. Touches disk.
  [[nodiscard]] static Status CheckFree(const std::filesystem::path& final_dir);
  // Creates the temporary directory (with items/ and media/ inside) beside `final_dir`. Fails
  // with kAlreadyExists when `final_dir` exists. Touches disk.
  [[nodiscard]] static Result<StagingDir> Beside(const std::filesystem::path& final_dir);
  StagingDir(StagingDir&& other) noexcept;
  StagingDir& operator=(StagingDir&&) = delete;
  StagingDir(const StagingDir&) = delete;
  ~StagingDir();  // removes the directory unless published

  const std::filesystem::path& path() const { return path_; }
  // Syncs the file system holding it, renames it to the final name (kAlreadyExists if that
  // appeared meanwhile) and fsyncs the parent. Touches disk.
  [[nodiscard]] Status Publish();

 private:
  StagingDir() = default;
  std::filesystem::path path_, final_;
  bool published_ = false;
};

}  // namespace lontar::interop
