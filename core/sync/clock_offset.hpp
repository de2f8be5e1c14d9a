// How far the terminal's wall clock is from its collection server's (or site relay's), measured
// at each sync from the signed time in the receipts that come back (core/bundle/receipt.hpp,
// signed_ms), and kept in the vault for `lontar terminal status` and the kiosk's health screen.
//
// Measuring. An upload is timed on the terminal: the monotonic clock before it is sent and when
// the answer is in, and the wall clock then. A receipt signed while the terminal waited was
// signed somewhere between the two, so
//   offset      = signed_ms - (wall clock at answer - round trip / 2)     server minus terminal
//   uncertainty = round trip / 2                                         rounded up
// and the true offset lies within offset ± uncertainty. The round trip is taken from the
// monotonic clock, so a wall clock set during the upload does not distort it.
//
// Which answers are measured (the rest are signed, but not while the terminal waited):
//   201 from the collection server: the receipt was signed for this upload.
//   201 from a site relay: the bundle is new there and the upstream's receipt came back while
//       the terminal waited (--relay-wait), so it was signed then: the central server's clock
//       (unless the central server had the bundle already, from a USB stick: then one reading is
//       wrong, and the next sync's replaces it).
//   202 from a site relay: the relay signs its own receipt again as it answers (serve_command):
//       the relay's clock.
//   200 (a duplicate, from either: the receipt kept since the bundle first arrived): not
//   measured.
// The status code is not signed: someone on the network could make an old receipt pass for a
// fresh one and shift the reading; the clock offset is advice to a technician, never a reason
// to accept or refuse anything, so that costs at most a wrong warning.
//
// Storage: vault meta "clock_offset", one JSON object
//   {"offset_ms":N,"uncertainty_ms":N,"measured_ms":N,"signer_key_id":ID,"relay":bool}
// written in one SQLite transaction (a torn write leaves the previous reading). Unreadable text
// counts as no reading: it is the terminal's own bookkeeping, not trusted input.
//
// Journal: when a reading differs from the previous one (none: an offset of 0) by more than
// kClockWarnMs, a "clock.offset" record is appended in the same transaction as the meta:
//   clock.offset  {"offset_ms":N,"uncertainty_ms":N,"previous_offset_ms":N|null,
//                  "signer_key_id":ID,"relay":bool}
// so the audit trail shows when the clock was found off and when it came right, without a
// record on every sync. The engine's replay skips "clock.*" records.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/terminal/terminal.hpp"
#include "core/util/error.hpp"

namespace lontar::sync {

// A clock off by more than this is warned about (terminal status, the kiosk's health screen, the
// relay's status page), and a change by more than this is journaled.
inline constexpr std::int64_t kClockWarnMs = 120'000;
inline constexpr char kClockOffsetMeta[] = "clock_offset";

struct ClockOffset {
  std::int64_t offset_ms = 0;       // the server's clock minus this terminal's
  std::int64_t uncertainty_ms = 0;  // the true offset is within offset_ms ± this
  std::int64_t measured_ms = 0;     // this terminal's wall clock when the answer came
  std::string signer_key_id;        // key id that signed the time (server or relay)
  bool relay = false;               // a site relay's clock, not the collection server's
  // Whether the clock is off by more than kClockWarnMs.
  bool Off() const;
};

// One upload as the terminal timed it.
struct UploadTiming {
  std::int64_t sent_mono_ns = 0;      // Clock::MonotonicNs before sending
  std::int64_t answered_mono_ns = 0;  // Clock::MonotonicNs when the answer was in
  std::int64_t answered_wall_ms = 0;  // Clock::WallMs then
};

// The offset from a receipt's signed_ms and the upload's timing (formula above). Pure.
ClockOffset MeasureClockOffset(std::int64_t signed_ms, const UploadTiming& timing);

// Keeps `reading` in the vault, journaling it when it differs from the previous reading by more
// than kClockWarnMs (see above). The vault's and journal's errors. Touches disk.
[[nodiscard]] Status RecordClockOffset(terminal::Terminal& terminal, const ClockOffset& reading);

// The last reading kept, nullopt when none has been made (or the kept text is unreadable).
// The vault's errors. Reads disk.
[[nodiscard]] Result<std::optional<ClockOffset>> ReadClockOffset(vault::Vault& vault);

// "3 min 20 s behind", "1.2 s ahead of": the terminal's clock against the server's, for people
// (`offset_ms` is server minus terminal, so a positive offset is a terminal behind). Pure.
std::string DescribeClockOffset(std::int64_t offset_ms);

// What a technician should do about `reading`: "" when the clock is within kClockWarnMs, else a
// sentence saying how far off it is, against whose clock, and how to set it. Pure.
std::string ClockAdvice(const ClockOffset& reading);

}  // namespace lontar::sync
