#include "core/crypto/hash.hpp"

#include <sodium.h>

#include "core/crypto/secret.hpp"

namespace lontar::crypto {

static_assert(sizeof(crypto_generichash_state) <= 384, "Blake2bHasher::state_ too small");

Hash256 Blake2b256(ByteView data) {
  EnsureSodium();
  Hash256 out{};
  crypto_generichash(out.data(), out.size(), data.data(), data.size(), nullptr, 0);
  return out;
}

Blake2bHasher::Blake2bHasher(std::size_t out_len, ByteView key) : out_len_(out_len) {
  EnsureSodium();
  crypto_generichash_init(reinterpret_cast<crypto_generichash_state*>(state_),
                          key.empty() ? nullptr : key.data(), key.size(), out_len);
}

Blake2bHasher& Blake2bHasher::Update(ByteView data) {
  crypto_generichash_update(reinterpret_cast<crypto_generichash_state*>(state_), data.data(),
                            data.size());
  return *this;
}

Bytes Blake2bHasher::Finish() {
  Bytes out(out_len_);
  crypto_generichash_final(reinterpret_cast<crypto_generichash_state*>(state_), out.data(),
                           out.size());
  return out;
}

Bytes RandomBytes(std::size_t n) {
  EnsureSodium();
  Bytes out(n);
  if (n > 0) randombytes_buf(out.data(), n);
  return out;
}

std::string RandomId() { return HexEncode(RandomBytes(16)); }

}  // namespace lontar::crypto
