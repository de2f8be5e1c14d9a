// Argon2id: keys from codes people type (release codes), and PIN hashes for rosters.
//
// PIN hash strings are libsodium's / the reference implementation's encoding:
//   "$argon2id$v=19$m=<memory KiB>,t=<passes>,p=1$<base64 salt>$<base64 hash>"
// Verifying one runs Argon2id with the cost the string itself names, so VerifyPin refuses costs
// above kMaxPinHashMemory / kMaxPinHashOpslimit before running anything: a damaged or hostile
// roster must not be able to make a terminal allocate gigabytes per login attempt.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/crypto/secret.hpp"
#include "core/util/bytes.hpp"
#include "core/util/error.hpp"

namespace lontar::crypto {

inline constexpr std::size_t kKdfSaltSize = 16;  // crypto_pwhash_SALTBYTES
// The most a PIN hash may ask for: the Moderate preset's memory, and a few more passes than any
// preset here uses.
inline constexpr std::size_t kMaxPinHashMemory = 256u << 20;
inline constexpr std::uint64_t kMaxPinHashOpslimit = 10;

struct Argon2Params {
  std::uint64_t opslimit;
  std::size_t memlimit;  // bytes

  // libsodium's presets. Interactive: 2 passes over 64 MiB, about 0.3 s on the appliance's
  // hardware (PINs). Moderate: 3 passes over 256 MiB, several times slower (release codes
  // built for sites that accept the wait).
  static Argon2Params Interactive();
  static Argon2Params Moderate();
  // Release codes: 32 MiB and 4 passes, about the time of Interactive with half its memory, so
  // that building or releasing a pack stays under 64 MiB of RSS. The code is only half of what
  // opens a pack (the terminal's own key is the other half), so this is not its only guard.
  static Argon2Params ReleaseCode();
};

// Derives `out_len` bytes (16..64) from `secret` and a 16-byte salt with Argon2id. kInvalidArgument
// for a bad salt or parameters outside libsodium's limits; kCrypto if memory cannot be had. Pure.
[[nodiscard]] Result<SecretBytes> DeriveKey(ByteView secret, ByteView salt,
                                            const Argon2Params& params, std::size_t out_len = 32);

// An encoded Argon2id hash string of `pin` with a fresh random salt (format above).
// kInvalidArgument for parameters outside libsodium's limits or above the PIN caps; kCrypto if
// memory cannot be had. Pure.
[[nodiscard]] Result<std::string> HashPin(std::string_view pin, const Argon2Params& params);

// Whether `pin` matches `encoded` (compared in constant time by libsodium). kMalformed when
// `encoded` is not an Argon2id hash string (a damaged roster), so a typo in a roster never reads
// as a wrong PIN; kMalformed too when it names a cost above the PIN caps. Pure.
[[nodiscard]] Result<bool> VerifyPin(std::string_view encoded, std::string_view pin);

}  // namespace lontar::crypto
