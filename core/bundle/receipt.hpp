// The collection server's receipt: its signed statement that it stored one result bundle. It
// lives beside the bundle because both ends use it: the server writes it (core/server/store.cpp),
// terminals and relays verify it before they mark a bundle delivered (core/sync).
//
// File / HTTP body: a SignedEnvelope (core/format/signed_envelope.hpp), format "lontar-receipt",
// version 1, signed by the server's Ed25519 key (`lontar keys new server`). Body (JSON object):
//   bundle_id      64 lower-case hex digits: the bundle's id (BLAKE2b-256 of its sealed payload)
//   receipt_code   the candidate's code for that id (receipt_code.hpp), for people reading it
//   terminal_id    "T-" + key id of the terminal that signed the bundle
//   seq            the bundle's per-terminal number
//   stored_ms      server wall clock when the bundle became durable in the store
//   server_key_id  key id of the signing key (equals the envelope's signer's id)
// Everything a terminal needs to mark exactly this bundle delivered is signed, so a receipt for
// another bundle, another terminal or from another server cannot be replayed as this one's.
// A truncated receipt is not valid JSON and is refused before any signature work; a changed
// byte fails the signature (or, in the envelope's field names, the JSON parse).
//
// Verification order (VerifyReceipt): size cap, envelope, signature by the embedded key, that
// key against the server key the caller trusts, and only then the body.
#pragma once

#include <cstdint>
#include <string>

#include "core/crypto/hash.hpp"
#include "core/crypto/sign.hpp"
#include "core/util/bytes.hpp"
#include "core/util/error.hpp"

namespace lontar::bundle {

inline constexpr char kReceiptFormat[] = "lontar-receipt";
inline constexpr int kReceiptVersion = 1;
inline constexpr std::size_t kMaxReceiptBytes = 64 * 1024;

struct Receipt {
  crypto::Hash256 bundle_id{};
  std::string terminal_id;
  std::uint64_t seq = 0;
  std::int64_t stored_ms = 0;
  crypto::KeyId server_key_id;
};

// The receipt text, signed by `server_key` (its id goes into server_key_id). Pure.
std::string WriteReceipt(const Receipt& receipt, const crypto::SigningKey& server_key);

// Checks the envelope and its self-signature and parses the body, without deciding whether the
// signer is trusted: for tools that show a receipt, and the fuzz target. kMalformed (not a
// receipt, a missing or ill-typed field, a server_key_id that is not the signer's), kTooNew,
// kBadSignature. Pure.
[[nodiscard]] Result<Receipt> ParseReceipt(ByteView bytes);

// As ParseReceipt, and the signer must be `server_key`: kUntrusted naming both key ids
// otherwise. This is what a terminal checks before it marks a bundle delivered. Pure.
[[nodiscard]] Result<Receipt> VerifyReceipt(ByteView bytes, const crypto::VerifyKey& server_key);

}  // namespace lontar::bundle
