// Trust updates: how a terminal comes to trust a new exam authority key, or stops trusting one.
//
// An update is a SignedEnvelope (core/format/signed_envelope.hpp), format "lontar-trust-update"
// version 1, whose body is
//   {"sequence": N, "add": [{"key": "<base64 Ed25519>", "label": "..."}], "revoke": ["KEYID"],
//    "created_wall_ms": T}
// As TUF requires of a new root, a terminal accepts it only when it is signed by a key the
// terminal trusts now, and only when its sequence number is above the last one applied (so an
// old update cannot be replayed). An update may not leave the terminal trusting no key.
// Applying it and journaling it is one transaction.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/crypto/sign.hpp"
#include "core/terminal/terminal.hpp"

namespace lontar::terminal {

struct TrustUpdate {
  std::uint64_t sequence = 0;
  std::vector<TrustedKey> add;
  std::vector<crypto::KeyId> revoke;
};

inline constexpr std::size_t kMaxTrustUpdateBytes = 64 * 1024;

// The signed file for `update`. Pure.
std::string WriteTrustUpdate(const TrustUpdate& update, const crypto::SigningKey& signer,
                             std::int64_t wall_ms);

// Verifies and applies an update read from `data`. kUntrusted (signer not trusted now),
// kBadSignature, kMalformed, kInvalidArgument (replayed sequence, would trust nothing). Returns
// the update applied. Touches disk.
[[nodiscard]] Result<TrustUpdate> ApplyTrustUpdate(Terminal& terminal, ByteView data);

}  // namespace lontar::terminal
