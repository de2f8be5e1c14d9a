// Damage as a disk does it: one byte of a file changed in place, the file's size kept.
#pragma once

#include <cstdint>
#include <filesystem>

namespace lontar::testing {

// XORs the byte `from_end` bytes before the end of `file` with `mask`, in place. Fails the
// current test when the file cannot be opened or is shorter than that.
void FlipByteFromEnd(const std::filesystem::path& file, std::uint64_t from_end, std::uint8_t mask);

}  // namespace lontar::testing
