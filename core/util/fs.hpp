// Small, durable file operations. Every errno becomes an Error here, named with the file.
#pragma once

#include <sys/types.h>
#include <cstdint>
#include <filesystem>

#include "core/util/bytes.hpp"
#include "core/util/error.hpp"

namespace lontar {

enum class Overwrite { kRefuse, kReplace };

// Reads a whole file. Fails with kMalformed naming the limit when the file is larger than
// max_bytes, so that a hostile file cannot make us allocate without bound.
[[nodiscard]] Result<Bytes> ReadFile(const std::filesystem::path& path, std::uint64_t max_bytes);

// Writes `data` to `path` so that a reader sees either nothing (or the old file) or all of it:
// the bytes go to a temporary file in the same directory created with `mode`, which is fsync'd and
// then linked (kRefuse: fails with kAlreadyExists if `path` exists, atomically) or renamed
// (kReplace) into place, and the directory is fsync'd. Touches disk.
[[nodiscard]] Status WriteFileAtomic(const std::filesystem::path& path, ByteView data, mode_t mode,
                                     Overwrite overwrite);

// fsyncs a directory so that entries created or renamed in it survive a power cut.
[[nodiscard]] Status FsyncDir(const std::filesystem::path& dir);

// Creates `dir` (and parents) if missing, with `mode` for the directories it creates.
[[nodiscard]] Status EnsureDir(const std::filesystem::path& dir, mode_t mode);

}  // namespace lontar
