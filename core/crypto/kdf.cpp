#include "core/crypto/kdf.hpp"

#include <sodium.h>

#include <charconv>

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

// libsodium declares its input pointers non-null even for empty input; an empty span or
// string_view may carry a null pointer.
const char* NonNull(const void* p) {
  static constexpr char kEmpty[1] = {0};
  return p != nullptr ? static_cast<const char*>(p) : kEmpty;
}

Status CheckPinParams(const Argon2Params& p) {
  if (p.memlimit > kMaxPinHashMemory || p.opslimit > kMaxPinHashOpslimit) {
    return std::unexpected(Error::InvalidArgument(
        "a PIN hash may use at most " + std::to_string(kMaxPinHashMemory >> 20) + " MiB and " +
        std::to_string(kMaxPinHashOpslimit) + " passes, so that terminals can check it"));
  }
  return Ok();
}

// Reads "<key>=<decimal>" at the front of `text` and advances past it.
bool ReadField(std::string_view& text, std::string_view key, std::uint64_t& value) {
  if (!text.starts_with(key) || text.size() <= key.size() || text[key.size()] != '=') return false;
  text.remove_prefix(key.size() + 1);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data()) return false;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  return true;
}

// The cost an encoded hash names, checked against the caps before libsodium runs it.
Status CheckEncodedCost(std::string_view encoded) {
  const auto malformed = [] {
    return std::unexpected(Error::Malformed(
        "not an Argon2id PIN hash (expected $argon2id$v=19$m=...,t=...,p=...$salt$hash)"));
  };
  std::string_view rest = encoded;
  if (!rest.starts_with("$argon2id$v=19$")) return malformed();
  rest.remove_prefix(std::string_view("$argon2id$v=19$").size());
  std::uint64_t m = 0, t = 0, p = 0;
  if (!ReadField(rest, "m", m) || !rest.starts_with(',')) return malformed();
  rest.remove_prefix(1);
  if (!ReadField(rest, "t", t) || !rest.starts_with(',')) return malformed();
  rest.remove_prefix(1);
  if (!ReadField(rest, "p", p) || !rest.starts_with('$')) return malformed();
  if (m > (kMaxPinHashMemory >> 10) || t > kMaxPinHashOpslimit) {
    return std::unexpected(Error::Malformed(
        "PIN hash asks for " + std::to_string(m >> 10) + " MiB and " + std::to_string(t) +
        " passes, more than a terminal allows (" + std::to_string(kMaxPinHashMemory >> 20) +
        " MiB, " + std::to_string(kMaxPinHashOpslimit) +
        " passes); hash the PIN again with `lontar pack hash-pin`"));
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
  if (crypto_pwhash(out.data(), out.size(), NonNull(secret.data()), secret.size(), salt.data(),
                    params.opslimit, params.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return std::unexpected(Error::Crypto("Argon2id ran out of memory (" +
                                         std::to_string(params.memlimit >> 20) + " MiB needed)"));
  }
  return out;
}

Result<std::string> HashPin(std::string_view pin, const Argon2Params& params) {
  EnsureSodium();
  LONTAR_TRY(CheckParams(params));
  LONTAR_TRY(CheckPinParams(params));
  char encoded[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(encoded, NonNull(pin.data()), pin.size(), params.opslimit,
                            params.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return std::unexpected(Error::Crypto("Argon2id ran out of memory while hashing a PIN"));
  }
  return std::string(encoded);
}

Result<bool> VerifyPin(std::string_view encoded, std::string_view pin) {
  EnsureSodium();
  if (encoded.size() >= crypto_pwhash_STRBYTES || !encoded.starts_with("$argon2id$") ||
      encoded.find('\0') != std::string_view::npos) {
    return std::unexpected(Error::Malformed("not an Argon2id PIN hash"));
  }
  LONTAR_TRY(CheckEncodedCost(encoded));
  const std::string hash(encoded);  // NUL-terminated for libsodium
  // libsodium returns -1 both for a wrong PIN and for a string it cannot parse; tell them apart
  // by asking whether the string's parameters parse.
  if (crypto_pwhash_str_needs_rehash(hash.c_str(), crypto_pwhash_OPSLIMIT_MIN,
                                     crypto_pwhash_MEMLIMIT_MIN) == -1) {
    return std::unexpected(Error::Malformed("not an Argon2id PIN hash"));
  }
  return crypto_pwhash_str_verify(hash.c_str(), NonNull(pin.data()), pin.size()) == 0;
}

}  // namespace lontar::crypto
