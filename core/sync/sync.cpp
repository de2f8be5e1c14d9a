#include "core/sync/sync.hpp"

#include "core/bundle/receipt.hpp"
#include "core/sync/deliver.hpp"
#include "core/sync/relay_held.hpp"

namespace lontar::sync {
namespace {

// kHeldUnchecked: a relay answered that it holds the bundle, but without the relay's key the
// terminal cannot check its receipt, so it does not count as held.
enum class Outcome { kDelivered, kHeld, kHeldUnchecked };

// Keeps the answer's reading as the pass's clock reading when the answer was signed as the terminal
// waited (clock_offset.hpp) and its round trip is the shortest so far.
void NoteClock(const Delivery& d, const UploadTiming& timing, std::optional<ClockOffset>& best) {
  if (!d.receipt || !d.receipt->signed_ms || !d.Proven()) return;
  // A duplicate's receipt (200) was signed when the bundle first arrived.
  const bool fresh = d.outcome == Delivered::kRelayHeld || !d.answer.already_stored;
  if (!fresh) return;
  ClockOffset reading = MeasureClockOffset(*d.receipt->signed_ms, timing);
  reading.signer_key_id = d.receipt->server_key_id.ToString();
  reading.relay = d.outcome == Delivered::kRelayHeld;
  if (!best || reading.uncertainty_ms < best->uncertainty_ms) best = std::move(reading);
}

Result<Outcome> DeliverOne(terminal::Terminal& terminal, const bundle::OutboxEntry& entry,
                           const SyncKeys& keys, const Uploader& upload, const Clock& clock,
                           std::string& relay_note, std::optional<ClockOffset>& reading) {
  LONTAR_ASSIGN_OR_RETURN(Bytes bytes, bundle::ReadOutboxBundle(terminal, entry));
  UploadTiming timing;
  const Uploader timed = [&](const std::string& id_hex, ByteView b) {
    timing.sent_mono_ns = clock.MonotonicNs();
    auto answer = upload(id_hex, b);
    timing.answered_mono_ns = clock.MonotonicNs();
    timing.answered_wall_ms = clock.WallMs();
    return answer;
  };
  // No retry within a pass: SyncOutbox's caller backs off between passes.
  LONTAR_ASSIGN_OR_RETURN(
      Delivery d,
      DeliverBundle(bytes,
                    {.bundle_id = entry.bundle_id, .terminal_id = terminal.id(), .seq = entry.seq},
                    keys, timed, RetryPolicy{}, /*central_only=*/false));
  if (d.answer.relay_held && !d.answer.note.empty()) relay_note = d.answer.note;
  NoteClock(d, timing, reading);
  if (d.outcome == Delivered::kRelayHeldUnchecked) return Outcome::kHeldUnchecked;
  const bool relay = d.outcome == Delivered::kRelayHeld;
  if (d.receipt_check == ReceiptCheck::kDoesNotVerify) {
    return std::unexpected(
        d.receipt_error->WithContext(relay ? "relay's receipt" : "server's receipt"));
  }
  if (!d.Proven()) return std::unexpected(*d.receipt_error);
  if (relay) {
    LONTAR_TRY(RecordRelayHeld(terminal, entry, AsBytes(d.answer.receipt)));
    return Outcome::kHeld;
  }
  LONTAR_TRY(
      bundle::MarkDelivered(terminal, entry.bundle_id, AsBytes(d.answer.receipt), clock.WallMs()));
  ForgetRelayHeld(terminal, entry);
  return Outcome::kDelivered;
}

}  // namespace

Result<SyncReport> SyncOutbox(terminal::Terminal& terminal, const SyncKeys& keys,
                              const Uploader& upload, const Clock& clock) {
  LONTAR_ASSIGN_OR_RETURN(std::vector<bundle::OutboxEntry> entries, bundle::ListOutbox(terminal));
  SyncReport report;
  report.total = entries.size();
  for (const auto& entry : entries) report.pending += entry.delivered ? 0 : 1;
  bool link_down = false;
  for (const auto& entry : entries) {
    if (entry.delivered) {
      ++report.confirmed;
      continue;
    }
    // A server that cannot be reached will not be reached for the next bundle either; what the
    // relay signed before still counts.
    auto outcome = link_down ? Result<Outcome>(std::unexpected(Error::Io("not tried")))
                             : DeliverOne(terminal, entry, keys, upload, clock, report.relay_note,
                                          report.clock);
    if (outcome && *outcome == Outcome::kDelivered) {
      ++report.delivered;
      ++report.confirmed;
      continue;
    }
    if (outcome && *outcome == Outcome::kHeld) {
      ++report.held;
      continue;
    }
    ++report.failed;
    const std::string where = "#" + std::to_string(entry.seq) + " " + entry.receipt_code + ": ";
    if (outcome) {
      // The relay is up: the next bundle is worth handing over all the same.
      report.errors.push_back(where +
                              "the site relay holds it, but this terminal cannot check the "
                              "relay's receipt without its public key (give --relay-key "
                              "relay.pub); the collection server has not confirmed it yet");
      continue;
    }
    if (keys.relay_key && IsRelayHeld(terminal, entry, *keys.relay_key)) ++report.held;
    if (link_down) continue;
    if (outcome.error().kind() != ErrorKind::kIo) report.retryable = false;
    report.errors.push_back(where + outcome.error().message());
    link_down = outcome.error().kind() == ErrorKind::kIo;
  }
  if (report.clock) {
    if (auto st = RecordClockOffset(terminal, *report.clock); !st) {
      report.clock_error = st.error().message();
    }
  }
  return report;
}

}  // namespace lontar::sync
