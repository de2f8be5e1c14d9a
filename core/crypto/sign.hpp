// Ed25519 signatures and key ids.
//
// A key id is the short name every Lontar message uses for a public key: the first 8 bytes of
// BLAKE2b-256("lontar-keyid-v1" || algorithm || public key). It is printed as 16 upper-case hex
// digits in the same byte order minisign prints its key ids, so the id an operator sees in
// `lontar` output is the id `minisign -V` shows for the same key.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/crypto/secret.hpp"
#include "core/util/bytes.hpp"
#include "core/util/error.hpp"

namespace lontar::crypto {

inline constexpr std::size_t kSignPublicKeySize = 32;
inline constexpr std::size_t kSignSecretKeySize = 64;  // libsodium layout: seed || public key
inline constexpr std::size_t kSignSeedSize = 32;
inline constexpr std::size_t kSignatureSize = 64;

using Signature = std::array<std::uint8_t, kSignatureSize>;

struct KeyId {
  std::array<std::uint8_t, 8> bytes{};

  // Derives the id of a public key of the two-letter `algorithm` ("Ed" or "X2").
  static KeyId Derive(std::string_view algorithm, ByteView public_key);
  // Parses 16 hex digits as printed by ToString().
  [[nodiscard]] static Result<KeyId> Parse(std::string_view text);
  std::string ToString() const;
  auto operator<=>(const KeyId&) const = default;
};

class VerifyKey {
 public:
  // Rejects keys of the wrong length and small-order / non-canonical points.
  [[nodiscard]] static Result<VerifyKey> FromBytes(ByteView bytes);

  const std::array<std::uint8_t, kSignPublicKeySize>& bytes() const { return bytes_; }
  ByteView view() const { return bytes_; }
  KeyId id() const { return KeyId::Derive("Ed", bytes_); }

  // kBadSignature unless `signature` is a valid Ed25519 signature of `message` by this key.
  [[nodiscard]] Status Verify(ByteView message, ByteView signature) const;

  bool operator==(const VerifyKey&) const = default;

 private:
  std::array<std::uint8_t, kSignPublicKeySize> bytes_{};
};

class SigningKey {
 public:
  [[nodiscard]] static Result<SigningKey> Generate();
  // Deterministic from a 32-byte seed (RFC 8032 test vectors; derived keys).
  [[nodiscard]] static Result<SigningKey> FromSeed(ByteView seed);
  // From libsodium's 64-byte secret key; fails with kCorruption if its embedded public half does
  // not match the seed (a damaged key file).
  [[nodiscard]] static Result<SigningKey> FromSecretKey(ByteView secret_key);

  const VerifyKey& public_key() const { return public_key_; }
  KeyId id() const { return public_key_.id(); }
  Signature Sign(ByteView message) const;
  // The 64-byte secret key, for storing in the vault or a key file. Stays in secure memory.
  ByteView secret_view() const { return secret_.view(); }

 private:
  SecretBytes secret_;
  VerifyKey public_key_;
};

}  // namespace lontar::crypto
