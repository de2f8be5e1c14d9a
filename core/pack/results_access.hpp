// The exam authority reading its own pack with the results key, to re-score what terminals sent
// (`lontar results open --pack`). See "Results slot" in pack_format.hpp.
//
// Order of checks, each before the next step reads further: the envelope's signature by a
// trusted authority key, then the header, then that the pack names this results key, then the
// payload hash over the whole file, then the slot, then the decrypted exam.
#pragma once

#include <filesystem>
#include <vector>

#include "core/crypto/box.hpp"
#include "core/crypto/sign.hpp"
#include "core/model/exam.hpp"
#include "core/pack/pack_format.hpp"
#include "core/util/error.hpp"

namespace lontar::pack {

struct AuthorityView {
  PackHeader header;
  crypto::KeyId signer;
  model::Exam exam;  // with its roster
};

// Opens `file` with `results_key`. Errors: kUntrusted / kBadSignature (not signed by a key in
// `trusted`), kMalformed (not a pack, damaged header or archive), kCorruption (payload hash),
// kWrongKey (the pack sends its results to another key; names both ids), kInvalidArgument (a pack
// built before results slots existed: use the exam source instead). Reads disk.
[[nodiscard]] Result<AuthorityView> OpenPackForResults(
    const std::filesystem::path& file, const std::vector<crypto::VerifyKey>& trusted,
    const crypto::BoxSecretKey& results_key);

}  // namespace lontar::pack
