// X25519 sealed boxes (crypto_box_seal): anonymous public-key encryption. Used to wrap pack
// content keys to a terminal and to seal result bundles to the results key.
//
// Sealed box layout (libsodium's): ephemeral X25519 public key (32) | XSalsa20-Poly1305
// ciphertext of the message with its 16-byte tag. A truncated or altered box fails to open.
#pragma once

#include <array>
#include <cstdint>

#include "core/crypto/secret.hpp"
#include "core/crypto/sign.hpp"
#include "core/util/bytes.hpp"
#include "core/util/error.hpp"

namespace lontar::crypto {

inline constexpr std::size_t kBoxPublicKeySize = 32;
inline constexpr std::size_t kBoxSecretKeySize = 32;
inline constexpr std::size_t kSealOverhead = 48;  // crypto_box_SEALBYTES

class BoxPublicKey {
 public:
  // kMalformed unless exactly 32 bytes of a point of large order (low-order points would make
  // every box sealed to them readable by anyone).
  [[nodiscard]] static Result<BoxPublicKey> FromBytes(ByteView bytes);
  ByteView view() const { return bytes_; }
  KeyId id() const { return KeyId::Derive("X2", bytes_); }
  bool operator==(const BoxPublicKey&) const = default;

 private:
  std::array<std::uint8_t, kBoxPublicKeySize> bytes_{};
};

class BoxSecretKey {
 public:
  [[nodiscard]] static Result<BoxSecretKey> Generate();
  // From the 32-byte secret scalar; the public key is recomputed from it.
  [[nodiscard]] static Result<BoxSecretKey> FromBytes(ByteView secret);

  const BoxPublicKey& public_key() const { return public_key_; }
  ByteView secret_view() const { return secret_.view(); }

 private:
  SecretBytes secret_;
  BoxPublicKey public_key_;
};

// Encrypts `plaintext` so that only the holder of `recipient`'s secret key can read it. Pure
// (apart from randomness).
Bytes Seal(const BoxPublicKey& recipient, ByteView plaintext);

// Opens a sealed box into secure memory. kMalformed when shorter than the overhead, kCrypto when
// it was not sealed to this key or was altered. Pure.
[[nodiscard]] Result<SecretBytes> OpenSealed(const BoxSecretKey& key, ByteView sealed);

}  // namespace lontar::crypto
