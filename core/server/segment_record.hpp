// What the segment files' reader, scanner and writer share (segment_log.hpp has the layout and
// the rules): reading a record's header and checking it whole, the index fields, file helpers.
// Internal to core/server's segment_*.cpp.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/server/segment_log.hpp"
#include "core/util/bytes.hpp"
#include "core/util/error.hpp"

namespace lontar::server::segment_detail {

inline constexpr std::uint8_t kMagicV1[4] = {'L', 'S', 'G', '1'};
inline constexpr std::uint8_t kMagicV2[4] = {'L', 'S', 'G', '2'};
inline constexpr std::uint8_t kMagicV3[4] = {'L', 'S', 'G', '3'};
// Version 2: the header bytes the checksum covers come before it.
inline constexpr std::size_t kChecksumAt = 44;
inline constexpr std::size_t kDigestAtV3 = 44;    // version 3: the bundle's digest
inline constexpr std::size_t kChecksumAtV3 = 76;  // version 3: the bytes it covers come before it
inline constexpr std::size_t kChunkBytes = 1 << 20;

void PutU32(std::uint8_t* p, std::uint32_t v);
std::uint32_t GetU32(const std::uint8_t* p);

// An open file descriptor, closed when it goes.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(Fd&& other) noexcept : fd(std::exchange(other.fd, -1)) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// A segment file opened for reading, with its size when opened.
struct ReadableSegment {
  Fd fd;
  std::uint64_t size = 0;
};

[[nodiscard]] Result<ReadableSegment> OpenSegmentToRead(const std::filesystem::path& path);
// Reads up to `size` bytes at `at`; fewer only at the end of the file.
[[nodiscard]] Result<std::size_t> PreadSome(int fd, std::uint8_t* data, std::size_t size,
                                            std::uint64_t at, const std::filesystem::path& path);
// Exactly `size` bytes at `at`; kCorruption (a record the index names cut short) otherwise.
[[nodiscard]] Status PreadAll(int fd, std::uint8_t* data, std::size_t size, std::uint64_t at,
                              const std::filesystem::path& path);
// Segment numbers present under `dir` ("NNNNNNNN.seg"), ascending.
[[nodiscard]] Result<std::vector<std::int64_t>> ListSegments(const std::filesystem::path& dir);
// "PATH at offset N", for messages.
std::string Where(const std::filesystem::path& path, std::uint64_t offset);

// A record's index fields, encoded; and decoded back into the record found at `at` (nullopt
// when they do not parse exactly).
Bytes EncodeIndexFields(const StoredBundle& r, const std::vector<StoredFlag>& flags);
std::optional<UnindexedRecord> DecodeIndexFields(ByteView in, const SegmentLocation& at,
                                                 const std::string& id_hex, std::uint64_t length);

struct RecordHeader {
  int version = 0;
  std::uint64_t header_bytes = 0, index_bytes = 0, length = 0;
  std::uint8_t raw[kSegmentRecordHeaderBytesV3] = {};  // as on disk (versions 1, 2: the first
                                                       // 40, 76)
  std::uint64_t record_bytes() const { return header_bytes + index_bytes + length; }
  ByteView id() const { return ByteView(raw + (version == 1 ? 8 : 12), 32); }
};

// The header at `at` of a segment `size` bytes long, if it parses and its record fits in the
// segment; nullopt otherwise (a torn or damaged record).
[[nodiscard]] Result<std::optional<RecordHeader>> ReadHeader(int fd, std::uint64_t at,
                                                             std::uint64_t size,
                                                             const std::filesystem::path& path);

// Reads a version 2 or 3 record's index fields and bundle (kept only if `bundle_out` is given)
// and checks the checksum (version 3: and the bundle's digest). nullopt if either does not
// match; the index fields otherwise.
[[nodiscard]] Result<std::optional<Bytes>> CheckRecord(int fd, std::uint64_t at,
                                                       const RecordHeader& h, Bytes* bundle_out,
                                                       const std::filesystem::path& path);

}  // namespace lontar::server::segment_detail
