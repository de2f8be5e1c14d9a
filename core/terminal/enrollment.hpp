// The enrollment record: a terminal's public identity, self-signed, which the exam authority
// uses to target packs to that terminal (`lontar pack build --for T.enroll`).
//
// File: a SignedEnvelope (core/format/signed_envelope.hpp) with format "lontar-enrollment",
// version 1, signed by the terminal's own Ed25519 key. Body (JSON object):
//   terminal_id      "T-" + key id of signing_key
//   site, name       as given at `lontar terminal init`
//   signing_key      base64 Ed25519 public key (equals the envelope's signer)
//   box_key          base64 X25519 public key; pack content keys are sealed to it
//   box_key_id       its key id
//   created_wall_ms  when the record was written (informational)
// The self-signature proves the record was made by the holder of the terminal's key and was
// not altered; whether to target that terminal is the authority's decision.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/crypto/box.hpp"
#include "core/crypto/sign.hpp"
#include "core/util/error.hpp"

namespace lontar::terminal {

inline constexpr std::size_t kMaxEnrollmentBytes = 16 * 1024;

struct Enrollment {
  std::string terminal_id;
  std::string site;
  std::string name;
  crypto::VerifyKey signing_key;
  crypto::BoxPublicKey box_key;
  std::int64_t created_wall_ms = 0;
};

class Terminal;

// The record for `terminal`, signed with its key. Pure apart from reading the clock value given.
std::string WriteEnrollment(const Terminal& terminal, std::int64_t wall_ms);

// Verifies the self-signature and the consistency of every field (terminal id matches the key,
// keys are valid points, site is a valid site code). kMalformed / kBadSignature / kTooNew with a
// message naming what is wrong. Pure.
[[nodiscard]] Result<Enrollment> ReadEnrollment(ByteView data);

// Reads and verifies FILE, prefixing errors with the file name. Reads disk.
[[nodiscard]] Result<Enrollment> ReadEnrollmentFile(const std::filesystem::path& path);

// Reads and verifies every enrollment record (*.enroll) in DIR, in file-name order; other files
// are passed over. A directory that cannot be read is an errno error naming it; a record that
// does not verify fails the whole read, naming its file. A directory holding no record gives an
// empty vector: whether trusting no terminal is an error is the caller's to say. Reads disk.
[[nodiscard]] Result<std::vector<Enrollment>> ReadEnrollmentDir(const std::filesystem::path& dir);

// The terminals' signing keys of `records`, in their order: what bundle verification takes. Pure.
std::vector<crypto::VerifyKey> SigningKeysOf(const std::vector<Enrollment>& records);

}  // namespace lontar::terminal
