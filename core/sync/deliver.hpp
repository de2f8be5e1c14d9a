// Delivering one result bundle to a collection server: the one path that `lontar sync` (a
// terminal's outbox, sync.hpp), `lontar bundles import` (a coordinator's USB stick) and their
// tests take. The transport is an Uploader (sync.hpp; libcurl in provision/http_upload.hpp, an
// in-process fake in tests), the wait between retries a Pause that also carries the operator's
// stop: this file knows nothing of HTTP, signals or the clock.
//
//   bytes (already verified by the caller: outbox entry or VerifyBundle against enrolled keys)
//     -> upload, retried while the uploader answers kIo, with the pause doubling from
//        retry.first_backoff, at most retry.attempts uploads, none once the pause says stop
//     -> the answer is either
//        the collection server's receipt: VerifyReceipt with keys.server_key, and it must name
//          this bundle id, terminal and seq -> kConfirmed; or
//        a relay's own receipt (202): with central_only, "not delivered yet" (kIo, retried like a
//          transport failure); without keys.relay_key -> kRelayHeldUnchecked; else VerifyReceipt
//          with the relay key and the same three names -> kRelayHeld.
// A receipt that fails its check does not make the upload an error: the server did take the
// bundle (it answered 200/201/202), and the caller decides what that means (sync leaves the
// bundle pending; import reports it stored but unproven). Delivery::receipt_check says which.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/bundle/receipt.hpp"
#include "core/crypto/hash.hpp"
#include "core/sync/sync.hpp"

namespace lontar::sync {

// What the receipt must name: the bundle's header.
struct BundleIdentity {
  crypto::Hash256 bundle_id{};
  std::string terminal_id;
  std::uint64_t seq = 0;
};

// Waits `delay` before the next retry; false when the operator asked to stop (then nothing more
// is sent).
using Pause = std::function<bool(std::chrono::milliseconds delay)>;

// A Pause that sleeps in short slices and ends early, returning false, once `stop` is set (by a
// signal handler). `stop` must outlive the returned function.
[[nodiscard]] Pause PauseUnlessStopped(const std::atomic<bool>& stop);

struct RetryPolicy {
  int attempts = 1;  // uploads of one bundle while the uploader answers kIo (1: no retry)
  std::chrono::milliseconds first_backoff{1000};  // doubled after each retry
  Pause pause;  // needed when attempts > 1; without one no retry is made
};

enum class Delivered {
  kConfirmed,           // the collection server answered with its receipt
  kRelayHeld,           // a site relay signed that it holds the bundle
  kRelayHeldUnchecked,  // a relay says it holds it, but without keys.relay_key nothing checks that
};

enum class ReceiptCheck {
  kProven,         // verified with the right key and names this bundle of this terminal
  kDoesNotVerify,  // not signed by the key given (or not a receipt)
  kNamesAnother,   // verified, but names another bundle, terminal or number
  kNotChecked,     // kRelayHeldUnchecked: no key to check it with
};

struct Delivery {
  Delivered outcome = Delivered::kConfirmed;
  UploadAnswer answer;  // the receipt text as received, byte for byte
  ReceiptCheck receipt_check = ReceiptCheck::kProven;
  // Why the receipt proves nothing (kDoesNotVerify: VerifyReceipt's error as it came;
  // kNamesAnother: "server's receipt names bundle … of … #N, not this one"); nullopt when proven or
  // not checked.
  std::optional<Error> receipt_error;
  // The receipt as parsed, when it verified (kProven or kNamesAnother): its signed time is what
  // SyncOutbox measures the clock by (clock_offset.hpp).
  std::optional<bundle::Receipt> receipt = std::nullopt;
  int attempts = 0;  // uploads made
  bool Proven() const { return receipt_check == ReceiptCheck::kProven; }
};

// Uploads `bundle` (whose header is `expect`) and checks the answer, as drawn above. Errors: the
// uploader's last error (kIo: not delivered, worth another pass; any other kind: refused). Touches
// no disk.
[[nodiscard]] Result<Delivery> DeliverBundle(ByteView bundle, const BundleIdentity& expect,
                                             const SyncKeys& keys, const Uploader& upload,
                                             const RetryPolicy& retry, bool central_only);

// A bundle file from an exported stick (core/bundle/export.hpp): read (at most kMaxBundleBytes),
// VerifyBundle against `enrolled` before anything is sent (a damaged or foreign file is an error
// and is never uploaded), then DeliverBundle to the collection server only (central_only: a relay's
// hold is retried, not counted). Errors carry the file name. Reads disk.
[[nodiscard]] Result<Delivery> DeliverBundleFile(const std::filesystem::path& file,
                                                 const std::vector<crypto::VerifyKey>& enrolled,
                                                 const crypto::VerifyKey& server_key,
                                                 const Uploader& upload, const RetryPolicy& retry);

}  // namespace lontar::sync
