// Secret byte buffers in libsodium's guarded memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/util/bytes.hpp"
#include "core/util/error.hpp"

namespace lontar::crypto {

// Initialises libsodium once per process; every crypto entry point calls it. Aborts only if
// libsodium itself cannot start (no usable randomness), which no caller could recover from.
void EnsureSodium();

// A fixed-size secret in sodium_malloc'd memory: guard pages around it, mlock'ed where the
// system allows, wiped and freed on destruction. Move-only; never copied, never logged.
class SecretBytes {
 public:
  // Allocates `size` zeroed bytes. Fails with kCrypto when secure memory is exhausted (mlock
  // limits), which the caller reports rather than falling back to ordinary memory.
  [[nodiscard]] static Result<SecretBytes> Allocate(std::size_t size);
  // Allocates and copies `data` in. The caller wipes its own copy.
  [[nodiscard]] static Result<SecretBytes> CopyOf(ByteView data);

  SecretBytes() = default;
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes();

  std::uint8_t* data() { return data_; }
  const std::uint8_t* data() const { return data_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  ByteView view() const { return {data_, size_}; }
  std::span<std::uint8_t> span() { return {data_, size_}; }

 private:
  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

// Wipes ordinary memory that briefly held a secret (sodium_memzero, not optimised away).
void Wipe(std::span<std::uint8_t> buffer);

// Constant-time comparison of equal-length buffers (sodium_memcmp); false if lengths differ.
bool ConstantTimeEqual(ByteView a, ByteView b);

}  // namespace lontar::crypto
