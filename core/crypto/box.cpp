#include "core/crypto/box.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstdlib>

namespace lontar::crypto {

static_assert(crypto_box_SEALBYTES == kSealOverhead);
static_assert(crypto_box_PUBLICKEYBYTES == kBoxPublicKeySize);
static_assert(crypto_box_SECRETKEYBYTES == kBoxSecretKeySize);
static_assert(crypto_scalarmult_BYTES == kBoxPublicKeySize);

Result<BoxPublicKey> BoxPublicKey::FromBytes(ByteView bytes) {
  EnsureSodium();
  if (bytes.size() != kBoxPublicKeySize) {
    return std::unexpected(
        Error::Malformed("an X25519 public key is 32 bytes, got " + std::to_string(bytes.size())));
  }
  // Every clamped scalar is a multiple of the cofactor 8, so multiplying a low-order point by
  // any of them gives the identity, which crypto_scalarmult reports by returning -1. The scalar
  // here is public and arbitrary; only the point is being tested.
  std::array<std::uint8_t, crypto_scalarmult_SCALARBYTES> probe{};
  probe.fill(0x5a);
  std::array<std::uint8_t, crypto_scalarmult_BYTES> product{};
  if (crypto_scalarmult(product.data(), probe.data(), bytes.data()) != 0) {
    return std::unexpected(Error::Malformed(
        "not a usable X25519 public key (a low-order point that would let anyone read what is "
        "sealed to it)"));
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
  if (crypto_box_seal(out.data(), plaintext.data(), plaintext.size(), recipient.view().data()) !=
      0) {
    // Only a low-order recipient key makes crypto_box_seal fail, and BoxPublicKey::FromBytes
    // refuses those: reaching this is a bug, and returning a box nobody can open would lose data.
    std::abort();
  }
  return out;
}

Result<SecretBytes> OpenSealed(const BoxSecretKey& key, ByteView sealed) {
  if (sealed.size() < kSealOverhead) {
    return std::unexpected(Error::Malformed("sealed box of " + std::to_string(sealed.size()) +
                                            " bytes is shorter than its 48-byte overhead "
                                            "(cut short in transit?)"));
  }
  LONTAR_ASSIGN_OR_RETURN(SecretBytes out, SecretBytes::Allocate(sealed.size() - kSealOverhead));
  if (crypto_box_seal_open(out.data(), sealed.data(), sealed.size(), key.public_key().view().data(),
                           key.secret_view().data()) != 0) {
    // `out` is wiped when it goes out of scope.
    return std::unexpected(Error::WrongKey("sealed box cannot be opened with key " +
                                           key.id().ToString() +
                                           ": not addressed to it, or damaged"));
  }
  return out;
}

}  // namespace lontar::crypto
