// A small signed JSON envelope for records that cross a trust boundary and are read by people as
// well as programs (enrollment records; later trust updates and hand-off records).
//
// Layout (one JSON object, UTF-8, at most the reader's size limit):
//   {
//     "format":    "lontar-enrollment",       which record this is
//     "version":   1,                         the record's format version
//     "signer":    "<base64, 32 bytes>",      Ed25519 public key of the signer
//     "body":      "<JSON text, as a string>",
//     "signature": "<base64, 64 bytes>"       Ed25519 over: format "\n" version "\n" body
//   }
// The body is carried as a string so that the signed bytes are exactly the bytes on disk: no
// canonical-JSON rules are needed. Readers check the signature before they parse the body, and
// the format name is in the signed message so one kind of record can never pass for another. A
// truncated file is not valid JSON and is rejected before any signature work.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/crypto/sign.hpp"
#include "core/util/bytes.hpp"
#include "core/util/error.hpp"

namespace lontar::format {

struct SignedEnvelope {
  std::string format;
  int version = 0;
  crypto::VerifyKey signer;
  std::string body;  // verified JSON text; parse it only after ReadSignedEnvelope returned it
};

// Serialises and signs `body` (JSON text). Pure.
std::string WriteSignedEnvelope(std::string_view format, int version,
                                const crypto::SigningKey& signer, std::string_view body);

// Parses the envelope only, checks it is `format` at a version in 1..max_version, and verifies
// the signature with the embedded signer key. Fails with kMalformed (not an envelope, wrong
// format, oversize), kTooNew (newer version) or kBadSignature. The caller then decides whether
// it trusts `signer`. Pure.
[[nodiscard]] Result<SignedEnvelope> ReadSignedEnvelope(ByteView data, std::string_view format,
                                                        int max_version, std::size_t max_bytes);

}  // namespace lontar::format
