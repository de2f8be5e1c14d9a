// BLAKE2b hashing and random identifiers.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "core/util/bytes.hpp"

namespace lontar::crypto {

using Hash256 = std::array<std::uint8_t, 32>;

// BLAKE2b with a 32-byte output, unkeyed.
Hash256 Blake2b256(ByteView data);

// Incremental BLAKE2b for data that arrives in pieces (records, files). Output size 16..64 bytes.
class Blake2bHasher {
 public:
  explicit Blake2bHasher(std::size_t out_len = 32, ByteView key = {});
  Blake2bHasher& Update(ByteView data);
  Bytes Finish();

 private:
  alignas(64) std::uint8_t state_[384];  // crypto_generichash_state, kept opaque here
  std::size_t out_len_;
};

// Cryptographically random bytes (randombytes_buf).
Bytes RandomBytes(std::size_t n);

// A random 128-bit identifier as 32 lower-case hex characters.
std::string RandomId();

}  // namespace lontar::crypto
