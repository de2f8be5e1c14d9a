// `lontar pack build`: an authoring source into a signed, encrypted pack.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

#include "core/authoring/source.hpp"
#include "core/crypto/box.hpp"
#include "core/crypto/kdf.hpp"
#include "core/crypto/sign.hpp"
#include "core/pack/pack_format.hpp"
#include "core/terminal/enrollment.hpp"

namespace lontar::pack {

struct BuildOptions {
  const crypto::SigningKey* authority = nullptr;
  std::uint64_t version = 0;
  std::int64_t valid_from_ms = 0;
  std::int64_t valid_until_ms = 0;
  std::int64_t now_ms = 0;
  std::vector<terminal::Enrollment> targets;
  const crypto::SecretBytes* release_code = nullptr;
  // Optional: the proctor code, whose Argon2id hash goes into the encrypted payload; the signed
  // header records whether there is one (`lontar pack build` asks for it or --no-proctor-code).
  const crypto::SecretBytes* proctor_code = nullptr;
  crypto::BoxPublicKey results_key;
  crypto::Argon2Params kdf = crypto::Argon2Params::ReleaseCode();
  std::filesystem::path out;
  // Called as payload bytes are encrypted: (done, total).
  std::function<void(std::uint64_t, std::uint64_t)> progress;
};

// Builds the pack at options.out (refusing to overwrite; written to a temporary name, fsync'd,
// then linked into place). Memory stays bounded whatever the media size. Returns the header.
// Touches disk.
[[nodiscard]] Result<PackHeader> BuildPack(const authoring::Source& source,
                                           const BuildOptions& options);

}  // namespace lontar::pack
