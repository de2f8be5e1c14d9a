#include "core/crypto/sign.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>

#include "core/crypto/hash.hpp"

namespace lontar::crypto {

KeyId KeyId::Derive(std::string_view algorithm, ByteView public_key) {
  Blake2bHasher h(32);
  h.Update(AsBytes("lontar-keyid-v1")).Update(AsBytes(algorithm)).Update(public_key);
  Bytes digest = h.Finish();
  KeyId id;
  std::copy_n(digest.begin(), id.bytes.size(), id.bytes.begin());
  return id;
}

std::string KeyId::ToString() const {
  // minisign stores the id as raw bytes and prints them as a little-endian integer.
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (int i = 7; i >= 0; --i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 0xf]);
  }
  return out;
}

Result<KeyId> KeyId::Parse(std::string_view text) {
  if (text.size() != 16) return std::unexpected(Error::Malformed("a key id is 16 hex digits"));
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  LONTAR_ASSIGN_OR_RETURN(Bytes raw, HexDecode(lower));
  KeyId id;
  for (int i = 0; i < 8; ++i) id.bytes[i] = raw[7 - i];
  return id;
}

Result<VerifyKey> VerifyKey::FromBytes(ByteView bytes) {
  EnsureSodium();
  if (bytes.size() != kSignPublicKeySize) {
    return std::unexpected(
        Error::Malformed("an Ed25519 public key is 32 bytes, got " + std::to_string(bytes.size())));
  }
  // Ed25519 public keys must be canonical points of large order; libsodium's verify rejects
  // the rest, and so do we, at the door.
  if (crypto_core_ed25519_is_valid_point(bytes.data()) != 1) {
    return std::unexpected(Error::Malformed("not a valid Ed25519 public key"));
  }
  VerifyKey key;
  std::copy(bytes.begin(), bytes.end(), key.bytes_.begin());
  return key;
}

Status VerifyKey::Verify(ByteView message, ByteView signature) const {
  if (signature.size() != kSignatureSize) {
    return std::unexpected(Error::BadSignature("signature is " + std::to_string(signature.size()) +
                                               " bytes; Ed25519 signatures are 64"));
  }
  if (crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                  bytes_.data()) != 0) {
    return std::unexpected(
        Error::BadSignature("signature does not verify with key " + id().ToString()));
  }
  return Ok();
}

Result<SigningKey> SigningKey::Generate() {
  EnsureSodium();
  LONTAR_ASSIGN_OR_RETURN(SecretBytes seed, SecretBytes::Allocate(kSignSeedSize));
  randombytes_buf(seed.data(), seed.size());
  return FromSeed(seed.view());
}

Result<SigningKey> SigningKey::FromSeed(ByteView seed) {
  EnsureSodium();
  if (seed.size() != kSignSeedSize) {
    return std::unexpected(Error::InvalidArgument("an Ed25519 seed is 32 bytes"));
  }
  SigningKey key;
  LONTAR_ASSIGN_OR_RETURN(key.secret_, SecretBytes::Allocate(kSignSecretKeySize));
  std::array<std::uint8_t, kSignPublicKeySize> pk{};
  crypto_sign_seed_keypair(pk.data(), key.secret_.data(), seed.data());
  LONTAR_ASSIGN_OR_RETURN(key.public_key_, VerifyKey::FromBytes(pk));
  return key;
}

Result<SigningKey> SigningKey::FromSecretKey(ByteView secret_key) {
  if (secret_key.size() != kSignSecretKeySize) {
    return std::unexpected(Error::Malformed("an Ed25519 secret key is 64 bytes, got " +
                                            std::to_string(secret_key.size())));
  }
  LONTAR_ASSIGN_OR_RETURN(SigningKey key, FromSeed(secret_key.first(kSignSeedSize)));
  if (!ConstantTimeEqual(key.public_key_.view(), secret_key.subspan(kSignSeedSize))) {
    return std::unexpected(
        Error::Corruption("secret key is damaged: its public half does not match its seed"));
  }
  return key;
}

Signature SigningKey::Sign(ByteView message) const {
  Signature sig{};
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), secret_.data());
  return sig;
}

}  // namespace lontar::crypto
