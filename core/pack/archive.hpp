// The plaintext inside a pack's encrypted payload: a flat archive of named entries, written and
// read as a stream so that a pack of any size needs bounded memory.
//
// Layout (integers little-endian):
//   magic "LNTRARC1" (8)
//   entries: name length u16 (1..255) | name (UTF-8) | size u64 | bytes
//   end:     name length u16 = 0
// Entries: "exam.json" (core/model/exam.hpp), "roster.json", then "media/..." files. A reader
// that reaches the end of the stream before the end marker has a truncated archive; the
// secretstream around it reports that first.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/crypto/stream.hpp"
#include "core/util/bytes.hpp"

namespace lontar::pack {

struct ArchiveEntry {
  std::string name;
  Bytes data;                  // in memory, or
  std::filesystem::path file;  // read from disk while streaming
  std::uint64_t size = 0;      // of data or file
};

// A ReadFn (see stream.hpp) that yields the archive of `entries`. `progress` (optional) is called
// with the bytes yielded so far.
crypto::ReadFn ArchiveReader(std::vector<ArchiveEntry> entries,
                             std::function<void(std::uint64_t)> progress = {});

// Parses an archive fed in arbitrary chunks (the secretstream's plaintext). For each entry,
// `on_entry(name, size)` says whether to keep its bytes; kept entries arrive whole through
// `on_data` once complete. Entries of more than `max_kept` bytes are never kept.
class ArchiveParser {
 public:
  using OnEntry = std::function<bool(const std::string& name, std::uint64_t size)>;
  using OnData = std::function<void(const std::string& name, Bytes data)>;
  ArchiveParser(OnEntry on_entry, OnData on_data, std::uint64_t max_kept = 64ull << 20);

  [[nodiscard]] Status Feed(ByteView chunk);
  // kMalformed unless the end marker was seen and nothing followed it.
  [[nodiscard]] Status Finish() const;

 private:
  enum class State { kMagic, kNameLength, kName, kSize, kData, kDone };
  OnEntry on_entry_;
  OnData on_data_;
  std::uint64_t max_kept_;
  State state_ = State::kMagic;
  Bytes pending_;  // bytes of the current fixed-size field
  std::string name_;
  std::uint64_t remaining_ = 0;
  bool keep_ = false;
  Bytes kept_;
};

}  // namespace lontar::pack
