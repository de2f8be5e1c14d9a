// The terminal side of delivery: sending pending outbox bundles to a collection server and
// recording its receipts. The transport is injected (`lontar sync` passes libcurl; tests may pass
// a store directly), so this file knows nothing of HTTP.
//
// For each pending bundle, oldest first:
//   ReadOutboxBundle (verified with the terminal's own key: a damaged file is reported, never
//   sent) -> upload -> VerifyReceipt with the server key the operator trusts -> the receipt must
//   name this bundle id, this terminal and this seq -> MarkDelivered.
// A bundle is marked delivered only after all of that; any failure leaves it pending for the next
// pass. A duplicate upload is success: the server answers with the original receipt.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/bundle/outbox.hpp"
#include "core/crypto/sign.hpp"
#include "core/util/clock.hpp"

namespace lontar::sync {

// Sends one bundle; returns the server's receipt text. Errors: kIo for a transport failure worth
// retrying (connection refused, timeout, 5xx); any other kind for a refusal that will not change
// on retry (the server's message as the error's).
using Uploader =
    std::function<Result<std::string>(const std::string& bundle_id_hex, ByteView bundle)>;

struct SyncReport {
  std::size_t pending = 0;    // pending when the pass began
  std::size_t delivered = 0;  // marked delivered in this pass
  std::size_t failed = 0;
  bool retryable = true;            // every failure was kIo (worth another pass later)
  std::vector<std::string> errors;  // "#SEQ CODE: message"
};

// One pass over the outbox. Errors (as opposed to per-bundle failures in the report) are the
// vault's. Touches disk.
[[nodiscard]] Result<SyncReport> SyncOutbox(terminal::Terminal& terminal,
                                            const crypto::VerifyKey& server_key,
                                            const Uploader& upload, const Clock& clock);

}  // namespace lontar::sync
