// Argon2id: keys from codes people type (release codes), and PIN hashes for rosters.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/crypto/secret.hpp"
#include "core/util/bytes.hpp"
#include "core/util/error.hpp"

namespace lontar::crypto {

inline constexpr std::size_t kKdfSaltSize = 16;  // crypto_pwhash_SALTBYTES

struct Argon2Params {
  std::uint64_t opslimit;
  std::size_t memlimit;  // bytes

  // libsodium's presets. Interactive: about 0.3 s and 64 MiB on the appliance's hardware.
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

// An encoded Argon2id hash string ("$argon2id$v=19$m=...,t=...,p=1$salt$hash") of `pin`. Pure.
[[nodiscard]] Result<std::string> HashPin(std::string_view pin, const Argon2Params& params);

// Whether `pin` matches `encoded`. kMalformed when `encoded` is not an Argon2id hash string (a
// damaged roster), so a typo in a roster never reads as a wrong PIN. Pure.
[[nodiscard]] Result<bool> VerifyPin(std::string_view encoded, std::string_view pin);

}  // namespace lontar::crypto
