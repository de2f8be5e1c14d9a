#include "core/crypto/box.hpp"

#include <sodium.h>

#include <algorithm>

namespace lontar::crypto {

static_assert(crypto_box_SEALBYTES == kSealOverhead);
static_assert(crypto_box_PUBLICKEYBYTES == kBoxPublicKeySize);
static_assert(crypto_box_SECRETKEYBYTES == kBoxSecretKeySize);

Result<BoxPublicKey> BoxPublicKey::FromBytes(ByteView bytes) {
  if (bytes.size() != kBoxPublicKeySize) {
    return std::unexpected(
        Error::Malformed("an X25519 public key is 32 bytes, got " + std::to_string(bytes.size())));
  }
  // A low-order point (the all-zero key among them) makes every shared secret predictable, so
  // anything sealed to it would be readable by anyone. X25519 with any scalar yields all zeros
  // exactly for those points, which libsodium reports as a failure.
  EnsureSodium();
  std::array<std::uint8_t, crypto_scalarmult_SCALARBYTES> probe{};
  probe[0] = 9;
  std::array<std::uint8_t, crypto_scalarmult_BYTES> out{};
  if (crypto_scalarmult(out.data(), probe.data(), bytes.data()) != 0) {
    return std::unexpected(
        Error::Malformed("not a usable X25519 public key (a low-order point: anything sealed to "
                         "it could be read by anyone)"));
  }
  BoxPublicKey key;
  std::copy(bytes.begin(), bytes.end(), key.bytes_.begin());
  return key;
}

Result<BoxSecretKey> BoxSecretKey::Generate() {
  EnsureSodium();
  LONTAR_ASSIGN_OR_RETURN(SecretBytes secret, SecretBytes::Allocate(kBoxSecretKeySize));
  randombytes_buf(secret.data(), secret.size());
  return FromBytes(secret.view());
}

Result<BoxSecretKey> BoxSecretKey::FromBytes(ByteView secret) {
  EnsureSodium();
  if (secret.size() != kBoxSecretKeySize) {
    return std::unexpected(
        Error::Malformed("an X25519 secret key is 32 bytes, got " + std::to_string(secret.size())));
  }
  BoxSecretKey key;
  LONTAR_ASSIGN_OR_RETURN(key.secret_, SecretBytes::CopyOf(secret));
  std::array<std::uint8_t, kBoxPublicKeySize> pk{};
  crypto_scalarmult_base(pk.data(), key.secret_.data());
  LONTAR_ASSIGN_OR_RETURN(key.public_key_, BoxPublicKey::FromBytes(pk));
  return key;
}

Bytes Seal(const BoxPublicKey& recipient, ByteView plaintext) {
  EnsureSodium();
  Bytes out(plaintext.size() + kSealOverhead);
  crypto_box_seal(out.data(), plaintext.data(), plaintext.size(), recipient.view().data());
  return out;
}

Result<SecretBytes> OpenSealed(const BoxSecretKey& key, ByteView sealed) {
  if (sealed.size() < kSealOverhead) {
    return std::unexpected(Error::Malformed("sealed box of " + std::to_string(sealed.size()) +
                                            " bytes is shorter than its 48-byte overhead"));
  }
  LONTAR_ASSIGN_OR_RETURN(SecretBytes out, SecretBytes::Allocate(sealed.size() - kSealOverhead));
  if (crypto_box_seal_open(out.data(), sealed.data(), sealed.size(), key.public_key().view().data(),
                           key.secret_view().data()) != 0) {
    return std::unexpected(Error::Crypto("sealed box cannot be opened with key " +
                                         key.public_key().id().ToString() +
                                         ": it was sealed to another key or was altered"));
  }
  return out;
}

}  // namespace lontar::crypto
