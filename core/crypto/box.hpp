// X25519 sealed boxes (crypto_box_seal): anonymous public-key encryption. Used to wrap pack
// content keys to a terminal and to seal result bundles to the results key.
//
// Sealed box layout (libsodium's, written by Seal):
//   ephemeral X25519 public key (32) | XSalsa20-Poly1305 ciphertext of the message | tag (16)
// so a box is always exactly kSealOverhead (48) bytes longer than its message. The sender keeps
// no secret: not even the sender can open a box after sealing it. A truncated or altered box,
// or one sealed to another key, fails to open; the three cases cannot be told apart.
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
  // kMalformed unless exactly 32 bytes encoding a point of large order: low-order points (the
  // all-zero key among them) would make every box sealed to them readable by anyone, so they
  // are refused at the door rather than when sealing. Pure.
  [[nodiscard]] static Result<BoxPublicKey> FromBytes(ByteView bytes);

  ByteView view() const { return bytes_; }
  // The key id operators see ("X2" keys), e.g. in results.pub and pack headers.
  KeyId id() const { return KeyId::Derive("X2", bytes_); }
  bool operator==(const BoxPublicKey&) const = default;

 private:
  std::array<std::uint8_t, kBoxPublicKeySize> bytes_{};
};

// An X25519 secret key in secure memory, with its public key. Move-only.
class BoxSecretKey {
 public:
  // A fresh random key. kCrypto only when secure memory is exhausted. Pure.
  [[nodiscard]] static Result<BoxSecretKey> Generate();
  // From the 32-byte secret scalar; the public key is recomputed from it, never trusted from a
  // file. kMalformed for another length. Pure.
  [[nodiscard]] static Result<BoxSecretKey> FromBytes(ByteView secret);

  const BoxPublicKey& public_key() const { return public_key_; }
  KeyId id() const { return public_key_.id(); }
  // The 32 secret bytes, for writing a key file or the vault. Stays in secure memory.
  ByteView secret_view() const { return secret_.view(); }

 private:
  SecretBytes secret_;
  BoxPublicKey public_key_;
};

// Encrypts `plaintext` so that only the holder of `recipient`'s secret key can read it; the
// result is plaintext.size() + kSealOverhead bytes. Cannot fail for a key FromBytes accepted.
// Pure (apart from randomness).
Bytes Seal(const BoxPublicKey& recipient, ByteView plaintext);

// Opens a sealed box into secure memory. Rejects input shorter than the overhead first
// (kMalformed, before any crypto runs); kWrongKey when the box was not sealed to `key` or was
// damaged ("sealed box cannot be opened with key X: ..."). No plaintext escapes on failure. Pure.
[[nodiscard]] Result<SecretBytes> OpenSealed(const BoxSecretKey& key, ByteView sealed);

}  // namespace lontar::crypto
