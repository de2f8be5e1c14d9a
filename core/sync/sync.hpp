// The terminal side of delivery: sending pending outbox bundles to a collection server, directly
// or through a site relay, and recording the receipts. The transport is injected (`lontar sync`
// passes libcurl; tests may pass a store directly), so this file knows nothing of HTTP.
//
// For each pending bundle, oldest first (the upload and the receipt checks are DeliverBundle's,
// deliver.hpp, the one delivery path that `lontar bundles import` takes too):
//   ReadOutboxBundle (verified with the terminal's own key: a damaged file is reported, never
//   sent) -> upload -> the answer is either
//     the collection server's receipt: VerifyReceipt with the server key the operator trusts ->
//       it must name this bundle id, this terminal and this seq -> MarkDelivered; or
//     a site relay's own receipt (the relay stored the bundle durably but has no receipt from the
//       collection server yet): VerifyReceipt with the relay key -> the same three names ->
//       RecordRelayHeld (relay_held.hpp). The bundle stays pending and is sent again next pass,
//       which is how the terminal keeps asking until the central receipt comes back.
// A bundle is marked delivered only after all of that; any failure leaves it pending for the next
// pass. A duplicate upload is success: the server (or relay) answers with the original receipt.
//
// Clock. Each upload is timed; from the answers whose receipt was signed while the terminal
// waited (clock_offset.hpp says which), the one with the shortest round trip gives the pass's
// reading of the terminal's clock against the server's, kept with RecordClockOffset after the
// pass (and journaled when it moved by more than kClockWarnMs).
//
// When may a terminal be switched off? When every bundle is delivered or held by the relay
// (SyncReport::AllSafe): the relay has signed that each is on its disk.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/bundle/outbox.hpp"
#include "core/crypto/sign.hpp"
#include "core/sync/clock_offset.hpp"
#include "core/util/clock.hpp"

namespace lontar::sync {

// What a server answered to one upload that it accepted.
struct UploadAnswer {
  std::string receipt;          // receipt text (receipt.hpp)
  bool relay_held = false;      // a relay's own receipt: held there, not yet confirmed centrally
  bool already_stored = false;  // the server had it before (a duplicate upload)
  std::string note;             // the relay's reason it has no central receipt yet, for people
};

// Sends one bundle; returns the answer. Errors: kIo for a transport failure worth retrying
// (connection refused, timeout, 5xx); any other kind for a refusal that will not change on retry
// (the server's message as the error's).
using Uploader =
    std::function<Result<UploadAnswer>(const std::string& bundle_id_hex, ByteView bundle)>;

struct SyncKeys {
  crypto::VerifyKey server_key;                // the collection server's (central) key
  std::optional<crypto::VerifyKey> relay_key;  // the site relay's key, when syncing through one
};

struct SyncReport {
  std::size_t total = 0;            // bundles in the outbox
  std::size_t pending = 0;          // pending when the pass began
  std::size_t delivered = 0;        // marked delivered in this pass
  std::size_t failed = 0;           // neither delivered nor held in this pass
  bool retryable = true;            // every failure was kIo (worth another pass later)
  std::vector<std::string> errors;  // "#SEQ CODE: message"
  // Over the whole outbox after the pass:
  std::size_t confirmed = 0;  // delivered, with the collection server's receipt
  std::size_t held = 0;       // pending, with the relay's verified receipt
  std::string relay_note;     // the relay's last reason for not having a central receipt
  // This pass's clock reading (clock_offset.hpp); nullopt when no answer could be timed.
  std::optional<ClockOffset> clock = std::nullopt;
  std::string clock_error;  // why the reading could not be kept; "" when it was (or none made)
  bool AllConfirmed() const { return confirmed == total; }
  bool AllSafe() const { return confirmed + held == total; }
};

// One pass over the outbox. Errors (as opposed to per-bundle failures in the report) are the
// vault's; a clock reading that cannot be kept is SyncReport::clock_error, not an error (the
// bundles are what the pass is for). Without keys.relay_key a relay's receipt is not trusted: the
// bundle counts as failed (kIo, retryable) with a message naming --relay-key. Touches disk.
[[nodiscard]] Result<SyncReport> SyncOutbox(terminal::Terminal& terminal, const SyncKeys& keys,
                                            const Uploader& upload, const Clock& clock);

}  // namespace lontar::sync
