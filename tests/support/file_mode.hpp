// A file's permission bits, for tests that check what is kept private (keys 0600, their folders
// 0700) and what is meant to be read by others (public keys, code hashes 0644).
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

namespace lontar::testing {

// The permission bits (with setuid, setgid and sticky) of `path`; fails the current test and
// returns 0 when it cannot be stat'ed.
inline mode_t ModeOf(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

}  // namespace lontar::testing
