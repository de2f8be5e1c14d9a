// A content package as it arrives from an item bank: a zip file or a directory holding the same
// files. Everything in it is untrusted, so the reader refuses, before any entry is used:
//   - a file that is not a zip (or not a directory);
//   - an entry name that could point outside the package ("../x", "/x", "C:\x", backslashes,
//     NUL): a zip-slip attempt, even though nothing is ever written under an entry's own name;
//   - more than kMaxPackageEntries entries;
//   - an entry that claims to expand more than kMaxBombRatio times its compressed size (beyond
//     1 MiB), or whose declared sizes add up to more than kMaxPackageBytes: a zip bomb.
// Reading an entry stops at the caller's limit whatever the zip's header claims, and libzip checks
// each entry's CRC, so a lying header ends in an error, never in an unbounded allocation.
// A directory package is read the same way: names are checked, symbolic links are refused.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/error.hpp"

namespace lontar::interop {

inline constexpr std::size_t kMaxPackageEntries = 200000;
inline constexpr std::uint64_t kMaxPackageBytes = 16ull << 30;
inline constexpr std::uint64_t kMaxBombRatio = 200;

class Package;

// One entry of a package being read, piece by piece (Package::OpenEntry). Move-only.
class EntryReader {
 public:
  EntryReader(EntryReader&&) noexcept;
  EntryReader& operator=(EntryReader&&) noexcept;
  ~EntryReader();

  // Reads up to `size` bytes into `buf`; 0 at the end of the entry. Fails with kMalformed
  // "PACKAGE: ENTRY is larger than N bytes" once more than the limit has come (whatever the zip's
  // header said), kCorruption for bad zip data or CRC, or the errno of a directory package's file.
  // Reads disk.
  [[nodiscard]] Result<std::size_t> Read(char* buf, std::size_t size);

  struct Impl;  // opaque: the open zip entry or file, and what has been read

 private:
  friend class Package;
  explicit EntryReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class Package {
 public:
  // Opens `path`: a directory, or a zip file. Fails with kNotFound when it does not exist and
  // kMalformed naming the package and the entry for the faults above. Reads disk.
  [[nodiscard]] static Result<Package> Open(const std::filesystem::path& path);

  Package(Package&&) noexcept;
  Package& operator=(Package&&) noexcept;
  ~Package();

  // The package's name for messages ("bank.zip").
  const std::string& name() const;
  // Whether the package holds a regular file named `entry` ("items/q1.xml").
  bool Contains(std::string_view entry) const;
  // Every entry name, in the package's order (directories excluded), made on each call.
  std::vector<std::string> entries() const;
  // The entry's number (below entry_count()), or nullopt when the package has no such file:
  // what an importer keeps per entry instead of its name. Pure.
  std::optional<std::uint32_t> Find(std::string_view entry) const;
  // The name of entry number `n` (a number Find returned). Pure.
  std::string EntryName(std::uint32_t n) const;
  // One more than the largest entry number. Pure.
  std::uint32_t entry_count() const;

  // Reads a whole entry. Fails with kMalformed "ENTRY is larger than N bytes" past max_bytes, with
  // kNotFound when it is missing, with kCorruption when the zip's data or CRC is bad. Reads disk.
  [[nodiscard]] Result<std::string> Read(std::string_view entry, std::uint64_t max_bytes) const;

  // Opens an entry to be read in pieces, holding no more of it than the caller's buffer: for a
  // document too large to be held whole (a 10,000-item manifest). Fails as Read does when the
  // entry is missing or cannot be opened; EntryReader::Read enforces `max_bytes`. Reads disk.
  [[nodiscard]] Result<EntryReader> OpenEntry(std::string_view entry,
                                              std::uint64_t max_bytes) const;

  // Copies an entry to `dest` (created, never overwritten) in bounded memory, stopping with
  // kMalformed past max_bytes (the partial file is removed). Touches disk.
  [[nodiscard]] Status CopyTo(std::string_view entry, const std::filesystem::path& dest,
                              std::uint64_t max_bytes) const;

  struct Impl;  // opaque: the zip handle or the directory, and the entry index

 private:
  explicit Package(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Whether `name` is a safe relative entry name: non-empty, '/'-separated, no "." or ".."
// component, no leading '/', no backslash, ':' or NUL, at most 1024 bytes. Pure.
bool IsSafeEntryName(std::string_view name);

// Resolves `href`, written in the entry `base` ("items/q1.xml"), to an entry name: "../img/a.png"
// from "items/q1.xml" is "img/a.png". Fails (nullopt-like empty string) when the result would
// leave the package or `href` is absolute or a URL. Pure.
std::string ResolveHref(std::string_view base, std::string_view href);

}  // namespace lontar::interop
