// Small, durable file operations. Every errno becomes an Error here, named with the file.
#pragma once

#include <sys/types.h>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

#include "core/util/bytes.hpp"
#include "core/util/error.hpp"

namespace lontar {

enum class Overwrite { kRefuse, kReplace };

// The entries of `dir` (not below it) whose extension is `extension` (".enroll"), sorted by name.
// An errno error naming `dir` when it cannot be read. Reads disk.
[[nodiscard]] Result<std::vector<std::filesystem::path>> ListFilesWithExtension(
    const std::filesystem::path& dir, std::string_view extension);

// Reads a whole file. Fails with kMalformed naming the limit when the file is larger than
// max_bytes, so that a hostile file cannot make us allocate without bound.
[[nodiscard]] Result<Bytes> ReadFile(const std::filesystem::path& path, std::uint64_t max_bytes);

// Writes `data` to `path` so that a reader sees either nothing (or the old file) or all of it:
// the bytes go to a temporary file in the same directory created with `mode`, which is fsync'd and
// then linked (kRefuse: fails with kAlreadyExists if `path` exists, atomically) or renamed
// (kReplace) into place, and the directory is fsync'd. Touches disk.
[[nodiscard]] Status WriteFileAtomic(const std::filesystem::path& path, ByteView data, mode_t mode,
                                     Overwrite overwrite);

// A file being written beside its final name: created with a unique temporary name (mode 0600)
// in the same directory, so that publishing it is one atomic link or rename; removed on
// destruction unless published. A reader never sees a half-written file under the final name.
class TempFile {
 public:
  // Creates the temporary next to `final_path`. Touches disk.
  [[nodiscard]] static Result<TempFile> Beside(const std::filesystem::path& final_path);
  TempFile(TempFile&& other) noexcept;
  TempFile& operator=(TempFile&&) = delete;
  TempFile(const TempFile&) = delete;
  ~TempFile();

  int fd() const { return fd_; }
  const std::filesystem::path& path() const { return path_; }
  [[nodiscard]] Status WriteAll(ByteView data);
  // Sets `mode`, fsyncs, and links (kRefuse: kAlreadyExists if the final name exists) or renames
  // (kReplace) the file to its final name, then fsyncs the directory. Touches disk.
  [[nodiscard]] Status Publish(mode_t mode, Overwrite overwrite);

 private:
  TempFile() = default;
  std::filesystem::path path_, final_;
  int fd_ = -1;
  bool published_ = false;
};

// A file opened for reading (O_RDONLY | O_CLOEXEC), closed on destruction.
class InputFile {
 public:
  // Opens `path`; an errno error "open <path>: ..." when it cannot. Touches disk.
  [[nodiscard]] static Result<InputFile> Open(const std::filesystem::path& path);
  InputFile(InputFile&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  InputFile& operator=(InputFile&&) = delete;
  InputFile(const InputFile&) = delete;
  ~InputFile();

  int fd() const { return fd_; }

 private:
  explicit InputFile(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// fsyncs a directory so that entries created or renamed in it survive a power cut.
[[nodiscard]] Status FsyncDir(const std::filesystem::path& dir);

// Creates `dir` (and parents) if missing, with `mode` for the directories it creates.
[[nodiscard]] Status EnsureDir(const std::filesystem::path& dir, mode_t mode);

}  // namespace lontar
