// Encrypted streams (pack payloads) come off USB sticks: a damaged one must be rejected, never
// crash, and never yield plaintext that was not encrypted under the key.
#include <cstdint>
#include <cstdlib>

#include "core/crypto/stream.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace lontar;
  static auto key = [] {
    auto k = crypto::SecretBytes::Allocate(crypto::kStreamKeySize);
    for (std::size_t i = 0; i < k->size(); ++i) k->data()[i] = static_cast<std::uint8_t>(i);
    return std::move(*k);
  }();
  auto plain = crypto::DecryptBytes(key, ByteView(data, size));
  if (plain) {
    // Whatever decrypted must re-encrypt and decrypt to itself.
    auto again = crypto::EncryptBytes(key, *plain, 97);
    if (!again) std::abort();
    auto back = crypto::DecryptBytes(key, *again);
    if (!back || *back != *plain) std::abort();
  }
  return 0;
}
