#include "tests/support/flip_byte.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace lontar::testing {

void FlipByteFromEnd(const std::filesystem::path& file, std::uint64_t from_end, std::uint8_t mask) {
  const auto size = std::filesystem::file_size(file);
  ASSERT_LE(from_end, size) << file;
  const auto at = static_cast<std::streamoff>(size - from_end);
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(f) << file;
  f.seekg(at);
  char c = 0;
  f.get(c);
  f.seekp(at);
  f.put(static_cast<char>(c ^ static_cast<char>(mask)));
  ASSERT_TRUE(f) << file;
}

}  // namespace lontar::testing
