// Code files: a release code, proctor code or PIN kept in a file so that it never appears on a
// command line. One reader for the operators' command and the kiosk.
#pragma once

#include <filesystem>

#include "core/crypto/secret.hpp"
#include "core/util/error.hpp"

namespace lontar::crypto {

// The first line of `path` (at most 4 KiB), without surrounding spaces, in secure memory.
// kInvalidArgument when it holds no code; the file's own errors otherwise. Reads disk.
[[nodiscard]] Result<SecretBytes> ReadCodeFile(const std::filesystem::path& path);

}  // namespace lontar::crypto
