// Code files: a release code, proctor code or PIN kept in a file so that it never appears on a
// command line. One reader for the operators' command and the kiosk.
#pragma once

#include <filesystem>
#include <string_view>

#include "core/crypto/secret.hpp"
#include "core/util/error.hpp"

namespace lontar::crypto {

// The first line of `path` (at most 4 KiB), without surrounding spaces, in secure memory.
// kInvalidArgument when it holds no code; the file's own errors otherwise. Reads disk.
[[nodiscard]] Result<SecretBytes> ReadCodeFile(const std::filesystem::path& path);

// The same from an open descriptor (a pipe or terminal, e.g. standard input): reads up to the
// first newline or end of input, at most 4 KiB. `what` names the source in messages ("standard
// input"). kInvalidArgument when no code came; kMalformed when the line is longer than 4 KiB.
[[nodiscard]] Result<SecretBytes> ReadCodeFromFd(int fd, std::string_view what);

}  // namespace lontar::crypto
