#include "core/sync/deliver.hpp"

#include <thread>

#include "core/bundle/bundle_format.hpp"
#include "core/bundle/receipt.hpp"
#include "core/util/fs.hpp"

namespace lontar::sync {
namespace {

// Checks a receipt against `key` and the bundle it must name; `who` is "server" or "relay".
void CheckReceipt(Delivery& d, const crypto::VerifyKey& key, const BundleIdentity& expect,
                  std::string_view who) {
  auto r = bundle::VerifyReceipt(AsBytes(d.answer.receipt), key);
  if (!r) {
    d.receipt_check = ReceiptCheck::kDoesNotVerify;
    d.receipt_error = r.error();
    return;
  }
  d.receipt = *r;
  if (r->bundle_id == expect.bundle_id && r->terminal_id == expect.terminal_id &&
      r->seq == expect.seq) {
    d.receipt_check = ReceiptCheck::kProven;
    return;
  }
  d.receipt_check = ReceiptCheck::kNamesAnother;
  d.receipt_error = Error::Malformed(
      std::string(who) + "'s receipt names bundle " + HexEncode(r->bundle_id).substr(0, 16) +
      " of " + r->terminal_id + " #" + std::to_string(r->seq) + ", not this one");
}

}  // namespace

Pause PauseUnlessStopped(const std::atomic<bool>& stop) {
  return [&stop](std::chrono::milliseconds delay) {
    const auto until = std::chrono::steady_clock::now() + delay;
    while (!stop && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return !stop;
  };
}

Result<Delivery> DeliverBundle(ByteView bundle, const BundleIdentity& expect, const SyncKeys& keys,
                               const Uploader& upload, const RetryPolicy& retry,
                               bool central_only) {
  const std::string id_hex = HexEncode(expect.bundle_id);
  Delivery d;
  auto backoff = retry.first_backoff;
  for (;;) {
    ++d.attempts;
    auto answer = upload(id_hex, bundle);
    if (answer && answer->relay_held && central_only) {
      answer = std::unexpected(
          Error::Io("the relay holds it; the collection server has not confirmed it yet (" +
                    answer->note + ")"));
    }
    if (answer) {
      d.answer = std::move(*answer);
      break;
    }
    if (answer.error().kind() != ErrorKind::kIo || d.attempts >= retry.attempts || !retry.pause ||
        !retry.pause(backoff)) {
      return std::unexpected(answer.error());
    }
    backoff *= 2;
  }
  if (!d.answer.relay_held) {
    d.outcome = Delivered::kConfirmed;
    CheckReceipt(d, keys.server_key, expect, "server");
    return d;
  }
  if (!keys.relay_key) {
    d.outcome = Delivered::kRelayHeldUnchecked;
    d.receipt_check = ReceiptCheck::kNotChecked;
    return d;
  }
  d.outcome = Delivered::kRelayHeld;
  CheckReceipt(d, *keys.relay_key, expect, "relay");
  return d;
}

Result<Delivery> DeliverBundleFile(const std::filesystem::path& file,
                                   const std::vector<crypto::VerifyKey>& enrolled,
                                   const crypto::VerifyKey& server_key, const Uploader& upload,
                                   const RetryPolicy& retry) {
  LONTAR_ASSIGN_OR_RETURN(Bytes bytes, ReadFile(file, bundle::kMaxBundleBytes));
  LONTAR_ASSIGN_OR_RETURN(bundle::BundleHeader h,
                          bundle::VerifyBundle(bytes, enrolled, file.string()));
  auto d =
      DeliverBundle(bytes, {.bundle_id = h.bundle_id, .terminal_id = h.terminal_id, .seq = h.seq},
                    {.server_key = server_key, .relay_key = std::nullopt}, upload, retry,
                    /*central_only=*/true);
  if (!d) return std::unexpected(d.error().WithContext(file.string()));
  return d;
}

}  // namespace lontar::sync
