// The terminal's record of bundles a site relay holds: the relay's own signed receipt for each,
// kept until the collection server's receipt comes back through the relay (outbox.hpp,
// MarkDelivered).
//
// On disk: HOME/relay-held/<bundle id hex>.receipt, the relay's receipt text byte for byte (a
// SignedEnvelope, core/bundle/receipt.hpp, signed by the relay's key). Written whole under a
// temporary name, fsync'd and renamed (WriteFileAtomic), so a torn write leaves either the old
// file, no file, or a temporary that nothing reads.
//
// Invariants:
//  (1) A record is written only after the receipt verified with the relay key the operator gave
//      and named this bundle id, this terminal and this seq (SyncOutbox checks, then records).
//  (2) A held bundle is still pending: the outbox sends it again on every pass until the central
//      receipt arrives. The record only lets `lontar sync` say the terminal may be switched off.
//  (3) Read back, a record is verified again with the relay key (a file changed or left from a
//      relay with another key does not count).
#pragma once

#include <filesystem>
#include <optional>

#include "core/bundle/outbox.hpp"
#include "core/crypto/sign.hpp"
#include "core/util/error.hpp"

namespace lontar::sync {

inline constexpr char kRelayHeldDir[] = "relay-held";

// Writes the relay's receipt for `entry`, durably (see invariant 1: the caller has verified it).
// Touches disk.
[[nodiscard]] Status RecordRelayHeld(terminal::Terminal& terminal, const bundle::OutboxEntry& entry,
                                     ByteView relay_receipt);

// Removes the record once the bundle is delivered (nothing to do when there is none). Touches disk.
void ForgetRelayHeld(terminal::Terminal& terminal, const bundle::OutboxEntry& entry);

// Whether the relay whose key is `relay_key` has signed that it holds `entry`: a record exists
// and verifies (invariant 3). An unreadable or foreign record is "not held", never an error: the
// bundle is sent again anyway. Reads disk.
[[nodiscard]] bool IsRelayHeld(terminal::Terminal& terminal, const bundle::OutboxEntry& entry,
                               const crypto::VerifyKey& relay_key);

}  // namespace lontar::sync
