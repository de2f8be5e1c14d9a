#include "core/crypto/secret.hpp"

#include <sodium.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

namespace lontar::crypto {

void EnsureSodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) std::abort();  // no entropy source: nothing safe can run
  });
}

Result<SecretBytes> SecretBytes::Allocate(std::size_t size) {
  EnsureSodium();
  SecretBytes s;
  if (size == 0) return s;
  void* p = sodium_malloc(size);
  if (p == nullptr) {
    return std::unexpected(Error::Crypto("cannot allocate " + std::to_string(size) +
                                         " bytes of secure memory (check the mlock limit)"));
  }
  sodium_memzero(p, size);
  s.data_ = static_cast<std::uint8_t*>(p);
  s.size_ = size;
  return s;
}

Result<SecretBytes> SecretBytes::CopyOf(ByteView data) {
  LONTAR_ASSIGN_OR_RETURN(SecretBytes s, Allocate(data.size()));
  if (!data.empty()) std::memcpy(s.data(), data.data(), data.size());
  return s;
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept : data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) sodium_free(data_);  // sodium_free wipes before freeing
    data_ = other.data_;
    size_ = other.size_;
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

SecretBytes::~SecretBytes() {
  if (data_ != nullptr) sodium_free(data_);
}

void Wipe(std::span<std::uint8_t> buffer) {
  if (!buffer.empty()) sodium_memzero(buffer.data(), buffer.size());
}

bool ConstantTimeEqual(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace lontar::crypto
