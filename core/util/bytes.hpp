// Byte buffers and their text encodings.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/error.hpp"

namespace lontar {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView AsBytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view AsChars(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
inline Bytes ToBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

// Lower-case hex. HexDecode rejects odd lengths and non-hex characters.
std::string HexEncode(ByteView data);
[[nodiscard]] Result<Bytes> HexDecode(std::string_view hex);

// Standard base64 with padding (RFC 4648 section 4), the encoding minisign uses.
std::string Base64Encode(ByteView data);
[[nodiscard]] Result<Bytes> Base64Decode(std::string_view text);

// Little-endian fixed-width integers, the byte order of every Lontar binary format.
void AppendU16(Bytes& out, std::uint16_t v);
void AppendU32(Bytes& out, std::uint32_t v);
void AppendU64(Bytes& out, std::uint64_t v);
std::uint32_t LoadU32(ByteView in);  // requires in.size() >= 4
std::uint64_t LoadU64(ByteView in);  // requires in.size() >= 8
void Append(Bytes& out, ByteView data);

}  // namespace lontar
