// The collection server's receipt: its signed statement that it stored one result bundle. It
// lives beside the bundle because both ends use it: the server writes it (core/server/store.cpp),
// terminals and relays verify it before they mark a bundle delivered (core/sync).
//
// File / HTTP body: a SignedEnvelope (core/format/signed_envelope.hpp), format "lontar-receipt",
// version 2 (1 is still read), signed by the server's Ed25519 key (`lontar keys new server`), or
// by a site relay's for the receipt it gives while it holds a bundle. Body (JSON object):
//   bundle_id      64 lower-case hex digits: the bundle's id (BLAKE2b-256 of its sealed payload)
//   receipt_code   the candidate's code for that id (receipt_code.hpp), for people reading it
//   terminal_id    "T-" + key id of the terminal that signed the bundle
//   seq            the bundle's per-terminal number
//   stored_ms      server wall clock when the bundle became durable in the store
//   server_key_id  key id of the signing key (equals the envelope's signer's id)
//   signed_ms      (version 2) the signing server's wall clock when it signed this text: equal to
//                  stored_ms for the receipt of a bundle stored now, later for a relay's receipt
//                  signed again as it answers an upload of a bundle it already holds
// Versions: 1 (until December 2026) has no signed_ms; it still verifies, and reads with
// signed_ms absent. A version-2 body without signed_ms is malformed. A reader older than version
// 2 refuses a version-2 receipt as too new (kTooNew), so terminals are updated before the servers
// and relays they deliver to.
//
// signed_ms is how a terminal learns what time it is (core/sync/clock_offset.hpp): it is signed,
// so a relay or a network in between cannot shift it without the signature failing. A stored
// receipt handed out again (a duplicate upload, an upstream receipt handed back by a relay) keeps
// the signed_ms of its first signing; the terminal takes its clock only from answers signed as
// it waited (clock_offset.hpp says which).
// Everything a terminal needs to mark exactly this bundle delivered is signed, so a receipt for
// another bundle, another terminal or from another server cannot be replayed as this one's.
// A truncated receipt is not valid JSON and is refused before any signature work; a changed
// byte fails the signature (or, in the envelope's field names, the JSON parse).
//
// Verification order (VerifyReceipt): size cap, envelope, signature by the embedded key, that
// key against the server key the caller trusts, and only then the body.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/crypto/hash.hpp"
#include "core/crypto/sign.hpp"
#include "core/util/bytes.hpp"
#include "core/util/error.hpp"

namespace lontar::bundle {

inline constexpr char kReceiptFormat[] = "lontar-receipt";
inline constexpr int kReceiptVersion = 2;
inline constexpr std::size_t kMaxReceiptBytes = 64 * 1024;

struct Receipt {
  crypto::Hash256 bundle_id{};
  std::string terminal_id;
  std::uint64_t seq = 0;
  std::int64_t stored_ms = 0;
  crypto::KeyId server_key_id;
  // The signer's wall clock at signing; absent in version-1 receipts (WriteReceipt writes
  // stored_ms when it is absent).
  std::optional<std::int64_t> signed_ms = std::nullopt;
};

// The receipt text (version 2), signed by `server_key` (its id goes into server_key_id), with
// receipt.signed_ms (stored_ms when absent) as its signed time. Pure.
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
