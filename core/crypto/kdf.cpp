#include "core/crypto/kdf.hpp"

#include <sodium.h>

namespace lontar::crypto {

static_assert(crypto_pwhash_SALTBYTES == kKdfSaltSize);

Argon2Params Argon2Params::Interactive() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}
Argon2Params Argon2Params::ReleaseCode() { return {4, 32u << 20}; }
Argon2Params Argon2Params::Moderate() {
  return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
}

namespace {

Status CheckParams(const Argon2Params& p) {
  if (p.opslimit < crypto_pwhash_OPSLIMIT_MIN || p.opslimit > crypto_pwhash_OPSLIMIT_MAX ||
      p.memlimit < crypto_pwhash_MEMLIMIT_MIN || p.memlimit > crypto_pwhash_MEMLIMIT_MAX) {
    return std::unexpected(Error::InvalidArgument("Argon2id parameters out of range (ops " +
                                                  std::to_string(p.opslimit) + ", mem " +
                                                  std::to_string(p.memlimit) + ")"));
  }
  return Ok();
}

}  // namespace

Result<SecretBytes> DeriveKey(ByteView secret, ByteView salt, const Argon2Params& params,
                              std::size_t out_len) {
  EnsureSodium();
  if (salt.size() != kKdfSaltSize) {
    return std::unexpected(Error::InvalidArgument("Argon2id salt must be 16 bytes"));
  }
  if (out_len < 16 || out_len > 64) {
    return std::unexpected(Error::InvalidArgument("derived key length must be 16..64 bytes"));
  }
  LONTAR_TRY(CheckParams(params));
  LONTAR_ASSIGN_OR_RETURN(SecretBytes out, SecretBytes::Allocate(out_len));
  if (crypto_pwhash(out.data(), out.size(), reinterpret_cast<const char*>(secret.data()),
                    secret.size(), salt.data(), params.opslimit, params.memlimit,
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return std::unexpected(Error::Crypto("Argon2id ran out of memory (" +
                                         std::to_string(params.memlimit >> 20) + " MiB needed)"));
  }
  return out;
}

Result<std::string> HashPin(std::string_view pin, const Argon2Params& params) {
  EnsureSodium();
  LONTAR_TRY(CheckParams(params));
  char encoded[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(encoded, pin.data(), pin.size(), params.opslimit, params.memlimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return std::unexpected(Error::Crypto("Argon2id ran out of memory while hashing a PIN"));
  }
  return std::string(encoded);
}

Result<bool> VerifyPin(std::string_view encoded, std::string_view pin) {
  EnsureSodium();
  if (encoded.size() >= crypto_pwhash_STRBYTES || !encoded.starts_with("$argon2id$")) {
    return std::unexpected(Error::Malformed("not an Argon2id PIN hash"));
  }
  const std::string hash(encoded);  // NUL-terminated for libsodium
  // libsodium returns -1 both for a wrong PIN and for a string it cannot parse; tell them apart
  // by asking whether the string's parameters parse.
  if (crypto_pwhash_str_needs_rehash(hash.c_str(), crypto_pwhash_OPSLIMIT_MIN,
                                     crypto_pwhash_MEMLIMIT_MIN) == -1) {
    return std::unexpected(Error::Malformed("not an Argon2id PIN hash"));
  }
  return crypto_pwhash_str_verify(hash.c_str(), pin.data(), pin.size()) == 0;
}

}  // namespace lontar::crypto
